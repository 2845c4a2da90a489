"""django-tasks-db's worker, with a heartbeat that /health/ reads.

The same command and options as the library's `db_worker`; besides running jobs, the
worker writes its WorkerHeartbeat row every HEARTBEAT_SECONDS from a thread of its own.
A `--batch` run, which empties the queue and exits, is not a standing worker and
doesn't beat.
"""

import logging
import os
import socket
import threading

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand

from ladder.models import WorkerHeartbeat

log = logging.getLogger("ladder.worker")

HEARTBEAT_SECONDS = 5
# Rows of workers gone for this long are deleted by the others' beats.
FORGET_AFTER = timezone.timedelta(days=1)


def beat(worker_id: str, started_at) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": now,
        },
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


def keep_beating(worker_id: str, stop: threading.Event) -> None:
    started_at = timezone.now()
    try:
        while True:
            try:
                beat(worker_id, started_at)
            except DatabaseError:
                # The database is away (a restart, a failover): the worker's own loop
                # reports that; the beat resumes when the database is back.
                log.warning("Heartbeat not written: the database didn't answer.")
            finally:
                close_old_connections()
            if stop.wait(HEARTBEAT_SECONDS):
                return
    finally:
        connection.close()


class Command(LibraryCommand):
    help = f"{LibraryCommand.help}, writing a heartbeat for /health/ every few seconds."

    def handle(self, *args, worker_id: str, batch: bool, **options):
        if batch:
            return super().handle(*args, worker_id=worker_id, batch=batch, **options)
        stop = threading.Event()
        heart = threading.Thread(
            target=keep_beating, args=(worker_id, stop), name="heartbeat", daemon=True
        )
        heart.start()
        try:
            return super().handle(*args, worker_id=worker_id, batch=batch, **options)
        finally:
            stop.set()
            heart.join(timeout=HEARTBEAT_SECONDS)
