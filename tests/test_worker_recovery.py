"""A job whose worker dies under it is queued again, once, then failed: never "running" for ever.

The unit tests set the rows up by hand; the last one kills a real worker (kill -9) while
it writes a batch of packet PDFs, starts another, as a supervisor would, and watches the
job finish.
"""

import json
import os
import signal
import time
from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import PacketJob
from assessments.packets.jobs import write_packets
from ladder.models import WorkerHeartbeat
from ladder.site.workers import recover_abandoned
from loadtest.stack import Stack
from tests.assessments.conftest import make_cycle
from tests.factories import UserFactory, level_doc, make_framework
from tests.test_backup_restore import Database

pytestmark = pytest.mark.django_db


@pytest.fixture
def packet_job(db):
    framework = make_framework(level_doc("IC5"))
    job = PacketJob.objects.create(
        cycle=make_cycle(framework),
        requested_by=UserFactory(username="asker"),
        scope=PacketJob.Scope.CYCLE,
        status=PacketJob.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    write_packets.enqueue(job.pk)
    return job


def running(workers: list[str], minutes_ago: float = 10) -> DBTaskResult:
    result = DBTaskResult.objects.get()
    started = timezone.now() - timedelta(minutes=minutes_ago)
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=workers, started_at=started
    )
    return result


def beat(worker_id: str, seconds_ago: float) -> None:
    when = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, host="h", pid=1, started_at=when, beat_at=when
    )


def test_the_job_of_a_worker_that_stopped_beating_is_queued_again(packet_job):
    result = running(["gone"])
    beat("gone", seconds_ago=600)
    assert recover_abandoned() == [f"{result.pk} queued again"]
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=result.pk).exists()


def test_the_job_of_a_worker_still_beating_is_left_alone(packet_job):
    result = running(["alive"])
    beat("alive", seconds_ago=2)
    assert recover_abandoned() == []
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING


def test_a_job_just_claimed_is_left_alone_even_before_its_worker_beats(packet_job):
    result = running(["new"], minutes_ago=0)
    assert recover_abandoned() == []
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING


def test_the_second_time_the_job_fails_and_the_person_is_told(packet_job):
    result = running(["gone", "gone-too"])
    assert recover_abandoned() == [f"{result.pk} failed"]
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert "stopped 2 times" in result.traceback
    packet_job.refresh_from_db()
    assert packet_job.status == PacketJob.Status.FAILED
    assert "the worker stopped twice" in packet_job.error


PEOPLE = 15
SEED = """
from django.contrib.auth.models import Group
from assessments import workflow
from assessments.models import PacketJob
from assessments.packets.jobs import write_packets
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.factories import UserFactory, level_doc, make_framework
framework = make_framework(level_doc("IC5", "Staff Engineer", responsibilities=2, behaviours=2))
level = framework.levels.get()
cycle = make_cycle(framework)
calibrator = UserFactory(username="calibrator")
committee = Group.objects.create(name="Committee")
committee.user_set.add(calibrator)
cycle.calibrators = committee
cycle.save()
manager = UserFactory(username="manager")
for n in range({people}):
    person = UserFactory(username=f"p{{n}}", manager=manager, track=level.track, level_code="IC5")
    assessment = start_assessment(cycle=cycle, engineer=person)
    answer_all(assessment)
    workflow.submit(assessment, by=person)
    review_all(assessment, manager)
job = PacketJob.objects.create(cycle=cycle, requested_by=calibrator, scope="cycle")
write_packets.enqueue(job.pk)
print(job.pk)
"""


@pytest.mark.django_db(False)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="real workers against PostgreSQL, as in production: the suite's PostgreSQL pass",
)
def test_a_worker_killed_mid_batch_leaves_a_job_that_another_finishes(tmp_path):
    fast = {
        "WORKER_HEARTBEAT_SECONDS": "1",
        "PACKET_JOB_STALE_SECONDS": "2",
        "WORKER_DEAD_AFTER_SECONDS": "5",
    }
    with Stack(tmp_path, servers=0, worker=False, extra_env=fast) as stack:
        job_id = int(stack.manage("shell", "-c", SEED.format(people=PEOPLE)).split()[-1])
        database = Database(stack.database_url)
        m = database.mark

        def job() -> tuple[str, int]:
            return database.query(
                f"SELECT status, done FROM assessments_packetjob WHERE id = {m}", (job_id,)
            )[0]

        stack.start_worker()
        deadline = time.monotonic() + 120
        while job()[1] < 2:  # a few packets written: well under way
            assert time.monotonic() < deadline, f"the job never got going: {job()}"
            time.sleep(0.2)
        os.kill(stack.worker.pid, signal.SIGKILL)
        stack.worker.wait()
        status, done = job()
        assert status == "running"
        assert done < PEOPLE
        stack.start_worker()  # as systemd would
        deadline = time.monotonic() + 90
        while job()[0] == "running" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert job() == ("done", PEOPLE)

        def task_rows() -> list[tuple]:
            return database.query(
                "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
                f" WHERE task_path = {m}",
                ("assessments.packets.jobs.write_packets",),
            )

        # The worker records the task's end just after the task marks its job done.
        deadline = time.monotonic() + 30
        while task_rows()[0][0] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.2)
        tasks = task_rows()
        database.close()
    [(status, workers)] = tasks
    assert status == "SUCCESSFUL"
    # Claimed by the killed worker, then by the second: run twice, written once.
    assert len(workers if isinstance(workers, list) else json.loads(workers)) == 2
