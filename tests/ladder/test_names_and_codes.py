"""Names that become page addresses, level codes and keys are checked before they are stored."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from ladder.formats.markdown import render_ladder
from ladder.models import Behaviour, Framework, Track
from ladder.services import new_draft_from
from tests.factories import level_doc

pytestmark = pytest.mark.django_db


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(render_ladder(doc), encoding="utf-8")
    return str(path)


def test_a_published_track_cannot_be_renamed(ic5, client, admin_user):
    track = ic5.track
    track.name = "Renamed Track"
    with pytest.raises(ValidationError, match="Published versions use this track"):
        track.save()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:ladder_track_change", args=[track.pk]),
        {"name": "Renamed Track", "slug": "renamed-track"},
    )
    assert response.status_code == 200
    assert "Published versions use this track" in response.content.decode()
    assert Track.objects.get(pk=track.pk).name == "Machine Learning"


def test_a_track_name_without_letters_is_refused_with_the_file(tmp_path):
    path = write(tmp_path, "jp.md", level_doc("IC4", track="機械学習"))
    with pytest.raises(CommandError, match=r"jp\.md: the track '機械学習' needs some letters"):
        call_command("import_ladder", path, stdout=StringIO())
    assert not Framework.objects.exists()


def test_two_tracks_sharing_an_address_are_refused(tmp_path):
    first = write(tmp_path, "a.md", level_doc("IC4", track="Machine Learning"))
    second = write(tmp_path, "b.md", level_doc("IC5", track="Machine-Learning"))
    with pytest.raises(CommandError, match="would share its address"):
        call_command("import_ladder", first, second, stdout=StringIO())
    assert not Track.objects.exists()


def test_a_framework_name_without_letters_is_refused(tmp_path):
    path = write(tmp_path, "a.md", level_doc("IC4"))
    with pytest.raises(CommandError, match="needs some letters or digits"):
        call_command("import_ladder", path, framework="日本語", stdout=StringIO())
    assert not Framework.objects.exists()


def test_admin_explains_instead_of_failing_on_a_second_draft(ic5, client, admin_user):
    new_draft_from(ic5.framework)
    client.force_login(admin_user)
    response = client.post(reverse("admin:ladder_framework_add"), {"name": ic5.framework.name})
    assert response.status_code == 200
    assert "already has a draft" in response.content.decode()
    assert Framework.objects.count() == 2


def test_level_codes_must_be_letters_then_a_number(ic5, client, admin_user):
    draft = new_draft_from(ic5.framework)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:ladder_level_add"),
        {
            "framework": draft.pk,
            "track": ic5.track.pk,
            "code": "IC6/B",
            "title": "Principal",
            "summary": "I lead",
            "areas-TOTAL_FORMS": "0",
            "areas-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Use letters then a number" in response.content.decode()
    assert draft.levels.count() == 1


@pytest.mark.parametrize("key", ["Impact_One", "-impact", "impact one", "IMPACT"])
def test_behaviour_keys_are_lower_case_slugs(ic5, key):
    draft = new_draft_from(ic5.framework)
    behaviour = Behaviour.objects.filter(area__level__framework=draft).first()
    behaviour.key = key
    with pytest.raises(ValidationError) as error:
        behaviour.full_clean()
    assert "key" in error.value.message_dict


def test_behaviour_text_is_kept_to_one_paragraph(ic5):
    draft = new_draft_from(ic5.framework)
    behaviour = Behaviour.objects.filter(area__level__framework=draft, area__key="scope").first()
    behaviour.text = "First part.\n\nSecond part."
    behaviour.save()
    out = StringIO()
    call_command("export_ladder", draft=True, level="IC5", stdout=out)
    assert "- First part. Second part.\n" in out.getvalue()


def test_export_creates_the_folder_it_writes_into(ic5, tmp_path):
    target = tmp_path / "new" / "folder" / "ic5.md"
    call_command("export_ladder", level="IC5", output=target, stdout=StringIO(), stderr=StringIO())
    assert target.read_text(encoding="utf-8").startswith("# IC5 ")
