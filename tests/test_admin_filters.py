"""The admin's lists filter only by what they offer: no question about a hidden field.

Django's admin applies any lookup typed into a list's address, so
`?summary__startswith=A` on the assessment list answered, row by row, what a manager's
summary says, and `?new__regex=(.*.*)*$x` on the history could stop the server. Every
list now applies only its own filters (ladder.admin_lists.BoundedSearchChangeList) and
refuses anything else with 400 before a query runs. Tried here on every field of every
registered model as each persona of the admin, and on every field one relation away as
the superuser (no list offers those to anyone).
"""

import time

import pytest
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assessment, Event, Rating
from ladder.admin_lists import SEARCH_MAX_CHARACTERS
from tests.admin_shared import (  # noqa: F401 (fixtures, found by name)
    shared_editor,
    shared_runner,
    shared_site,
    shared_site_data,
    shared_superuser,
)
from tests.admin_site import MODELS, label

pytestmark = pytest.mark.django_db

PERSONAS = ["superuser", "runner", "editor"]
# A value for each lookup that would match something, or break a regex engine.
LOOKUPS = {"": "1", "exact": "1", "startswith": "A", "gte": "M", "regex": "("}
REFUSAL = "so nothing was looked up"
# Far above a refusal's few milliseconds (a busy machine once took 1.1 s), far below a
# runaway pattern's minutes. Only refusals are timed: a list the filter is offered on
# renders a page, and no pattern reaches the database there.
SLOWEST_REFUSAL_SECONDS = 10.0


def changelist_url(model) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def may_view(user, model) -> bool:
    request = type("Request", (), {"user": user})()
    return admin.site.get_model_admin(model).has_view_or_change_permission(request)


def offered_parameters(client, model) -> set[str]:
    """What the list's own filters read from the address, as the list itself says."""
    response = client.get(changelist_url(model))
    assert response.status_code == 200
    return {
        parameter
        for spec in response.context["cl"].filter_specs
        for parameter in spec.expected_parameters()
    }


def probes(model, *, far: bool = True):
    """Each lookup on every field of the model, and a lookup on every field one hop away."""
    for field in model._meta.get_fields():
        for lookup, value in LOOKUPS.items():
            yield (f"{field.name}__{lookup}" if lookup else field.name), value
        if far and field.is_relation and field.related_model is not None:
            for other in field.related_model._meta.concrete_fields:
                yield f"{field.name}__{other.name}__startswith", "A"


def wrong_answers(client, user, model, *, far: bool = True) -> tuple[list[str], float]:
    """Each probe the list answers otherwise than it should, and the slowest refusal."""
    client.force_login(user)
    url = changelist_url(model)
    offered = offered_parameters(client, model) if may_view(user, model) else set()
    wrong, slowest = [], 0.0
    for parameter, value in probes(model, far=far):
        started = time.perf_counter()
        response = client.get(url, {parameter: value})
        if response.status_code == 400:
            slowest = max(slowest, time.perf_counter() - started)
        if not may_view(user, model):
            expected = {403}
        elif parameter in offered:
            # An offered filter with a value it can't read goes back to the list (?e=1).
            expected = {200, 302}
        else:
            expected = {400}
        refused_clearly = response.status_code != 400 or REFUSAL in response.content.decode()
        if response.status_code not in expected or not refused_clearly:
            wrong.append(f"?{parameter}={value} answered {response.status_code}")
    return wrong, slowest


# The refusal comes before any query, so what it shows doesn't depend on the engine.
@pytest.mark.engine_neutral
@pytest.mark.parametrize("model", MODELS, ids=label)
def test_list_refuses_every_lookup_it_does_not_offer(request, client, site_data, model):
    for persona in PERSONAS:
        # What a persona is offered differs by persona; a startswith one hop away is
        # offered to none, and the refusal doesn't depend on who asks, so those probes,
        # four in ten of a persona's, are tried once, by the superuser.
        far = persona == "superuser"
        wrong, slowest = wrong_answers(client, request.getfixturevalue(persona), model, far=far)
        assert wrong == [], persona
        assert slowest < SLOWEST_REFUSAL_SECONDS, persona


def test_the_lists_offer_filters_so_the_refusals_are_not_blanket(client, site_data, superuser):
    client.force_login(superuser)
    assert {"cycle__id__exact", "status__exact"} <= offered_parameters(client, Assessment)
    assert offered_parameters(client, Event) == {"kind__exact", "kind__isnull"}


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_every_filter_choice_the_list_shows_opens(request, client, site_data, model):
    url = changelist_url(model)
    for persona in PERSONAS:
        user = request.getfixturevalue(persona)
        client.force_login(user)
        if not may_view(user, model):
            assert client.get(url).status_code == 403
            continue
        changelist = client.get(url).context["cl"]
        links = [
            choice["query_string"]
            for spec in changelist.filter_specs
            for choice in spec.choices(changelist)
        ]
        answers = {link: client.get(url + link).status_code for link in links}
        assert answers == dict.fromkeys(links, 200), persona


def test_a_guess_at_a_managers_summary_gets_no_answer(client, site_data, superuser):
    assessment = Assessment.objects.get()
    Assessment.objects.filter(pk=assessment.pk).update(summary="A strong half")
    client.force_login(superuser)
    url = changelist_url(Assessment)
    right = client.get(url, {"id__exact": assessment.pk, "summary__startswith": "A strong"})
    wrong = client.get(url, {"id__exact": assessment.pk, "summary__startswith": "Weak"})
    assert right.status_code == wrong.status_code == 400
    assert "cl" not in right.context
    assert right.content.decode().count("result") == wrong.content.decode().count("result")


def test_a_runaway_pattern_on_the_history_runs_no_query(client, site_data, superuser):
    Event.objects.bulk_create(
        Event(assessment=Assessment.objects.get(), kind=Event.Kind.SUMMARY, new="x" * 40)
        for _ in range(50)
    )
    client.force_login(superuser)
    client.get(changelist_url(Event))  # the session and the user, read once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(Event), {"new__regex": "(.*.*)*$x"})
    assert response.status_code == 400
    assert not [query for query in queries if "assessments_event" in query["sql"]]


@pytest.mark.parametrize(("length", "expected"), [(3, 200), (SEARCH_MAX_CHARACTERS + 1, 400)])
def test_an_offered_filter_takes_values_up_to_the_search_limit(
    client, site_data, superuser, length, expected
):
    client.force_login(superuser)
    response = client.get(changelist_url(Assessment), {"status__exact": "x" * length})
    assert response.status_code == expected


# What no admin page may show, search, filter or sort by: the review itself.
PRIVATE = {
    Assessment: {
        "summary",
        "summary_html",
        "return_note",
        "calibration_reason",
        "calibration_reason_html",
        "proposed_outcome",
        "calibrated_outcome",
        "ratings",
    },
    Event: {"old", "new", "behaviour"},
    Rating: {field.name for field in Rating._meta.get_fields()},
}


def paths_used(model_admin) -> set[str]:
    """Every field path an admin lists, filters, searches, sorts or shows by."""
    used = [
        *model_admin.search_fields,
        *(f[0] if isinstance(f, tuple | list) else f for f in model_admin.list_filter),
        *(model_admin.ordering or ()),
        *(model_admin.fields or ()),
        *model_admin.readonly_fields,
        model_admin.date_hierarchy or "",
    ]
    for column in model_admin.list_display:
        if isinstance(column, str):
            used.append(column)
            used.append(getattr(getattr(model_admin, column, None), "admin_order_field", ""))
    return {name.lstrip("^=@-") for name in used if isinstance(name, str) and name}


def private_steps(model, path: str) -> list[str]:
    """The private fields a path passes through, model by model."""
    found = []
    for name in path.split("__"):
        if name in PRIVATE.get(model, ()):
            found.append(f"{model.__name__}.{name}")
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            break  # a lookup (exact, icontains) or a method shown in a column
        if not field.is_relation:
            break
        model = field.related_model
    return found


@pytest.mark.no_database
@pytest.mark.parametrize("model", MODELS, ids=label)
def test_no_admin_lists_filters_searches_or_shows_the_review_itself(model):
    model_admin = admin.site.get_model_admin(model)
    assert [
        step for path in sorted(paths_used(model_admin)) for step in private_steps(model, path)
    ] == []


def test_the_review_check_sees_a_private_path():
    assert private_steps(Event, "assessment__ratings__evidence") == [
        "Assessment.ratings",
        "Rating.evidence",
    ]
