"""The templates' url(): a pattern reversed once per process with stand-ins for its
whole-number arguments, which must give what reverse() gives, whatever the numbers."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from ladder.site.jinja2 import url

pytestmark = pytest.mark.engine_neutral


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("home", ()),
        ("assessments:review", (7,)),
        # Numbers that are stand-ins themselves, in either place.
        ("assessments:review-save", (12, 918273645)),
        ("assessments:review-save", (928374655, 918273645)),
        ("assessments:peers-approve", (3, 30)),
        ("assessments:peer-input-save", (1, 1)),
    ],
)
def test_url_gives_what_reverse_gives(name, args):
    assert url(name, args=args) == reverse(name, args=args)
    assert url(name, args=[n + 1 for n in args]) == reverse(name, args=[n + 1 for n in args])


def test_a_number_no_converter_takes_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        url("assessments:review", args=[-3])


def test_anything_but_whole_numbers_is_reversed_as_it_is():
    assert url("assessments:review", args=["5"]) == reverse("assessments:review", args=["5"])
    assert url("assessments:review", kwargs={"pk": 5}) == reverse(
        "assessments:review", kwargs={"pk": 5}
    )


def test_a_script_prefix_is_kept_apart():
    try:
        set_script_prefix("/ladder/")
        assert url("assessments:review", args=[4]) == "/ladder/assessments/4/review/"
    finally:
        set_script_prefix("/")
    assert url("assessments:review", args=[4]) == "/assessments/4/review/"
