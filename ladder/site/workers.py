"""Background workers' heartbeats, and the jobs of workers that died mid-way.

Every standing worker (`manage.py db_worker`) writes its WorkerHeartbeat row every
WORKER_HEARTBEAT_SECONDS from a thread of its own, naming the queues it serves;
/health/workers/ reads the newest of each queue. On each
beat a worker also looks for jobs still marked running by a worker that has stopped
beating for WORKER_DEAD_AFTER_SECONDS (killed with -9, its machine gone): such a job
is queued again, once, and failed the second time, so that no job stays "running"
for ever. A job's own hook then tells the person waiting on it (packet PDFs).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from ladder.models import WorkerHeartbeat

log = logging.getLogger("ladder.worker")

# A job is run at most this many times; a worker dying under it each time fails it.
MAX_ATTEMPTS = 2
# Rows of workers gone for this long are deleted by the others' beats.
FORGET_AFTER = timedelta(days=1)
# What to call when a job is given up, by the job's task path: it receives the job's
# arguments and tells whoever waits on it.
ON_ABANDONED = {
    "assessments.packets.jobs.write_packets": "assessments.packets.jobs.abandoned",
}


class WorkerStopped(Exception):
    """The worker running a job stopped (killed or crashed) before it finished."""


def beat(worker_id: str, started_at, queues: str = "*") -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": now,
            "queues": queues[:200],
        },
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


def recover_abandoned() -> list[str]:
    """Queue again, or fail, the running jobs of workers that stopped beating."""
    now = timezone.now()
    dead_after = timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)
    live = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=now - dead_after).values_list(
            "worker_id", flat=True
        )
    )
    recovered = []
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - dead_after
    )
    for job in running:
        if job.worker_ids and job.worker_ids[-1] in live:
            continue
        again = len(job.worker_ids) < MAX_ATTEMPTS
        with transaction.atomic():
            # Conditional on the claim we saw: two workers sweeping take it once.
            mine = DBTaskResult.objects.filter(
                pk=job.pk, status=TaskResultStatus.RUNNING, started_at=job.started_at
            )
            if again:
                taken = mine.update(status=TaskResultStatus.READY, run_after=now)
            else:
                taken = mine.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=f"{__name__}.{WorkerStopped.__qualname__}",
                    traceback=(
                        f"The worker running this job stopped {len(job.worker_ids)} times "
                        "before it finished (killed, or its machine went away)."
                    ),
                )
                hook = ON_ABANDONED.get(job.task_path)
                if taken and hook:
                    import_string(hook)(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
        if taken:
            what = "queued again" if again else "failed"
            log.warning("Job %s (%s) of a stopped worker %s.", job.pk, job.task_path, what)
            recovered.append(f"{job.pk} {what}")
    return recovered


def keep_beating(worker_id: str, stop: threading.Event, queues: str = "*") -> None:
    """A worker's heartbeat thread: beat, look for abandoned jobs, wait; until stop."""
    started_at = timezone.now()
    try:
        while True:
            try:
                beat(worker_id, started_at, queues)
            except DatabaseError:
                # The database is away (a restart, a failover): the worker's own loop
                # reports that; the beat resumes when the database is back.
                log.warning("Heartbeat not written: the database didn't answer.")
            except Exception:
                # Whatever it was, the thread must live on: a worker that stops beating
                # is taken for dead and its jobs are run again elsewhere.
                log.exception("Heartbeat not written.")
            try:
                recover_abandoned()
            except Exception:
                log.exception("Looking for the jobs of stopped workers failed.")
            finally:
                close_old_connections()
            if stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                return
    finally:
        connection.close()
