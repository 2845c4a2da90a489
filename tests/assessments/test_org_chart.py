"""The org chart from an HR export: forgiving headers, a dry run, guardrails, applied once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments import org_chart
from assessments.models import Assessment, PeopleImport
from ladder.models import User
from tests.conftest import run_worker
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "Employee ID,First Name,Last Name,Work Email,Supervisor Email,Department,Job Level,Hire Date,Status\n"  # noqa: E501
BASE = (
    HEADER
    + "E1,Mira,Okafor,mira@acme.test,,Ranking,M2,2020-01-06,Active\n"
    + "E2,Ana,Petrova,ana@acme.test,mira@acme.test,Ranking,IC5,2021-03-01,Active\n"
    + "E3,Ben,Adeyemi,ben@acme.test,mira@acme.test,Ranking,IC4,2022-09-12,Active\n"
)


@pytest.fixture
def hr(db):
    return UserFactory(username="hr", is_staff=True, is_superuser=True)


def applied(text: str, by, **options):
    return org_chart.apply(org_chart.read(text), by=by, **options)


def planned(text: str, by):
    return org_chart.plan(org_chart.read(text), by=by)


def test_headers_as_hr_systems_spell_them_are_recognised():
    found = org_chart.recognise(
        ["Employee ID", "Work Email", "Supervisor Email", "Job Level", "hire_date", "TEAM"]
    )
    assert found == {
        "employee_id": 0,
        "email": 1,
        "manager": 2,
        "level": 3,
        "started_on": 4,
        "department": 5,
    }


def test_a_dry_run_changes_nothing_and_applying_twice_changes_nothing_more(hr):
    first = planned(BASE, hr)
    assert [c.name for c in first.new] == ["Mira Okafor", "Ana Petrova", "Ben Adeyemi"]
    assert User.objects.count() == 1
    applied(BASE, hr)
    ana = User.objects.get(email="ana@acme.test")
    assert (ana.employee_id, ana.manager.email, ana.level_code, ana.department) == (
        "E2",
        "mira@acme.test",
        "IC5",
        "Ranking",
    )
    assert not ana.has_usable_password()
    again = planned(BASE, hr)
    assert again.nothing_to_do
    assert again.unchanged == 3


def test_a_changed_file_shows_exactly_the_changes(hr):
    applied(BASE, hr)
    changed = (
        HEADER
        + "E1,Mira,Okafor,mira@acme.test,,Ranking,M2,2020-01-06,Active\n"
        + "E2,Ana,Petrova,ana@acme.test,ben@acme.test,Ranking,IC6,2021-03-01,Active\n"
        + "E3,Ben,Adeyemi,ben@acme.test,mira@acme.test,Ranking,IC4,2022-09-12,Terminated\n"
        + "E4,Dev,Raman,dev@acme.test,mira@acme.test,Ranking,IC3,2026-11-02,Active\n"
    )
    result = planned(changed, hr)
    assert [c.name for c in result.new] == ["Dev Raman"]
    (ana,) = result.changed
    assert ana.fields == {"level_code": ("IC5", "IC6")}
    assert ana.manager[0].email == "mira@acme.test"
    (ben,) = result.deactivated
    assert ben.name == "Ben Adeyemi"
    assert result.unchanged == 1


def test_someone_missing_from_the_file_is_deactivated_and_keeps_their_assessment(hr, cycle, on_ic5):
    applied(BASE, hr)
    ben = User.objects.get(email="ben@acme.test")
    ben.track, ben.level_code = on_ic5.track, "IC5"
    ben.save()
    from assessments.services import start_assessment

    start_assessment(cycle=cycle, engineer=ben)
    UserFactory(username="typed-in")  # no employee id: never touched by an import
    from django.test import Client

    from ladder.models import UserSession

    browser = Client()
    browser.force_login(ben)
    assert UserSession.objects.filter(user_id=ben.pk).exists()
    without_ben = "\n".join(line for line in BASE.splitlines() if "E3" not in line) + "\n"
    result = applied(without_ben, hr)
    assert [c.name for c in result.deactivated] == ["Ben Adeyemi"]
    ben.refresh_from_db()
    assert not ben.is_active
    # Signed out everywhere, there and then.
    assert not UserSession.objects.filter(user_id=ben.pk).exists()
    assert browser.get("/").status_code == 302
    assert Assessment.objects.filter(engineer=ben).exists()
    assert User.objects.get(username="typed-in").is_active


def test_problems_are_named_by_row_and_nothing_changes(hr):
    bad = (
        HEADER
        + "E1,Mira,Okafor,mira@acme.test,ana@acme.test,Ranking,M2,2020-01-06,Active\n"
        + "E2,Ana,Petrova,ana@acme.test,mira@acme.test,Ranking,IC5,06/03/2021,Active\n"
        + "E2,Ben,Adeyemi,not-an-address,nobody@acme.test,Ranking,IC4,2022-09-12,Maybe\n"
    )
    result = planned(bad, hr)
    text = "\n".join(result.errors)
    assert "Rows 2, 3 manage each other in a loop." in text
    assert "Row 3: the start date “06/03/2021” isn't a date" in text
    assert "Rows 3 and 4 have the same employee id, E2." in text
    assert "Row 4: “not-an-address” is not an e-mail address." in text
    assert "Row 4: the manager “nobody@acme.test” is nobody known." in text
    assert "Row 4: Active is “maybe”" in text
    with pytest.raises(ValueError, match="nothing was changed"):
        applied(bad, hr)
    assert User.objects.count() == 1


def test_a_file_that_deactivates_most_people_needs_confirming_with_the_numbers(hr):
    applied(BASE, hr)
    only_mira = "\n".join(BASE.splitlines()[:2]) + "\n"
    result = planned(only_mira, hr)
    assert result.needs_confirming == ["It deactivates 2 of 3 people (67%; more than 40%)."]
    with pytest.raises(ValueError, match="Confirm to apply"):
        applied(only_mira, hr)
    assert User.objects.filter(is_active=True).count() == 4
    applied(only_mira, hr, confirmed=True)
    assert User.objects.filter(is_active=True).count() == 2


def test_nobody_makes_themselves_a_manager_by_file(hr):
    hr.email = "hr@acme.test"
    hr.save()
    text = HEADER + "E9,Zoe,Ng,zoe@acme.test,hr@acme.test,Ranking,IC5,2024-01-01,Active\n"
    (error,) = planned(text, hr).errors
    assert "You can't make yourself Zoe Ng's manager" in error


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("utf-16"),
        lambda text: text.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf-8", "bom", "utf-16", "windows-crlf"],
)
def test_any_common_encoding_and_line_ending_reads_the_same(hr, encode):
    text = BASE.replace("Petrova", "Pétrova")
    sheet = org_chart.read(org_chart.decode(encode(text)))
    assert sheet.errors == []
    assert [r.last_name for r in sheet.rows] == ["Okafor", "Pétrova", "Adeyemi"]


def test_hostile_cells_are_refused_by_row_or_kept_as_text(hr):
    text = (
        HEADER
        + 'E1,=HYPERLINK("http://evil"),Okafor,mira@acme.test,,Ranking,M2,2020-01-06,Active\n'
        + f"E2,{'x' * 300},Petrova,ana@acme.test,,Ranking,IC5,2021-03-01,Active\n"
    )
    result = planned(text, hr)
    assert result.errors == ["Row 3: First name is over 254 characters."]
    assert result.new[0].row.first_name == '=HYPERLINK("http://evil")'  # stored as text
    # A megabyte in a cell: refused by row, or (under the csv module's own limit) unread.
    megabyte = HEADER + f"E2,{'x' * 1_000_000},P,ana@acme.test,,R,IC5,2021-03-01,Active\n"
    try:
        errors = org_chart.read(megabyte).errors
    except org_chart.FileProblem as problem:
        errors = [str(problem)]
    assert errors in (
        ["Row 2: First name is over 254 characters."],
        ["Row 2 can't be read: a cell is far too long, or a quote is never closed."],
    )


def test_too_many_rows_or_bytes_are_refused_before_anything_is_read(monkeypatch):
    monkeypatch.setattr(org_chart, "MOST_ROWS", 100)  # 50,000 in use; the same check
    rows = HEADER + "".join(
        f"E{n},A,B,p{n}@acme.test,,D,IC5,2020-01-01,Active\n" for n in range(101)
    )
    with pytest.raises(org_chart.FileProblem, match="101 people; at most 100 at once"):
        org_chart.read(rows)
    with pytest.raises(org_chart.FileProblem, match="over 20 MB"):
        org_chart.decode(b"x" * (org_chart.MOST_BYTES + 1))


def test_an_unrecognised_column_is_mapped_by_hand():
    text = "Matricule,Prénom,Nom,Courriel\nE1,Mira,Okafor,mira@acme.test\n"
    sheet = org_chart.read(text)
    assert "No column for E-mail" in sheet.errors[0]
    assert "Courriel" in sheet.unrecognised
    mapped = org_chart.read(
        text,
        {
            "email": "Courriel",
            "first_name": "Prénom",
            "last_name": "Nom",
            "employee_id": "Matricule",
        },
    )
    assert mapped.errors == []
    assert mapped.rows[0].email == "mira@acme.test"


def test_the_command_plans_then_applies(hr, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(BASE, encoding="utf-8")
    out = StringIO()
    call_command("import_people", str(path), "--as", "hr", stdout=out)
    assert "3 new, 0 changed, 0 deactivated" in out.getvalue()
    assert "A dry run" in out.getvalue()
    assert User.objects.count() == 1
    call_command("import_people", str(path), "--as", "hr", "--apply", stdout=StringIO())
    assert User.objects.count() == 4
    path.write_text(BASE.replace("mira@acme.test,Ranking,IC5", "nobody@x.test,Ranking,IC5"))
    with pytest.raises(CommandError, match="1 problems"):
        call_command("import_people", str(path), "--as", "hr", "--apply", stdout=StringIO())


# ---- in the browser's way: upload, report, confirm


def upload(client, text: str, name: str = "people.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(
        reverse("assessments:people-import"),
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
        follow=True,
    )


def confirm_form(html: str) -> dict:
    import re

    (digest,) = re.findall(r'name="digest" value="([0-9a-f]+)"', html)
    return {"digest": digest}


def test_upload_read_the_dry_run_then_apply_once(client, hr):
    from django.urls import reverse

    client.force_login(hr)
    page = upload(client, BASE)
    html = page.content.decode()
    assert "3 new · 0 changed · 0 deactivated · 0 unchanged" in html
    assert User.objects.count() == 1
    batch = page.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]
    url = reverse("assessments:people-import-confirm", args=[batch])
    waiting = client.post(url, confirm_form(html), follow=True).content.decode()
    # The worker applies it; the report follows, and looks again by itself.
    assert "Applying people.csv" in waiting
    assert 'http-equiv="refresh"' in waiting
    assert User.objects.count() == 1
    run_worker()
    done = client.get(page.redirect_chain[-1][0]).content.decode()
    assert "3 new, 0 changed, 0 deactivated" in done
    assert User.objects.count() == 4
    again = client.post(url, confirm_form(html), follow=True)
    assert "applied already" in again.content.decode()
    assert User.objects.count() == 4
    # A changed file shows exactly the change.
    changed = upload(client, BASE.replace("Ranking,IC4", "Ranking,IC5")).content.decode()
    assert "0 new · 1 changed · 0 deactivated · 2 unchanged" in changed
    assert "level code IC4 → IC5" in changed


def test_a_report_that_went_stale_is_not_applied(client, hr):
    client.force_login(hr)
    page = upload(client, BASE)
    html = page.content.decode()
    batch = page.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]
    UserFactory(username="mira-typed", email="mira@acme.test")  # someone matched meanwhile
    from django.urls import reverse

    url = reverse("assessments:people-import-confirm", args=[batch])
    client.post(url, confirm_form(html))
    run_worker()
    answer = client.get(page.redirect_chain[-1][0]).content.decode()
    assert "Not applied:" in answer
    assert "People changed since this report" in answer
    assert not User.objects.filter(email="ana@acme.test").exists()
    # Read again, the report can be confirmed as it now stands.
    assert PeopleImport.objects.get(pk=batch).status == "pending"
    assert confirm_form(answer)["digest"] != confirm_form(html)["digest"]


def test_a_file_that_cant_be_read_is_refused_on_the_upload_page(client, hr):
    client.force_login(hr)
    answer = upload(client, "")
    assert answer.status_code == 400
    assert "The submitted file is empty." in answer.content.decode()
    broken = upload(client, HEADER + 'E1,"Mira,Okafor,m@acme.test,,R,M2,,Active\n')
    assert broken.status_code == 400
    assert "a quote is never closed" in broken.content.decode()
    assert not PeopleImport.objects.exists()


def test_columns_are_chosen_by_hand_when_the_header_is_unclear(client, hr):
    from django.urls import reverse

    client.force_login(hr)
    page = upload(client, "Matricule,Nom complet,Courriel\nE1,Mira Okafor,mira@acme.test\n")
    html = page.content.decode()
    assert "No column for E-mail" in html
    batch = page.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]
    mapped = client.post(
        reverse("assessments:people-import-map", args=[batch]),
        {"email": "Courriel", "name": "Nom complet", "employee_id": "Matricule"},
        follow=True,
    ).content.decode()
    assert "1 new · 0 changed" in mapped
    assert "Mira Okafor" in mapped


def test_only_whoever_manages_people_loads_the_org_chart(client, manager, ladder_editor):
    from django.urls import reverse

    for person in (manager, ladder_editor):
        client.force_login(person)
        assert client.get(reverse("assessments:people-import")).status_code == 403


def test_a_column_the_file_lacks_leaves_that_field_alone(hr, on_ic5):
    applied(BASE, hr)
    ana = User.objects.get(email="ana@acme.test")
    ana.track = on_ic5.track
    ana.save()
    slim = (
        "Work Email,Name\nmira@acme.test,Mira Okafor\nana@acme.test,Ana Petrova\n"
        "ben@acme.test,Ben Adeyemi\n"
    )
    result = planned(slim, hr)
    assert (result.changed, result.deactivated) == ([], [])
    assert result.unchanged == 3
    applied(slim, hr)
    ana.refresh_from_db()
    assert (ana.track, ana.level_code, ana.manager.email) == (on_ic5.track, "IC5", "mira@acme.test")


def test_a_new_manager_who_is_unchanged_in_the_file_is_found(hr):
    applied(BASE, hr)
    moved = BASE.replace(
        "E2,Ana,Petrova,ana@acme.test,mira@acme.test", "E2,Ana,Petrova,ana@acme.test,ben@acme.test"
    )
    applied(moved, hr)
    ana = User.objects.get(email="ana@acme.test")
    assert ana.manager.email == "ben@acme.test"


def test_a_file_over_the_usual_request_limit_reaches_the_page(client, hr, settings):
    settings.REQUEST_MAX_BYTES = 100_000
    client.force_login(hr)
    filler = "x" * 150_000  # in a column nobody reads
    answer = upload(client, f"Work Email,Name,Notes\nzoe@acme.test,Zoe Ng,{filler}\n")
    assert answer.status_code != 413
    settings.IMPORT_REQUEST_MAX_BYTES = 120_000
    assert (
        upload(client, f"Work Email,Name,Notes\nzoe@acme.test,Zoe Ng,{filler}\n").status_code == 413
    )
