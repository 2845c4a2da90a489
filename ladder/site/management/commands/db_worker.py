"""django-tasks-db's worker, with a heartbeat that /health/workers/ reads.

The same command and options as the library's `db_worker`; besides running jobs, the
worker beats and recovers the jobs of stopped workers from a thread of its own
(ladder/site/workers.py).
A `--batch` run, which empties the queue and exits, beats too while it runs: its jobs
must not be taken for a dead worker's.
Each queue (TASKS in settings) has a worker of its own: `--queue-name default` for
e-mails, `--queue-name packets` for packet PDFs. A queue name TASKS doesn't list is
refused, where the library would wait on it for ever.
"""

import threading

from django.core.management import CommandError
from django.tasks import task_backends
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand

from assessments.reminders import schedule_reminders
from ladder.site.workers import keep_beating


class Command(LibraryCommand):
    help = f"{LibraryCommand.help}, writing a heartbeat for /health/workers/ every few seconds."

    def handle(self, *args, worker_id: str, **options):
        served = _check_queues(
            options["backend_name"], options["queue_name"], options["exclude_queues"]
        )
        if served == "*" or "default" in served.split(","):
            # Reminders run on the default queue, each run queueing the next; the first
            # is queued here, once, when a worker for it starts.
            schedule_reminders()
        stop = threading.Event()
        heart = threading.Thread(
            target=keep_beating, args=(worker_id, stop, served), name="heartbeat", daemon=True
        )
        heart.start()
        try:
            return super().handle(*args, worker_id=worker_id, **options)
        finally:
            stop.set()
            heart.join(timeout=10)


def _check_queues(backend_name: str, queue_name: str, exclude_queues: str) -> str:
    """The queues this worker serves, comma-separated, for its heartbeat; refuses unknown ones."""
    known = task_backends[backend_name].queues
    excluded = set(filter(None, exclude_queues.split(",")))
    named = {*queue_name.split(","), *excluded} - {"*"}
    if unknown := sorted(named - known):
        raise CommandError(
            f"No queue named {', '.join(unknown)}: the queues are {', '.join(sorted(known))}."
        )
    if queue_name == "*" and not excluded:
        return "*"
    served = known - excluded if queue_name == "*" else set(queue_name.split(","))
    return ",".join(sorted(served))
