"""Every admin page opens for a superuser and for a ladder editor, or refuses them cleanly.

The pages come from admin.site's registry, so a model registered later is opened here
without anyone adding it to a list. Expected answers come from each ModelAdmin's own
permission methods; the floor tests below check those answers let people in where
they work, so the smoke tests can't pass on refusals alone.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from assessments.models import Assessment, Cycle
from assessments.permissions import password_refusal
from ladder.admin_lists import SEARCH_LIMIT_MESSAGE, SEARCH_MAX_CHARACTERS, BoundedSearch
from ladder.models import Behaviour, Framework
from ladder.permissions import can_edit_rubric
from tests.admin_shared import (  # noqa: F401 (fixtures, found by name)
    shared_editor,
    shared_site,
    shared_site_data,
    shared_superuser,
)
from tests.admin_site import MODELS, REGISTRY, label

pytestmark = pytest.mark.django_db

APP_LABELS = sorted({model._meta.app_label for model in MODELS})
PERSONAS = ["superuser", "editor"]
STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change")
SEARCHES = {
    "ordinary": "IC4",
    "50000-characters": "x" * 50_000,
    "5000-words": " ".join("a" * 5_000),
}


def states(model) -> tuple[str, ...]:
    """Which sample rows of a model to open: one per side of the draft/published line."""
    if model is Framework or getattr(model, "framework_path", ""):
        return ("draft", "published")
    return ("first", "last")


def sample(model, state: str):
    rows = model._default_manager.order_by("pk")
    if state in ("draft", "published"):
        path = "status" if model is Framework else f"{model.framework_path}__status"
        obj = rows.filter(**{path: state}).first()
    else:
        obj = rows.first() if state == "first" else rows.last()
    assert obj is not None, f"No {state} {model._meta.verbose_name} to open: add one to site_data."
    return obj


def custom_object_urls():
    """URLs a ModelAdmin adds beside the standard ones, such as the Markdown preview."""
    for model, model_admin in REGISTRY:
        opts = model._meta
        standard = {f"{opts.app_label}_{opts.model_name}_{view}" for view in STANDARD_VIEWS}
        for pattern in model_admin.get_urls():
            if pattern.name and pattern.name not in standard:
                yield model, pattern.name, tuple(pattern.pattern.converters)


# Django's own history, delete-confirmation and empty add pages ask nothing of the
# engine that the list and change pages don't: opened in the SQLite pass only.
NEUTRAL = pytest.mark.engine_neutral


def model_pages():
    for model in MODELS:
        yield pytest.param(model, "changelist", None, id=f"{label(model)}-changelist")
        yield pytest.param(model, "add", None, id=f"{label(model)}-add", marks=NEUTRAL)
        for state in states(model):
            for page in ("change", "history", "delete"):
                marks = () if page == "change" else NEUTRAL
                yield pytest.param(
                    model, page, state, id=f"{label(model)}-{page}-{state}", marks=marks
                )


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def expected_status(user, model, page: str, obj=None) -> int:
    """200 where the model's admin lets this person in, else Django's refusal: 403."""
    model_admin = admin.site.get_model_admin(model)
    request = as_request(user)
    allowed = {
        "changelist": lambda: model_admin.has_view_or_change_permission(request),
        "add": lambda: model_admin.has_add_permission(request),
        "change": lambda: model_admin.has_view_or_change_permission(request, obj),
        "history": lambda: model_admin.has_view_or_change_permission(request, obj),
        "delete": lambda: model_admin.has_delete_permission(request, obj),
    }[page]()
    return 200 if allowed else 403


def assert_answers(response, url: str, expected: int) -> None:
    assert response.status_code < 500, f"{url} answered {response.status_code}"
    assert response.status_code == expected, (
        f"{url} answered {response.status_code}, expected {expected}"
    )


@pytest.mark.parametrize("persona", PERSONAS)
# Not "page": pytest-playwright would take that for its fixture and add a browser.
@pytest.mark.parametrize(("model", "view", "state"), list(model_pages()))
def test_model_page_opens_or_is_refused(request, client, site_data, persona, model, view, state):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    obj = sample(model, state) if state else None
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk] if obj else [])
    assert_answers(client.get(url), url, expected_status(user, model, view, obj))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "search",
    # The long ones are refused before any query: nothing for the engine to differ on.
    [pytest.param(name, marks=NEUTRAL) if name != "ordinary" else name for name in SEARCHES],
)
@pytest.mark.parametrize("model", MODELS, ids=label)
def test_changelist_search_never_fails(request, client, site_data, persona, search, model):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = client.get(url, {"q": SEARCHES[search]})
    expected = expected_status(user, model, "changelist")
    assert_answers(response, f"{url}?q=<{search}>", expected)
    if expected == 200 and search != "ordinary":
        assert response.content.decode().count(SEARCH_LIMIT_MESSAGE) == 1
        assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("model", "name", "kwargs"),
    [pytest.param(*url, id=url[1]) for url in custom_object_urls()],
)
def test_custom_admin_page_opens(request, client, site_data, persona, model, name, kwargs):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    opened = 0
    for state in states(model):
        obj = sample(model, state)
        url = reverse(f"admin:{name}", kwargs=dict.fromkeys(kwargs, obj.pk))
        # Nobody sets the password of someone who reads reviews: back to their page.
        refused = name == "auth_user_password_change" and password_refusal(user, obj)
        assert_answers(client.get(url), url, 302 if refused else 200)
        opened += not refused
    assert opened


def site_pages():
    yield pytest.param("admin:index", [], id="index")
    yield pytest.param("admin:password_change", [], id="password_change")
    yield pytest.param("admin:jsi18n", [], id="jsi18n")
    for app_label in APP_LABELS:
        yield pytest.param("admin:app_list", [app_label], id=f"app-{app_label}")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "args"), list(site_pages()))
def test_site_page_opens(request, client, site_data, persona, name, args):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse(name, args=args)
    # An app index where the person may see none of the models doesn't exist for them.
    visible = not args or bool(admin.site.get_app_list(as_request(user), args[0]))
    assert_answers(client.get(url), url, 200 if visible else 404)


def autocomplete_fields():
    for model, model_admin in REGISTRY:
        for field in model_admin.autocomplete_fields:
            yield pytest.param(model, field, id=f"{label(model)}-{field}")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("term", ["", "IC4", "x" * 50_000], ids=["empty", "ordinary", "long"])
@pytest.mark.parametrize(("model", "field"), list(autocomplete_fields()))
def test_autocomplete_answers_every_term(request, client, site_data, persona, term, model, field):
    client.force_login(request.getfixturevalue(persona))
    params = {
        "app_label": model._meta.app_label,
        "model_name": model._meta.model_name,
        "field_name": field,
        "term": term,
    }
    url = reverse("admin:autocomplete")
    response = client.get(url, params)
    assert_answers(response, url, 200)
    if len(term) > SEARCH_MAX_CHARACTERS:
        assert response.json()["results"] == []


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", ["draft", "published"])
def test_delete_selected_asks_before_deleting(request, client, site_data, persona, state):
    client.force_login(request.getfixturevalue(persona))
    behaviour = sample(Behaviour, state)
    url = reverse("admin:ladder_behaviour_changelist")
    response = client.post(
        url, {"action": "delete_selected", admin.helpers.ACTION_CHECKBOX_NAME: [behaviour.pk]}
    )
    assert_answers(response, url, 200)
    html = response.content.decode()
    if state == "published":
        assert "your account doesn't have permission to delete" in html
    else:
        assert "Are you sure you want to delete the selected behaviour?" in html
    assert Behaviour.objects.filter(pk=behaviour.pk).exists()


def test_every_registered_admin_bounds_its_search():
    unbounded = [label(model) for model, ma in REGISTRY if not isinstance(ma, BoundedSearch)]
    assert unbounded == []


@pytest.mark.parametrize(
    ("term", "refused"),
    [
        ("x" * SEARCH_MAX_CHARACTERS, False),
        ("x" * (SEARCH_MAX_CHARACTERS + 1), True),
        (" ".join(["IC4"] * 20), False),
        (" ".join(["IC4"] * 21), True),
        ('"' + "Machine Learning " * 10 + '"', False),
    ],
    ids=["200-characters", "201-characters", "20-words", "21-words", "quoted-phrase"],
)
def test_search_runs_up_to_its_limits(client, superuser, site_data, term, refused):
    client.force_login(superuser)
    response = client.get(reverse("admin:ladder_level_changelist"), {"q": term})
    assert response.status_code == 200
    assert (SEARCH_LIMIT_MESSAGE in response.content.decode()) is refused


def opens(user, model, page: str, state: str | None = None) -> bool:
    return expected_status(user, model, page, sample(model, state) if state else None) == 200


def reading_pages(model):
    yield "changelist", None
    for state in states(model):
        yield "change", state
        yield "history", state


def test_superuser_may_open_every_list_and_object(superuser, site_data):
    shut = [
        f"{label(model)} {page} {state}"
        for model in MODELS
        for page, state in reading_pages(model)
        if not opens(superuser, model, page, state)
    ]
    assert shut == []


def test_editor_may_work_on_every_ladder_model_and_read_cycles(editor, site_data):
    assert can_edit_rubric(editor)
    ladder_models = [model for model in MODELS if model._meta.app_label == "ladder"]
    shut = [
        f"{label(model)} {page} {state}"
        for model in ladder_models
        for page, state in [*reading_pages(model), ("add", None)]
        if not opens(editor, model, page, state)
    ]
    # Heartbeats are written by the background workers only: nobody adds one by hand.
    assert shut == ["ladder.workerheartbeat add None"]
    assert opens(editor, Cycle, "changelist")
    assert opens(editor, Cycle, "change", "first")


def test_editor_is_refused_where_they_have_no_permission(editor, site_data):
    assert not opens(editor, Group, "changelist")
    assert not opens(editor, Assessment, "changelist")
    assert not opens(editor, Cycle, "add")
    assert opens(editor, Behaviour, "delete", "draft")
    assert not opens(editor, Behaviour, "delete", "published")
