"""House-keeping rows of the running site: the workers' heartbeats, the database's epoch."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """The last sign of life of each background worker (`manage.py db_worker`).

    Each worker writes its row every few seconds from a thread of its own, so a worker
    busy with a long job still beats; one killed stops. /health/workers/ reads the
    newest of each queue.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    queues = models.CharField(
        max_length=200,
        default="*",
        help_text="The task queues this worker takes jobs from, comma-separated; * for all.",
    )

    def __str__(self):
        return f"{self.worker_id} on {self.host}"

    def serves(self, queue: str) -> bool:
        return self.queues == "*" or queue in self.queues.split(",")

    @classmethod
    def status(cls, queues: list[str], max_age: float) -> dict[str, str]:
        """For each task queue, "ok" if a worker serving it beat in the last `max_age` s,
        else what is wrong, in words for whoever runs the site."""
        rows = list(cls.objects.only("queues", "beat_at"))
        now = timezone.now()
        answers = {}
        for queue in queues:
            beats = [row.beat_at for row in rows if row.serves(queue)]
            if not beats:
                answers[queue] = f"no worker seen: start manage.py db_worker --queue-name {queue}"
                continue
            age = (now - max(beats)).total_seconds()
            answers[queue] = "ok" if age <= max_age else f"last heartbeat {age:.0f} s ago"
        return answers


class DataEpoch(models.Model):
    """One row whose value changes when the database is replaced from a backup.

    Server processes keep published levels in memory (they never change); a restore
    can put other data under the same ids. `manage.py restore` writes a new value,
    and each process empties its caches within a second of seeing it
    (assessments.progress).
    """

    value = models.CharField(max_length=32)

    def __str__(self):
        return self.value
