"""django-tasks-db's worker, with a heartbeat that /health/ reads.

The same command and options as the library's `db_worker`; besides running jobs, the
worker beats and recovers the jobs of stopped workers from a thread of its own
(ladder/workers.py).
A `--batch` run, which empties the queue and exits, beats too while it runs: its jobs
must not be taken for a dead worker's.
"""

import threading

from django_tasks_db.management.commands.db_worker import Command as LibraryCommand

from ladder.workers import keep_beating


class Command(LibraryCommand):
    help = f"{LibraryCommand.help}, writing a heartbeat for /health/ every few seconds."

    def handle(self, *args, worker_id: str, **options):
        stop = threading.Event()
        heart = threading.Thread(
            target=keep_beating, args=(worker_id, stop), name="heartbeat", daemon=True
        )
        heart.start()
        try:
            return super().handle(*args, worker_id=worker_id, **options)
        finally:
            stop.set()
            heart.join(timeout=10)
