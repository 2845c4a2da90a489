"""Published versions are frozen; drafts are edited, published, and copied."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ladder.formats.document import FLAT_LIST_KEY, AreaDoc, BehaviourDoc, LevelDoc
from ladder.models import Area, Behaviour, Framework, Level, PublishedFrameworkError, Responsibility
from ladder.services import new_draft_from, publish
from tests.factories import FrameworkFactory, level_doc, make_framework

pytestmark = pytest.mark.django_db


def test_published_behaviour_cannot_be_saved(ic5):
    behaviour = Behaviour.objects.filter(area__level=ic5).first()
    behaviour.text = "Rewritten after publication"
    with pytest.raises(PublishedFrameworkError):
        behaviour.save()
    assert Behaviour.objects.get(pk=behaviour.pk).text != "Rewritten after publication"


@pytest.mark.parametrize("model", [Level, Area, Responsibility, Behaviour])
def test_published_content_cannot_be_deleted_one_by_one(ic5, model):
    row = model.objects.filter(pk__in=model.objects.values("pk")).first()
    with pytest.raises(PublishedFrameworkError):
        row.delete()
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(
    ("model", "change"),
    [
        (Level, {"title": "Changed"}),
        (Area, {"description": "Changed"}),
        (Responsibility, {"name": "Changed"}),
        (Behaviour, {"text": "Changed"}),
    ],
)
def test_published_content_cannot_be_bulk_updated(ic5, model, change):
    with pytest.raises(PublishedFrameworkError):
        model.objects.all().update(**change)
    field, value = next(iter(change.items()))
    assert not model.objects.filter(**{field: value}).exists()


def test_published_content_cannot_be_bulk_deleted(ic5):
    count = Behaviour.objects.count()
    with pytest.raises(PublishedFrameworkError):
        Behaviour.objects.filter(area__level=ic5).delete()
    with pytest.raises(PublishedFrameworkError):
        Framework.objects.all().delete()
    assert Behaviour.objects.count() == count == 58


def test_published_framework_itself_is_frozen(ic5):
    framework = ic5.framework
    framework.notes = "Sneaky edit"
    with pytest.raises(PublishedFrameworkError):
        framework.save()
    with pytest.raises(PublishedFrameworkError):
        framework.delete()


def test_a_behaviour_cannot_be_moved_into_a_published_version(ic5):
    draft = make_framework(level_doc("IC4"), publish=False)
    behaviour = Behaviour.objects.filter(area__level__framework=draft).first()
    behaviour.area = Area.objects.get(level=ic5, key=behaviour.area.key)
    with pytest.raises(PublishedFrameworkError):
        behaviour.save()


def test_draft_content_can_be_edited():
    draft = make_framework(level_doc("IC4"), publish=False)
    behaviour = Behaviour.objects.filter(area__level__framework=draft).first()
    behaviour.text = "  I   write   clearly  "
    behaviour.save()
    assert Behaviour.objects.get(pk=behaviour.pk).text == "I write clearly"


def test_new_draft_copies_every_behaviour_with_its_key(ic5):
    draft = new_draft_from(ic5.framework)
    assert draft.is_draft
    assert draft.version == 2
    assert draft.based_on == ic5.framework
    published = set(
        Behaviour.objects.filter(area__level=ic5).values_list("area__key", "key", "text")
    )
    copied = set(
        Behaviour.objects.filter(area__level__framework=draft).values_list(
            "area__key", "key", "text"
        )
    )
    assert copied == published
    assert len(copied) == 58


def test_only_one_draft_at_a_time(ic5):
    new_draft_from(ic5.framework)
    with pytest.raises(ValidationError, match="already has a draft"):
        new_draft_from(ic5.framework)
    with pytest.raises(IntegrityError), transaction.atomic():
        Framework.objects.create(name=ic5.framework.name, version=99)


def test_publishing_freezes_the_draft(ic5):
    draft = new_draft_from(ic5.framework)
    publish(draft)
    draft.refresh_from_db()
    assert draft.is_published
    assert draft.published_at is not None
    with pytest.raises(PublishedFrameworkError):
        Behaviour.objects.filter(area__level__framework=draft).update(text="x")


def test_publishing_refuses_an_incomplete_level():
    draft = make_framework(level_doc("IC4"), publish=False)
    Behaviour.objects.filter(area__level__framework=draft, area__key="scope").delete()
    # With nothing left to say what it is about, Scope is unfinished, not empty on purpose.
    Area.objects.filter(level__framework=draft, key="scope").update(description="")
    with pytest.raises(ValidationError) as error:
        publish(draft)
    assert "IC4: Scope has no behaviours" in error.value.messages
    draft.refresh_from_db()
    assert draft.is_draft


def test_publishing_refuses_an_empty_version():
    draft = FrameworkFactory()
    with pytest.raises(ValidationError, match="at least one level"):
        publish(draft)


def test_a_new_behaviour_gets_a_free_key():
    draft = make_framework(level_doc("IC4"), publish=False)
    area = Area.objects.get(level__framework=draft, key="results")
    responsibility = area.responsibilities.get(name="Results Part 1")
    added = Behaviour.objects.create(
        area=area, responsibility=responsibility, text="I add one more"
    )
    assert added.key == "results-part-1-3"


def test_responsibility_in_an_expectation_is_invalid():
    draft = make_framework(level_doc("IC4"), publish=False)
    scope = Area.objects.get(level__framework=draft, key="scope")
    with pytest.raises(ValidationError, match="sit directly under it, in no sub-group"):
        Responsibility(area=scope, name="Nope").full_clean()


def test_behaviour_in_a_pillar_needs_a_responsibility_of_that_pillar():
    draft = make_framework(level_doc("IC4"), publish=False)
    results = Area.objects.get(level__framework=draft, key="results")
    talent_part = Responsibility.objects.get(area__level__framework=draft, name="Talent Part 1")
    with pytest.raises(ValidationError, match="Choose the Results responsibility"):
        Behaviour(area=results, text="x", key="x-1").full_clean()
    with pytest.raises(ValidationError, match="another area"):
        Behaviour(area=results, responsibility=talent_part, text="x", key="x-1").full_clean()


def test_keys_are_unique_within_an_area():
    draft = make_framework(level_doc("IC4"), publish=False)
    scope = Area.objects.get(level__framework=draft, key="scope")
    with pytest.raises(IntegrityError), transaction.atomic():
        Behaviour.objects.create(area=scope, text="Duplicate", key="scope-1")


@pytest.fixture
def draft_and_published(ic5):
    draft = make_framework(level_doc("IC4"), name="Other", publish=False)
    return draft, ic5


def test_related_manager_cannot_move_a_draft_behaviour_into_a_published_area(draft_and_published):
    draft, ic5 = draft_and_published
    published_scope = Area.objects.get(level=ic5, key="scope")
    draft_behaviour = Behaviour.objects.filter(
        area__level__framework=draft, area__key="scope"
    ).first()
    with pytest.raises(PublishedFrameworkError):
        published_scope.behaviours.add(draft_behaviour)
    assert published_scope.behaviours.count() == 2


def test_related_manager_cannot_move_a_published_behaviour_out(draft_and_published):
    draft, ic5 = draft_and_published
    draft_scope = Area.objects.get(level__framework=draft, key="scope")
    published_behaviour = Behaviour.objects.filter(area__level=ic5, area__key="scope").first()
    with pytest.raises(PublishedFrameworkError):
        draft_scope.behaviours.add(published_behaviour)
    assert Behaviour.objects.filter(area__level=ic5, area__key="scope").count() == 2


def test_bulk_create_into_a_published_area_is_refused(ic5):
    published_scope = Area.objects.get(level=ic5, key="scope")
    with pytest.raises(PublishedFrameworkError):
        Behaviour.objects.bulk_create(
            [Behaviour(area=published_scope, key="scope-9", text="Sneaked in")]
        )
    assert published_scope.behaviours.count() == 2


def test_bulk_update_cannot_point_draft_rows_at_a_published_area(draft_and_published):
    draft, ic5 = draft_and_published
    published_scope = Area.objects.get(level=ic5, key="scope")
    with pytest.raises(PublishedFrameworkError):
        Behaviour.objects.filter(area__level__framework=draft, area__key="scope").update(
            area=published_scope
        )
    assert published_scope.behaviours.count() == 2


def test_a_published_level_cannot_be_moved_into_a_draft(draft_and_published):
    draft, ic5 = draft_and_published
    with pytest.raises(PublishedFrameworkError):
        draft.levels.add(ic5)
    ic5.refresh_from_db()
    assert ic5.framework.is_published


def test_a_sub_group_of_a_framework_of_its_own_may_bear_a_default_areas_name():
    """ "Craft" names a pillar of the default framework; in a company's own area it is
    just a sub-group (its pages read it so), while a default pillar still refuses it."""
    from tests.factories import own_level_doc

    draft = make_framework(
        own_level_doc("E3", areas=2, behaviours=1, groups=0), name="Own", publish=False
    )
    own = Area.objects.get(level__framework=draft, key="competency-1")
    own.subgrouped = True
    own.save()
    Responsibility(area=own, name="Craft").full_clean()
    default = make_framework(level_doc("IC4"), publish=False)
    results = Area.objects.get(level__framework=default, key="results")
    with pytest.raises(ValidationError, match="An area's name can't also name a responsibility"):
        Responsibility(area=results, name="Craft").full_clean()


def test_an_emptied_flat_list_is_named_as_such_when_publishing():
    flat = LevelDoc(
        "L1",
        "Engineer",
        "Web",
        "",
        (AreaDoc(FLAT_LIST_KEY, "", (BehaviourDoc("I build pages", "behaviours-1"),)),),
    )
    draft = make_framework(flat, name="Flat", publish=False)
    Behaviour.objects.filter(area__level__framework=draft).delete()
    with pytest.raises(ValidationError) as error:
        publish(draft)
    assert "L1: The list of behaviours is empty" in error.value.messages
