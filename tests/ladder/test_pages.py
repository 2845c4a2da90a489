"""The ladder in the browser: level pages, comparisons, downloads, and who may see drafts."""

import pytest
from django.urls import reverse
from markupsafe import escape  # as Jinja2 escapes: &#39; where Django writes &#x27;

from ladder.areas import AREA_KINDS
from ladder.exporters import complete_documents, level_document
from ladder.formats.document import AreaDoc, BehaviourDoc, GroupDoc, LevelDoc, ResponsibilityDoc
from ladder.models import Behaviour, Level
from ladder.services import new_draft_from
from tests.factories import level_doc, make_framework

pytestmark = pytest.mark.django_db


def level_url(level) -> str:
    return level.get_absolute_url()


def grouped_level_doc() -> LevelDoc:
    """A level of a framework of its own: two areas in a group, one with sub-groups apart."""

    def items(prefix: str, count: int) -> tuple[BehaviourDoc, ...]:
        return tuple(BehaviourDoc(f"I {prefix} well, {n}", f"{prefix}-{n}") for n in range(count))

    return LevelDoc(
        code="E3",
        title="Senior Engineer",
        track="Engineering",
        summary="I own a system.",
        groups=(GroupDoc("Craft skills", "How the work is done."),),
        areas=(
            AreaDoc(
                "design",
                "Shaping systems.",
                items("design", 2),
                name="Design",
                group="Craft skills",
            ),
            AreaDoc("testing", "", items("test", 1), name="Testing", group="Craft skills"),
            AreaDoc(
                "people",
                "Working with others.",
                (),
                (ResponsibilityDoc("Mentoring", items("mentor", 2)),),
                name="People",
            ),
        ),
    )


def test_a_level_page_shows_groups_with_their_areas_inside(client, engineer):
    framework = make_framework(grouped_level_doc(), name="Own Framework")
    level = framework.levels.get()
    client.force_login(engineer)
    html = client.get(level_url(level)).content.decode()
    group = level.area_groups.get()
    headings = [
        f'<h2 id="group-{group.pk}-heading" class="section-heading">Craft skills</h2>',
        "How the work is done.",
        '<h3 id="design-heading">Design</h3>',
        '<h3 id="testing-heading">Testing</h3>',
        '<h2 id="people-heading" class="section-heading">People</h2>',
        "Mentoring</h3>",
    ]
    places = [html.index(heading) for heading in headings]
    assert places == sorted(places)
    assert html.count('<li id="b-') == 5
    # Read back, as models or as rows, the level is the document it was written from.
    assert level_document(Level.objects.with_rubric().get(pk=level.pk)) == grouped_level_doc()
    assert complete_documents(framework.pk) == {("Engineering", "E3"): grouped_level_doc()}


def test_level_page_needs_sign_in(client, ic5):
    response = client.get(level_url(ic5))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_level_page_shows_every_area_responsibility_and_behaviour_in_order(client, engineer, ic5):
    client.force_login(engineer)
    response = client.get(level_url(ic5))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Staff Machine Learning Engineer" in html
    assert "I set the multi-year, multi-team technical strategy" in html
    positions = [html.index(f'id="{kind}-heading"') for kind in AREA_KINDS]
    assert positions == sorted(positions)
    behaviours = Behaviour.objects.filter(area__level=ic5).order_by("area__order", "order")
    assert behaviours.count() == 58
    assert html.count('<li id="b-') == 58
    texts = [b.text for b in behaviours]
    found = [html.index(escape(t)) for t in texts]
    assert found == sorted(found)
    assert "Code Fluency" in html


def test_level_page_runs_a_constant_number_of_queries(
    client, engineer, ic5, django_assert_num_queries
):
    client.force_login(engineer)
    # session with user, framework, level+track, areas, responsibilities, behaviours,
    # sibling levels, earlier version
    with django_assert_num_queries(8):
        response = client.get(level_url(ic5))
    assert response.status_code == 200


def test_level_page_query_count_does_not_grow_with_the_level(
    client, engineer, django_assert_num_queries
):
    small = make_framework(level_doc("IC4", behaviours=1, responsibilities=1))
    big = make_framework(level_doc("IC4", behaviours=6, responsibilities=4), name="Big")
    client.force_login(engineer)
    small_url = level_url(small.levels.get())
    big_url = level_url(big.levels.get())
    with django_assert_num_queries(8):
        assert client.get(small_url).status_code == 200
    with django_assert_num_queries(8):
        assert client.get(big_url).status_code == 200


def test_unknown_level_is_404(client, engineer, ic5):
    client.force_login(engineer)
    url = reverse("ladder:level", args=[ic5.framework.slug, 1, "machine-learning", "IC99"])
    assert client.get(url).status_code == 404
    url = reverse("ladder:level", args=[ic5.framework.slug, 7, "machine-learning", "IC5"])
    assert client.get(url).status_code == 404


def test_drafts_are_hidden_from_people_who_do_not_edit_the_ladder(
    client, engineer, admin_user, ic5
):
    draft = new_draft_from(ic5.framework)
    draft_level = draft.levels.get()
    client.force_login(engineer)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(level_url(draft_level)).status_code == 404
    client.force_login(admin_user)
    response = client.get(level_url(draft_level))
    assert response.status_code == 200
    assert "draft" in response.content.decode()


def test_index_opens_the_latest_published_version(client, engineer, ic5):
    client.force_login(engineer)
    response = client.get(reverse("ladder:index"))
    assert response.status_code == 302
    assert response["Location"] == ic5.framework.get_absolute_url()


def test_index_without_a_framework_explains(client, engineer):
    client.force_login(engineer)
    response = client.get(reverse("ladder:index"))
    assert response.status_code == 200
    assert "No career framework yet" in response.content.decode()


def test_framework_page_lists_levels_by_track(client, engineer, ic5, django_assert_max_num_queries):
    client.force_login(engineer)
    with django_assert_max_num_queries(6):
        response = client.get(ic5.framework.get_absolute_url())
    assert "IC5" in response.content.decode()
    assert "Machine Learning" in response.content.decode()


def test_markdown_download_round_trips(client, engineer, ic5, seed_text):
    from ladder.formats.markdown import parse_ladder

    client.force_login(engineer)
    response = client.get(
        reverse("ladder:level-markdown", args=[ic5.framework.slug, 1, "machine-learning", "IC5"])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="machine-learning-ic5-v1.md"'
    assert parse_ladder(response.content.decode(), "download.md") == parse_ladder(
        seed_text, "seed.md"
    )


def compare_url(framework, track="machine-learning") -> str:
    return reverse("ladder:compare-levels", args=[framework.slug, framework.version, track])


def test_level_comparison_marks_added_changed_and_removed(
    client, engineer, django_assert_num_queries
):
    lower = level_doc("IC4", "Machine Learning Engineer", text="I deliver {what} for my team")
    higher = level_doc(
        "IC5", "Staff Machine Learning Engineer", text="I deliver {what} for my whole org"
    )
    framework = make_framework(lower, higher)
    client.force_login(engineer)
    url = compare_url(framework)
    # session with user, framework, the track's levels, then 4 for each level's rubric
    with django_assert_num_queries(11):
        response = client.get(url, {"from": "IC4", "to": "IC5"})
    assert response.status_code == 200
    html = response.content.decode()
    # Jinja2 pages leave response.context empty: read the counts from the legend.
    assert '<span class="tag tag-changed">26 changed</span>' in html
    assert '<span class="tag tag-added">0 new</span>' in html
    assert '<span class="tag tag-removed">0 no longer listed</span>' in html
    assert "<del>team</del>" in html
    assert "<ins>whole org</ins>" in html or "<ins>whole</ins>" in html


def test_level_comparison_rejects_unknown_or_equal_levels(client, engineer):
    framework = make_framework(level_doc("IC4"), level_doc("IC5"))
    client.force_login(engineer)
    assert client.get(compare_url(framework), {"from": "IC4", "to": "IC4"}).status_code == 400
    response = client.get(compare_url(framework), {"from": "IC4", "to": "<script>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose two different levels of this track." in html
    assert 'class="legend"' not in html


def test_version_comparison_follows_keys_through_rewording(
    client, admin_user, ic5, django_assert_num_queries
):
    draft = new_draft_from(ic5.framework)
    behaviour = Behaviour.objects.get(area__level__framework=draft, key="ownership-1")
    behaviour.text = "I feel responsible for acting on opportunities across the company"
    behaviour.save()
    client.force_login(admin_user)
    url = reverse("ladder:compare-versions", args=[ic5.framework.slug, "machine-learning", "IC5"])
    # session with user, versions, then 4 for each version's level (a superuser's
    # permissions need no queries)
    with django_assert_num_queries(10):
        response = client.get(url, {"from": 1, "to": 2})
    assert response.status_code == 200
    legend = response.content.decode().split('class="legend"')[1].split("</p>")[0]
    assert ">1 changed<" in legend
    assert ">0 new<" in legend
    assert ">0 no longer listed<" in legend
    assert ">57 unchanged<" in legend


def test_version_comparison_with_one_version_says_so(client, engineer, ic5):
    client.force_login(engineer)
    url = reverse("ladder:compare-versions", args=[ic5.framework.slug, "machine-learning", "IC5"])
    response = client.get(url)
    assert response.status_code == 200
    assert "only one version" in response.content.decode()


def test_version_comparison_leads_with_what_changed(client, admin_user, ic5):
    draft = new_draft_from(ic5.framework)
    Behaviour.objects.filter(area__level__framework=draft, key="ownership-1").update(
        text="I act on opportunities across the company"
    )
    client.force_login(admin_user)
    url = reverse("ladder:compare-versions", args=[ic5.framework.slug, "machine-learning", "IC5"])
    changes = client.get(url, {"from": 1, "to": 2}).content.decode()
    everything = client.get(url, {"from": 1, "to": 2, "show": "all"}).content.decode()
    unchanged_text = "I tailor my message to my audience"
    assert changes.count("change change-changed") == 1
    assert unchanged_text not in changes
    assert unchanged_text in everything
    assert changes.count("change-same") == 0
    assert everything.count("change change-same") == 57


def test_every_ladder_page_needs_sign_in(client, ic5):
    slug, track = ic5.framework.slug, "machine-learning"
    urls = [
        reverse("ladder:index"),
        reverse("ladder:framework", args=[slug, 1]),
        reverse("ladder:level", args=[slug, 1, track, "IC5"]),
        reverse("ladder:level-markdown", args=[slug, 1, track, "IC5"]),
        reverse("ladder:compare-levels", args=[slug, 1, track]),
        reverse("ladder:compare-versions", args=[slug, track, "IC5"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_not_found_page_is_friendly(client, engineer, settings):
    settings.DEBUG = False
    client.force_login(engineer)
    response = client.get("/ladder/nothing-here/v1/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_a_comparison_asked_from_higher_to_lower_is_turned_round_and_says_so(client, engineer):
    framework = make_framework(
        level_doc("IC4", text="I deliver {what} for my team"),
        level_doc("IC5", "Staff Machine Learning Engineer", text="I deliver {what} for my org"),
    )
    client.force_login(engineer)
    response = client.get(compare_url(framework), {"from": "IC5", "to": "IC4", "show": "all"})
    assert response.status_code == 302
    assert "from=IC4" in response["Location"]
    assert "to=IC5" in response["Location"]
    assert "show=all" in response["Location"]
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<h1>IC4 → IC5: what changes</h1>" in html
    assert "compared from the lower to the higher one: IC4 → IC5" in html
    assert "new at IC5" in html


def test_very_long_rewordings_show_as_replaced_without_word_by_word_matching():
    from ladder.compare import DIFF_BUDGET, word_diff

    before = " ".join(f"w{n}" for n in range(400))
    after = " ".join(f"w{n}" for n in range(1, 401))
    assert len(before.split()) * 2 * len(after.split()) * 2 > DIFF_BUDGET
    assert [(s.kind, s.text) for s in word_diff(before, after)] == [
        ("removed", before),
        ("added", after),
    ]
    assert [s.kind for s in word_diff("I lead reviews", "I lead design reviews")] == [
        "same",
        "added",
        "same",
    ]


def test_a_published_level_page_leads_editors_to_edit_it(client, engineer, ladder_editor, ic5):
    level_url = ic5.get_absolute_url()
    edit = reverse(
        "ladder:edit-level",
        args=[ic5.framework.slug, ic5.framework.version, "machine-learning", "IC5"],
    )
    client.force_login(engineer)
    assert edit not in client.get(level_url).content.decode()
    client.force_login(ladder_editor)
    assert f'href="{edit}">Edit…</a>' in client.get(level_url).content.decode()
    # It offers to start a draft, there being none.
    assert "Start a draft from v1" in client.get(edit).content.decode()
