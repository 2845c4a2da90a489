"""The admin: drafts are edited inline, published versions open read-only."""

import pytest
from django.urls import reverse

from ladder.models import Area, Behaviour, Framework, Level
from ladder.services import new_draft_from
from tests.factories import FrameworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def test_published_level_opens_read_only(admin_client_, ic5):
    response = admin_client_.get(reverse("admin:ladder_level_change", args=[ic5.pk]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="title"' not in response.content.decode()


def test_posting_to_a_published_area_changes_nothing(admin_client_, ic5):
    area = Area.objects.get(level=ic5, key="scope")
    response = admin_client_.post(
        reverse("admin:ladder_area_change", args=[area.pk]), {"description": "Hacked"}
    )
    assert response.status_code == 403
    area.refresh_from_db()
    assert area.description != "Hacked"


def test_published_behaviour_cannot_be_deleted_in_admin(admin_client_, ic5):
    behaviour = Behaviour.objects.filter(area__level=ic5).first()
    response = admin_client_.post(
        reverse("admin:ladder_behaviour_delete", args=[behaviour.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Behaviour.objects.filter(pk=behaviour.pk).exists()


def test_draft_area_edits_behaviours_inline(admin_client_, ic5):
    draft = new_draft_from(ic5.framework)
    area = Area.objects.get(level__framework=draft, key="scope")
    behaviours = list(area.behaviours.order_by("order"))
    data = {
        "name": "Scope",
        "description": "Where I own things",
        "responsibilities-TOTAL_FORMS": "0",
        "responsibilities-INITIAL_FORMS": "0",
        "behaviours-TOTAL_FORMS": str(len(behaviours) + 1),
        "behaviours-INITIAL_FORMS": str(len(behaviours)),
    }
    for index, b in enumerate(behaviours):
        data.update(
            {
                f"behaviours-{index}-id": str(b.pk),
                f"behaviours-{index}-area": str(area.pk),
                f"behaviours-{index}-text": b.text + " (edited)",
                f"behaviours-{index}-key": b.key,
                f"behaviours-{index}-order": str(len(behaviours) - index),
            }
        )
    new = len(behaviours)
    data.update(
        {
            f"behaviours-{new}-area": str(area.pk),
            f"behaviours-{new}-text": "I take on a new kind of scope",
            f"behaviours-{new}-key": "",
            f"behaviours-{new}-order": "0",
        }
    )
    response = admin_client_.post(reverse("admin:ladder_area_change", args=[area.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    area.refresh_from_db()
    assert area.description == "Where I own things"
    texts = list(area.behaviours.order_by("order", "pk").values_list("text", flat=True))
    assert texts[0] == "I take on a new kind of scope"
    assert texts[1].endswith("(edited)")
    assert area.behaviours.get(text="I take on a new kind of scope").key == "scope-3"


def test_drafts_are_published_from_their_publish_page_not_by_a_bulk_action(admin_client_, ic5):
    draft = new_draft_from(ic5.framework)
    publish_url = reverse("ladder:publish", args=[draft.slug, draft.version])
    response = admin_client_.get(reverse("admin:ladder_framework_changelist"))
    html = response.content.decode()
    assert "publish_versions" not in html
    assert html.count(publish_url) == 1  # the draft's row; the published one has none
    response = admin_client_.post(
        reverse("admin:ladder_framework_changelist"),
        {"action": "publish_versions", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.is_draft


def test_draft_framework_page_links_to_publishing_and_to_each_levels_editor(admin_client_, ic5):
    draft = new_draft_from(ic5.framework)
    level = draft.levels.get()
    html = admin_client_.get(
        reverse("admin:ladder_framework_change", args=[draft.pk])
    ).content.decode()
    assert reverse("ladder:publish", args=[draft.slug, draft.version]) in html
    editor = reverse(
        "ladder:edit-level", args=[draft.slug, draft.version, level.track.slug, level.code]
    )
    assert f'href="{editor}"' in html
    published = admin_client_.get(
        reverse("admin:ladder_framework_change", args=[ic5.framework.pk])
    ).content.decode()
    assert reverse("ladder:publish", args=[draft.slug, ic5.framework.version]) not in published
    assert "start a new draft from this one to edit" in published


def test_draft_level_page_links_to_editing_in_place(admin_client_, ic5):
    draft = new_draft_from(ic5.framework)
    level = draft.levels.get()
    html = admin_client_.get(reverse("admin:ladder_level_change", args=[level.pk])).content.decode()
    editor = reverse(
        "ladder:edit-level", args=[draft.slug, draft.version, level.track.slug, level.code]
    )
    assert f'<a href="{editor}">Edit in place</a>' in html


def test_new_draft_action_copies_a_version(admin_client_, ic5):
    admin_client_.post(
        reverse("admin:ladder_framework_changelist"),
        {"action": "start_drafts", "_selected_action": [ic5.framework.pk]},
    )
    draft = Framework.objects.drafts().get()
    assert Behaviour.objects.filter(area__level__framework=draft).count() == 58


def test_markdown_preview_shows_the_export(admin_client_, ic5):
    response = admin_client_.get(reverse("admin:ladder_level_markdown", args=[ic5.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "# IC5 Staff Machine Learning Engineer" in html
    assert "<h1>IC5 Staff Machine Learning Engineer</h1>" in html


def test_markdown_preview_is_for_staff_only(client, engineer, ic5):
    client.force_login(engineer)
    response = client.get(reverse("admin:ladder_level_markdown", args=[ic5.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "name",
    [
        "ladder_framework",
        "ladder_level",
        "ladder_area",
        "ladder_behaviour",
        "ladder_track",
        "ladder_user",
    ],
)
def test_admin_lists_and_searches(admin_client_, ic5, name):
    response = admin_client_.get(reverse(f"admin:{name}_changelist"), {"q": "IC5"})
    assert response.status_code == 200


def test_level_list_shows_behaviour_counts(admin_client_, ic5):
    response = admin_client_.get(reverse("admin:ladder_level_changelist"))
    assert ">58<" in response.content.decode()
    assert Level.objects.count() == 1


def test_draft_area_page_query_count_does_not_grow_with_its_rows(
    admin_client_, ic5, django_assert_max_num_queries
):
    draft = new_draft_from(ic5.framework)
    craft = Area.objects.get(level__framework=draft, key="craft")
    scope = Area.objects.get(level__framework=draft, key="scope")
    admin_client_.get(reverse("admin:ladder_area_change", args=[scope.pk]))  # warm caches
    counts = []
    for area in (scope, craft):
        url = reverse("admin:ladder_area_change", args=[area.pk])
        with django_assert_max_num_queries(20) as captured:
            assert admin_client_.get(url).status_code == 200
        counts.append(len(captured))
    # Craft has 6 responsibilities and 18 behaviours, Scope none and 2.
    assert counts[0] == counts[1]


def test_draft_level_page_query_count_is_bounded(admin_client_, ic5, django_assert_max_num_queries):
    draft = new_draft_from(ic5.framework)
    level = draft.levels.get()
    with django_assert_max_num_queries(14):
        assert (
            admin_client_.get(reverse("admin:ladder_level_change", args=[level.pk])).status_code
            == 200
        )


def test_framework_page_lists_its_levels_with_links(
    admin_client_, ic5, django_assert_max_num_queries
):
    url = reverse("admin:ladder_framework_change", args=[ic5.framework.pk])
    with django_assert_max_num_queries(12):
        response = admin_client_.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="{reverse("admin:ladder_level_change", args=[ic5.pk])}">IC5 ' in html
    assert f'<a href="{ic5.get_absolute_url()}">view page</a>' in html


def test_framework_page_says_when_a_version_has_no_levels(admin_client_):
    empty = FrameworkFactory(name="Empty Framework", version=1)
    response = admin_client_.get(reverse("admin:ladder_framework_change", args=[empty.pk]))
    assert response.status_code == 200
    assert "No levels yet." in response.content.decode()
