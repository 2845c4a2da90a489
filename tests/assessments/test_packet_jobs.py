"""Many packets as one PDF: asking for them, the background job, its progress page, its file."""

import io
import threading
import time
from datetime import timedelta
from html import escape as html_escape

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from assessments import workflow
from assessments.models import PacketJob
from assessments.packets.jobs import write_packets
from assessments.permissions import LARGEST_ID
from assessments.services import start_assessment
from assessments.tasks import notify
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.assessments.test_packets import A4, LETTER, page_sizes, pdf_pages
from tests.factories import UserFactory, level_doc, make_framework

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
Status = PacketJob.Status


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def batch_url(cycle_id) -> str:
    return reverse("assessments:packet-batch", args=[cycle_id])


def job_url(job) -> str:
    return reverse("assessments:packet-job", args=[job.pk])


def file_url(job) -> str:
    return reverse("assessments:packet-job-file", args=[job.pk])


def reviewed_for(person, reviewer, cycle, level):
    """The person's assessment in the cycle, answered, submitted to `reviewer` and reviewed."""
    person.manager, person.track, person.level_code = reviewer, level.track, level.code
    person.save(update_fields=["manager", "track", "level_code"])
    assessment = start_assessment(cycle=cycle, engineer=person)
    answer_all(assessment)
    workflow.submit(assessment, by=person)
    review_all(assessment, reviewer)
    return assessment


@pytest.fixture
def team(reviewed, peer, manager, cycle, ic5):
    """Two reviewed assessments, both reviewed by the manager."""
    return [reviewed, reviewed_for(peer, manager, cycle, ic5)]


def packet_jobs(results) -> list:
    """The packet jobs among the background jobs run (submitting and reviewing queue e-mails)."""
    return [r for r in results if r.task_path == "assessments.packets.jobs.write_packets"]


def ask(client, cycle, **data):
    return client.post(batch_url(cycle.pk), {"paper": "a4", **data})


# ---- asking


def test_a_manager_gets_their_teams_packets_as_one_pdf(
    client, manager, team, cycle, run_jobs, tmp_path
):
    client.force_login(manager)
    response = ask(client, cycle, scope="team")
    job = PacketJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert (job.status, job.scope, job.requested_by, job.cycle) == (
        Status.QUEUED,
        "team",
        manager,
        cycle,
    )
    assert "0 of 2 packets" in client.get(job_url(job)).content.decode()
    (result,) = packet_jobs(run_jobs())
    assert result.status == "SUCCESSFUL"
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.error) == (Status.DONE, 2, 2, "")
    assert job.started_at <= job.heartbeat_at <= job.finished_at
    assert job.file.name.startswith("packets/")
    response = client.get(file_url(job))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="calibration-packets-2026-h2-review-my-team.pdf"'
    )
    pdf = b"".join(response.streaming_content)
    contents, *pages = pdf_pages(pdf, tmp_path)
    # Each packet keeps its own page numbers and its engineer's name on every page.
    firsts = [page for page in pages if "Page 1 of" in page]
    assert len(firsts) == 2
    names = {str(a.engineer) for a in team}
    assert {page.splitlines()[0] for page in pages} == names
    # A contents page first, in name order, with the page each packet starts on; and a
    # bookmark per person.
    ordered = sorted(team, key=lambda a: (a.engineer.last_name, a.engineer.first_name))
    starts = [1 + pages.index(page) + 1 for page in firsts]
    assert "Contents" in contents
    words = " ".join(contents.split())
    for assessment in ordered:
        assert f"{assessment.engineer} " in words
    assert [words.index(str(a.engineer)) for a in ordered] == sorted(
        words.index(str(a.engineer)) for a in ordered
    )
    reader = PdfReader(io.BytesIO(pdf))
    marks = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    assert marks == [(str(a.engineer), s - 1) for a, s in zip(ordered, starts, strict=True)]
    assert f"{starts[-1]}" in contents.split()


def test_a_calibrator_gets_a_level_without_their_own_packet(
    client, calibrator, calibrators, reviewed, other_manager, cycle, ic5, run_jobs, tmp_path
):
    own = reviewed_for(calibrator, other_manager, cycle, ic5)
    client.force_login(calibrator)
    assert ask(client, cycle, scope="level", level=str(ic5.pk)).status_code == 302
    job = PacketJob.objects.get()
    assert job.level == ic5
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.total) == (Status.DONE, 1)
    with job.file.open("rb") as handle:
        _contents, *pages = pdf_pages(handle.read(), tmp_path)
    headers = {page.splitlines()[0] for page in pages}
    assert headers == {str(reviewed.engineer)}
    assert str(own.engineer) not in "".join(pages)


def test_a_calibrators_own_assessment_is_no_packet_of_theirs(
    client, calibrator, calibrators, other_manager, cycle, ic5
):
    reviewed_for(calibrator, other_manager, cycle, ic5)
    client.force_login(calibrator)
    for scope in ("level", "cycle"):
        response = ask(client, cycle, scope=scope, level=str(ic5.pk))
        assert response.status_code == 400
        assert "(besides you" in response.content.decode()
    assert not PacketJob.objects.exists()


def test_a_calibrator_gets_the_whole_cycle(client, calibrator, calibrators, team, cycle, run_jobs):
    client.force_login(calibrator)
    assert ask(client, cycle, scope="cycle").status_code == 302
    run_jobs()
    job = PacketJob.objects.get()
    assert (job.scope, job.status, job.total) == ("cycle", Status.DONE, 2)


@pytest.mark.parametrize("scope", ["level", "cycle"])
def test_only_the_committee_asks_for_a_level_or_the_cycle(client, manager, team, cycle, ic5, scope):
    client.force_login(manager)
    response = ask(client, cycle, scope=scope, level=str(ic5.pk))
    assert response.status_code == 403
    assert "calibration committee" in response.content.decode()
    assert not PacketJob.objects.exists()


def test_someone_who_reviewed_nothing_is_told_their_team_has_no_packets(
    client, engineer, team, cycle
):
    client.force_login(engineer)
    response = ask(client, cycle, scope="team")
    assert response.status_code == 400
    assert "None of the assessments you review in this cycle is reviewed yet" in (
        response.content.decode()
    )
    assert not PacketJob.objects.exists()


def test_a_level_with_no_reviewed_assessment_is_refused(
    client, calibrator, calibrators, submitted, cycle, ic5
):
    client.force_login(calibrator)
    response = ask(client, cycle, scope="level", level=str(ic5.pk))
    assert response.status_code == 400
    assert "No one at IC5 has a reviewed assessment in this cycle yet" in response.content.decode()
    assert not PacketJob.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"scope": "everyone"},
        {"scope": ""},
        {"scope": "level"},
        {"scope": "level", "level": "IC5"},
        {"scope": "level", "level": str(LARGEST_ID + 1)},
        {"scope": "level", "level": "other framework"},
    ],
)
def test_a_scope_or_level_that_makes_no_sense_is_refused(
    client, calibrator, calibrators, team, cycle, data
):
    if data.get("level") == "other framework":
        other = make_framework(level_doc("IC5"), name="Elsewhere")
        data = {**data, "level": str(other.levels.get().pk)}
    client.force_login(calibrator)
    response = ask(client, cycle, **data)
    assert response.status_code == 400
    assert not PacketJob.objects.exists()


def test_asking_needs_a_sign_in_and_a_real_cycle(client, manager, team, cycle):
    response = ask(client, cycle, scope="team")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(manager)
    for cycle_id in (cycle.pk + 1000, LARGEST_ID, LARGEST_ID + 1):
        assert client.post(batch_url(cycle_id), {"scope": "team"}).status_code == 404
    assert client.get(batch_url(cycle.pk)).status_code == 405
    assert not PacketJob.objects.exists()


# ---- the progress page


@pytest.fixture
def job(manager, cycle, team):
    """The manager's team job, queued as the view queues it."""
    job = PacketJob.objects.create(cycle=cycle, requested_by=manager, scope="team")
    write_packets.enqueue(job.pk)
    return job


def test_the_job_page_shows_progress_and_polls_until_the_job_ends(client, manager, job):
    PacketJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, done=12, total=40, heartbeat_at=timezone.now()
    )
    client.force_login(manager)
    html = client.get(job_url(job)).content.decode()
    assert '<progress max="40" value="12" aria-labelledby="job-count">30%</progress>' in html
    assert "12 of 40 packets" in html
    assert f'hx-get="{job_url(job)}" hx-trigger="every 2s" hx-swap="outerHTML"' in html
    assert f'<a href="{job_url(job)}">Refresh</a>' in html  # without script
    assert "You can close this page" in html
    assert 'http-equiv="refresh"' not in html
    assert "htmx" in html  # the script that polls, served from our own static files


def test_htmx_gets_the_status_alone(client, manager, job):
    client.force_login(manager)
    response = client.get(job_url(job), **HTMX)
    html = response.content.decode()
    assert html.strip().startswith('<div class="job-status" id="job-status" hx-get=')
    assert "<html" not in html
    assert "Waiting for the background worker" in html


def test_a_finished_job_stops_polling_and_offers_its_file(client, manager, job, run_jobs):
    run_jobs()
    client.force_login(manager)
    for response in (client.get(job_url(job)), client.get(job_url(job), **HTMX)):
        html = response.content.decode()
        assert "hx-trigger" not in html
        assert "2 of 2 packets" in html
        assert f'href="{file_url(job)}">Download the PDF</a>' in html


def test_a_job_that_fails_says_why_and_stops_polling(
    client, manager, job, run_jobs, settings, tmp_path
):
    # Where the files go is a file, not a folder: storing the PDF fails.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked
    (result,) = packet_jobs(run_jobs())
    assert result.status == "FAILED"
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == (
        "The PDF could not be stored. Try again later; if it keeps failing, tell your admin."
    )
    assert job.finished_at is not None
    client.force_login(manager)
    html = client.get(job_url(job)).content.decode()
    assert "hx-trigger" not in html
    assert job.error in html
    assert client.get(file_url(job)).status_code == 404


def test_a_job_leaves_out_packets_that_are_no_longer_reviewed(manager, job, team, run_jobs):
    workflow.reopen_review(team[1], by=manager)
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (Status.DONE, 1, 1)


def test_a_job_whose_scope_emptied_fails_with_a_reason(manager, job, team, run_jobs):
    for assessment in team:
        workflow.reopen_review(assessment, by=manager)
    run_jobs()
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == "There are no reviewed assessments in this scope any more."


def test_a_job_for_someone_who_left_the_committee_writes_nothing(
    client, calibrator, calibrators, team, cycle, run_jobs
):
    client.force_login(calibrator)
    ask(client, cycle, scope="cycle")
    calibrators.user_set.remove(calibrator)
    run_jobs()
    job = PacketJob.objects.get()
    assert (job.status, job.error) == (
        Status.FAILED,
        "You can no longer download the packets of this scope.",
    )
    assert not job.file


def test_running_a_job_twice_writes_its_file_once(manager, job, run_jobs, settings):
    write_packets.enqueue(job.pk)  # a second time, as a double submission would
    results = packet_jobs(run_jobs())
    assert sorted(r.return_value for r in results) == ["done", "skipped"]
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (Status.DONE, 2, 2)
    written = sorted((settings.MEDIA_ROOT / "packets").iterdir())
    assert [path.name for path in written] == [job.file.name.removeprefix("packets/")]
    before = written[0].stat().st_mtime_ns
    assert write_packets.call(job.pk) == "skipped"
    assert written[0].stat().st_mtime_ns == before


def test_a_job_whose_worker_stopped_is_taken_over(manager, job, run_jobs, settings):
    stopped = timezone.now() - timedelta(hours=1)
    PacketJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, done=1, total=2, heartbeat_at=stopped
    )
    assert write_packets.call(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (Status.DONE, 2, 2)
    # A live worker's job is left alone.
    PacketJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, heartbeat_at=timezone.now())
    assert write_packets.call(job.pk) == "skipped"


def test_the_page_says_when_a_job_has_stalled(client, manager, job):
    PacketJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, done=3, total=9, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(manager)
    html = client.get(job_url(job)).content.decode()
    assert "its worker was probably interrupted. Ladder starts it again" in html
    assert 'hx-trigger="every 10s"' in html  # still followed, less often


# ---- who may read a job


@pytest.mark.parametrize("what", [job_url, file_url])
def test_only_the_person_who_asked_reads_the_job_and_its_file(
    client, manager, job, run_jobs, engineer, peer, calibrator, calibrators, admin_user, what
):
    run_jobs()
    url = what(job)
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    for person in (engineer, peer, calibrator, admin_user, UserFactory(username="someone")):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_the_file_is_not_found_until_the_job_is_done(client, manager, job):
    client.force_login(manager)
    assert client.get(file_url(job)).status_code == 404
    PacketJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    assert client.get(file_url(job)).status_code == 404


def test_job_ids_beyond_any_row_are_not_found(client, manager):
    client.force_login(manager)
    for job_id in (LARGEST_ID, LARGEST_ID + 1, 10**30):
        assert client.get(reverse("assessments:packet-job", args=[job_id])).status_code == 404
        assert client.get(reverse("assessments:packet-job-file", args=[job_id])).status_code == 404


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("letter", LETTER), ("legal", A4)])
def test_the_packets_are_laid_out_on_the_paper_asked_for(
    client, manager, team, cycle, run_jobs, tmp_path, paper, size
):
    client.force_login(manager)
    ask(client, cycle, scope="team", paper=paper)
    run_jobs()
    job = PacketJob.objects.get()
    with job.file.open("rb") as handle:
        assert set(page_sizes(handle.read(), tmp_path)) == {size}


def test_a_new_level_in_another_cycle_is_not_mixed_in(
    client, calibrator, calibrators, team, cycle, run_jobs
):
    framework = make_framework(level_doc("IC5"), name="Other ladder")
    other = make_cycle(framework, name="Other cycle")
    someone = UserFactory(username="elsewhere")
    reviewed_for(someone, UserFactory(username="their-manager"), other, framework.levels.get())
    client.force_login(calibrator)
    ask(client, cycle, scope="cycle")
    run_jobs()
    assert PacketJob.objects.get().total == 2


def test_a_file_closes_when_its_asker_leaves_the_committee(
    client, calibrator, calibrators, reviewed, run_jobs
):
    client.force_login(calibrator)
    client.post(reverse("assessments:packet-batch", args=[reviewed.cycle_id]), {"scope": "cycle"})
    run_jobs()
    job = PacketJob.objects.get()
    assert job.included == [reviewed.pk]
    url = reverse("assessments:packet-job-file", args=[job.pk])
    assert client.get(url).status_code == 200
    calibrators.user_set.remove(calibrator)
    client.force_login(calibrator)
    assert client.get(url).status_code == 404


def test_a_file_closes_when_a_review_in_it_moves_to_someone_else(
    client, manager, other_manager, reviewed, run_jobs
):
    client.force_login(manager)
    client.post(reverse("assessments:packet-batch", args=[reviewed.cycle_id]), {"scope": "team"})
    run_jobs()
    url = reverse("assessments:packet-job-file", args=[PacketJob.objects.get().pk])
    assert client.get(url).status_code == 200
    type(reviewed).objects.filter(pk=reviewed.pk).update(reviewer=other_manager)
    assert client.get(url).status_code == 404


# ---- one unfinished job per person and scope


def packet_tasks() -> list:
    return list(DBTaskResult.objects.filter(task_path=write_packets.module_path))


def test_asking_again_for_the_same_packets_joins_the_job_under_way(
    client, manager, team, cycle, django_assert_num_queries
):
    client.force_login(manager)
    first = ask(client, cycle, scope="team")
    job = PacketJob.objects.get()
    # Session with its person, cycle, the unfinished job, whether its task still waits: no count
    # of the scope, no insert.
    with django_assert_num_queries(4):
        again = ask(client, cycle, scope="team", paper="letter")
    assert first["Location"] == again["Location"] == job_url(job)
    assert PacketJob.objects.get() == job
    assert len(packet_tasks()) == 1


@pytest.mark.parametrize("scope", ["team", "level", "cycle"])
def test_other_packets_of_the_same_scope_wait_until_the_first_are_written(
    client, calibrator, calibrators, manager, team, cycle, ic5, run_jobs, scope
):
    person = manager if scope == "team" else calibrator
    later = make_cycle(ic5.framework, name="2027 H1 review", calibrators=calibrators)
    reviewed_for(UserFactory(username="newcomer"), manager, later, ic5)
    client.force_login(person)
    ask(client, cycle, scope=scope, level=str(ic5.pk))
    job = PacketJob.objects.get()
    before = [r.pk for r in packet_tasks()]

    response = ask(client, later, scope=scope, level=str(ic5.pk))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your other packets are still being written" in html
    assert f"for the packets of {html_escape(job_what(job))} in 2026 H2 review" in html
    assert f'href="{job_url(job)}">Follow the packets under way</a>' in html
    assert list(PacketJob.objects.all()) == [job]
    assert [r.pk for r in packet_tasks()] == before
    assert PacketJob.objects.get().status == Status.QUEUED

    run_jobs()
    assert ask(client, later, scope=scope, level=str(ic5.pk)).status_code == 302
    assert PacketJob.objects.filter(cycle=later, status=Status.QUEUED).count() == 1


def job_what(job) -> str:
    if job.scope == "level":
        return f"everyone at {job.level.code} {job.level.title}"
    if job.scope == "team":
        return "the assessments you reviewed"
    return "every reviewed assessment in the cycle"


def test_the_database_holds_one_unfinished_job_per_person_and_scope(manager, cycle, job):
    with pytest.raises(IntegrityError), transaction.atomic():
        PacketJob.objects.create(cycle=cycle, requested_by=manager, scope="team")
    # Another scope has a place of its own; a finished job holds none.
    PacketJob.objects.create(cycle=cycle, requested_by=manager, scope="cycle")
    for status in (Status.DONE, Status.FAILED):
        PacketJob.objects.filter(pk=job.pk).update(status=status)
        PacketJob.objects.create(cycle=cycle, requested_by=manager, scope="team", status=status)
    PacketJob.objects.create(cycle=cycle, requested_by=manager, scope="team")


def test_a_job_whose_task_ended_without_it_no_longer_holds_the_place(client, manager, job, cycle):
    # Its task ended (failed) but the job still says running: nothing will finish it.
    PacketJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, heartbeat_at=timezone.now())
    DBTaskResult.objects.update(status=TaskResultStatus.FAILED, finished_at=timezone.now())
    client.force_login(manager)
    response = ask(client, cycle, scope="team")
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == (
        "The packets could not be written: the job stopped before it finished. Ask again."
    )
    fresh = PacketJob.objects.get(status=Status.QUEUED)
    assert response["Location"] == job_url(fresh)


def test_a_job_whose_worker_is_stopped_mid_way_says_so_and_frees_the_place(
    manager, job, run_jobs, monkeypatch
):
    # A second Ctrl+C or SIGTERM to the worker raises SystemExit in the task.
    def stopped(*args, **kwargs):
        raise SystemExit(1)

    monkeypatch.setattr("assessments.packets.jobs.render_document", stopped)
    (result,) = packet_jobs(run_jobs())
    assert result.status == "FAILED"
    job.refresh_from_db()
    assert (job.status, job.error) == (
        Status.FAILED,
        "The packets could not be written: their worker was stopped. Ask again.",
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite takes one write lock for the whole database, so writers cannot interleave",
)
@pytest.mark.parametrize("same", [True, False])
def test_two_requests_at_the_same_moment_queue_one_job(client, manager, team, cycle, ic5, same):
    """The other request's job is written but not committed when this one looks: this one's
    insert waits for it, then meets the constraint, and joins it or is refused."""
    other_cycle = cycle if same else make_cycle(ic5.framework, name="2027 H1 review")
    written, outcome = threading.Event(), {}

    def other_request():
        with transaction.atomic():
            job = PacketJob.objects.create(cycle=other_cycle, requested_by=manager, scope="team")
            write_packets.enqueue(job.pk)
            outcome["job"] = job
            written.set()
            time.sleep(0.5)
        connection.close()

    thread = threading.Thread(target=other_request)
    thread.start()
    assert written.wait(timeout=10)
    client.force_login(manager)
    response = ask(client, cycle, scope="team")
    thread.join(timeout=10)
    job = outcome["job"]
    assert list(PacketJob.objects.all()) == [job]
    assert len(packet_tasks()) == 1
    if same:
        assert response["Location"] == job_url(job)
    else:
        assert response.status_code == 409
        assert f'href="{job_url(job)}"' in response.content.decode()


# ---- a queue of their own


def test_an_email_queued_after_packets_is_sent_while_the_packets_wait(
    client, manager, team, cycle, run_jobs, mailoutbox
):
    run_jobs()  # the e-mails of submitting and reviewing the team
    mailoutbox.clear()
    client.force_login(manager)
    ask(client, cycle, scope="team")
    notify.enqueue("review_finished", team[0].pk)

    sent = run_jobs("default")  # the e-mail worker: db_worker --queue-name default
    assert [r.task_path for r in sent] == ["assessments.tasks.notify"]
    assert len(mailoutbox) == 1
    job = PacketJob.objects.get()
    assert job.status == Status.QUEUED
    (waiting,) = packet_tasks()
    assert (waiting.status, waiting.queue_name) == (TaskResultStatus.READY, "packets")

    (written,) = run_jobs("packets")
    assert written.status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_a_worker_for_a_queue_that_does_not_exist_is_refused():
    with pytest.raises(CommandError, match="No queue named packet: the queues are default, "):
        call_command("db_worker", "--batch", "--queue-name", "packet")
    with pytest.raises(CommandError, match="No queue named mail"):
        call_command("db_worker", "--batch", "--queue-name", "*", "--exclude-queues", "mail")


@pytest.mark.django_db(transaction=True)
def test_the_migration_leaves_one_unfinished_job_per_person_and_scope(manager, calibrator, cycle):
    """Jobs queued before the rule (15 of one person's, say) must not stop the upgrade."""
    before = [("assessments", "0004_reviewers_fixed_and_packet_contents")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        OldJob = executor.loader.project_state(before).apps.get_model("assessments", "PacketJob")
        start = timezone.now() - timedelta(hours=1)

        def old_job(person, scope, minutes, status="queued"):
            when = start + timedelta(minutes=minutes)
            job = OldJob.objects.create(
                cycle_id=cycle.pk,
                requested_by_id=person.pk,
                scope=scope,
                status=status,
                created_at=when,
            )
            return job.pk

        queued = [old_job(manager, "team", minutes) for minutes in (1, 2, 3)]
        running = old_job(manager, "team", 4, status="running")
        first, second = old_job(calibrator, "cycle", 5), old_job(calibrator, "cycle", 6)
        done = old_job(calibrator, "cycle", 0, status="done")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    statuses = dict(PacketJob.objects.values_list("pk", "status"))
    # The one furthest along stays: the running one, else the first asked.
    assert [statuses[pk] for pk in queued] == [Status.FAILED] * 3
    assert (statuses[running], statuses[first], statuses[second]) == (
        Status.RUNNING,
        Status.QUEUED,
        Status.FAILED,
    )
    assert statuses[done] == Status.DONE
    assert "Ladder now writes one at a time" in PacketJob.objects.get(pk=second).error


# ---- the task's path, kept with every queued job

OLD_TASK_PATH = "assessments.packet_tasks.write_packets"


def task_paths() -> dict[str, str]:
    """Every queued job's task path, by its id as TaskResult.id writes it."""
    return {str(pk): path for pk, path in DBTaskResult.objects.values_list("pk", "task_path")}


@pytest.mark.django_db(transaction=True)
def test_jobs_queued_before_the_task_moved_run_under_its_new_path(manager, team, cycle, run_jobs):
    """The queue keeps each job's task as an import path: a job queued by the code before
    the task moved (from assessments/packet_tasks.py) names a module that is gone."""
    with pytest.raises(ImportError):
        import_string(OLD_TASK_PATH)
    before = [("assessments", "0006_review_access_granted_on_the_record")]

    def queued_by_the_old_code(status, job_status=Status.QUEUED, scope="team") -> str:
        job = PacketJob.objects.create(
            cycle=cycle, requested_by=manager, scope=scope, status=job_status
        )
        result = write_packets.enqueue(job.pk, "a4")
        DBTaskResult.objects.filter(pk=result.id).update(task_path=OLD_TASK_PATH, status=status)
        return result.id

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        waiting = queued_by_the_old_code(TaskResultStatus.READY)
        running = queued_by_the_old_code(TaskResultStatus.RUNNING, Status.RUNNING, "cycle")
        ran = queued_by_the_old_code(TaskResultStatus.SUCCESSFUL, Status.DONE)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    paths = task_paths()
    new_path = "assessments.packets.jobs.write_packets"
    assert new_path == write_packets.module_path
    # Jobs still to run or running name the task where it is; finished ones keep their history.
    assert (paths[waiting], paths[running], paths[ran]) == (new_path, new_path, OLD_TASK_PATH)
    # The e-mails of submitting and reviewing the team are no packet jobs: left alone.
    others = {path for pk, path in paths.items() if pk not in {waiting, running, ran}}
    assert others == {"assessments.tasks.notify"}
    assert import_string(paths[waiting]) is write_packets

    # The packet worker runs it as it would any job queued by the code of now.
    (written,) = run_jobs("packets")
    assert (str(written.pk), written.status) == (waiting, TaskResultStatus.SUCCESSFUL)
    assert PacketJob.objects.get(status=Status.DONE, file__endswith=".pdf")

    # Back to the code before the move: the job still running names the old path again.
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        paths = task_paths()
        assert (paths[waiting], paths[running], paths[ran]) == (
            new_path,  # finished in the meantime: history
            OLD_TASK_PATH,
            OLD_TASK_PATH,
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_job_can_be_found_again_from_the_pages_that_ask_for_one(
    client, manager, team, cycle, calibrator, calibrators
):
    client.force_login(manager)
    team_page = client.get(reverse("assessments:team")).content.decode()
    assert "2 packets, one per finished review, in name order" in team_page
    assert "Your recent packet PDFs" not in team_page
    ask(client, cycle, scope="team")
    job = PacketJob.objects.get()
    for url in (reverse("assessments:team"), reverse("assessments:packet", args=[team[0].pk])):
        page = client.get(url).content.decode()
        assert "Your recent packet PDFs" in page
        assert f'href="{job_url(job)}">The packets of the assessments you reviewed</a>' in page
    # Somebody else's jobs are not listed for them.
    client.force_login(calibrator)
    page = client.get(reverse("assessments:calibration", args=[cycle.pk])).content.decode()
    assert job_url(job) not in page
