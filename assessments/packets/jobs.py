"""The background job that writes many calibration packets into one PDF.

A PacketJob row is the job's state: the page that asked for it polls the row, so the
person can close the tab and come back. The task reads its scope afresh when it runs,
writes `done` and a heartbeat after each packet, and either stores the PDF (default
storage, under packets/) and marks the job done, or marks it failed with a reason the
person can read. Run twice, it writes the file once: a job that is done, failed or
being written by a live worker is left alone.

Jobs go to a queue of their own, QUEUE, served by a worker of its own: a job holds its
worker for minutes, and e-mails (the default queue) must not wait behind it. A person
has one unfinished job of each scope at a time (queue_job, and the constraint on
PacketJob).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import TaskResultStatus, task
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django_tasks_db.models import DBTaskResult

from assessments.models import Cycle, PacketJob
from assessments.packets.content import PAPERS, packet_html, packet_of
from assessments.packets.pdf import (
    documents_to_pdf,
    html_to_pdf_pages,
    merge_pdfs,
    render_document,
)
from assessments.permissions import may_include, may_request_packets, packets_in_scope
from ladder.models import Level

logger = logging.getLogger(__name__)
Status = PacketJob.Status

# A whole level is a few hundred packets in a large company; a download of thousands
# would take long to write and longer to read.
MAX_PACKETS = 1_000
# Packets laid out before they are written to a file together: a packet's laid-out
# pages take a few MB, its written PDF a few hundred KB.
PACKETS_PER_PART = 10
# The task queue of packet jobs (TASKS in settings lists it; `make run` starts its worker).
QUEUE = "packets"


def stale_after() -> timedelta:
    """A job whose heartbeat is older than this was killed mid-way (a deploy, a crash);
    a second run may take it over. One packet takes well under a second."""
    return timedelta(seconds=settings.PACKET_JOB_STALE_SECONDS)


def queue_job(
    *, person, cycle: Cycle, scope: str, level: Level | None, total: int, paper: str
) -> PacketJob:
    """Queue a job for these packets; or, if a request of the person's for the same scope
    queued one first (a double click, a second tab), return that one."""
    try:
        return _queue(person, cycle, scope, level, total, paper)
    except IntegrityError:
        earlier = _unfinished(person, scope)
        # None if that job ended in the moment between the two statements: queue ours.
        return earlier or _queue(person, cycle, scope, level, total, paper)


def _queue(person, cycle, scope, level, total, paper) -> PacketJob:
    with transaction.atomic():
        job = PacketJob.objects.create(
            cycle=cycle, requested_by=person, scope=scope, level=level, total=total
        )
        # Queued in the same transaction: the job row and its task exist together or not at all.
        write_packets.enqueue(job.pk, paper if paper in PAPERS else "a4")
    return job


RECENT_JOBS = 5


def recent_jobs(person, cycle) -> list[PacketJob]:
    """The person's latest batch downloads in the cycle, newest first."""
    return list(
        PacketJob.objects.filter(requested_by=person, cycle=cycle).select_related("level")[
            :RECENT_JOBS
        ]
    )


def unfinished_job(*, person, scope: str) -> PacketJob | None:
    """The person's job of this scope that waits or is being written, if any.

    A job whose task has ended without finishing it (its worker was stopped in a way
    that left the row behind) is failed here rather than returned: it would otherwise
    hold the person's one job of this scope for ever.
    """
    job = _unfinished(person, scope)
    if job is None or _task_pending(job):
        return job
    PacketJob.objects.unfinished().filter(pk=job.pk).update(
        status=Status.FAILED,
        finished_at=timezone.now(),
        error="The packets could not be written: the job stopped before it finished. Ask again.",
    )
    return None


def _unfinished(person, scope: str) -> PacketJob | None:
    # Served by the constraint's index: at most one row.
    jobs = PacketJob.objects.unfinished().select_related("cycle", "level")
    return jobs.filter(requested_by=person, scope=scope).first()


def _task_pending(job: PacketJob) -> bool:
    """Whether a task writing this job is still to run or running (a killed worker's
    running task is queued again or failed by ladder.site.workers)."""
    return DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        task_path=write_packets.module_path,
        args_kwargs__args__0=job.pk,
    ).exists()


# Queued jobs name this function by its import path (DBTaskResult.task_path, and the key of
# ladder.site.workers.ON_ABANDONED): moving or renaming it needs a migration that rewrites
# the path of the jobs not yet finished, as assessments/migrations/0007 did.
@task(queue_name=QUEUE)
def write_packets(job_id: int, paper: str = "a4") -> str:
    """Write the packets of one PacketJob into one PDF; returns what became of the job."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    try:
        _write(job, paper if paper in PAPERS else "a4")
    # BaseException too: a worker stopped with a second Ctrl+C or SIGTERM raises
    # SystemExit here, and the library marks the task failed, never to run again.
    except BaseException as error:
        logger.exception("Packet job %s failed", job_id)
        PacketJob.objects.filter(pk=job_id).update(
            status=Status.FAILED, error=_reason(error), finished_at=timezone.now()
        )
        raise
    return "done"


def _claim(job_id: int) -> PacketJob | None:
    """Take the job if it waits, or if its last worker stopped; None if it is not ours to run."""
    now = timezone.now()
    waiting = Q(status=Status.QUEUED) | Q(
        status=Status.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    # One conditional UPDATE: of two workers given the same job, one wins.
    claimed = PacketJob.objects.filter(waiting, pk=job_id).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, done=0, error=""
    )
    if not claimed:
        return None
    return PacketJob.objects.select_related("cycle", "requested_by", "level").get(pk=job_id)


def _write(job: PacketJob, paper: str) -> None:
    person = job.requested_by
    if not may_request_packets(person, job.cycle, job.scope):
        raise EmptyScope("You can no longer download the packets of this scope.")
    assessments = [
        a
        for a in packets_in_scope(person, job.cycle, job.scope, job.level)
        .for_page()
        # In name order, as people look each other up (a contents page lists them).
        .order_by("engineer__last_name", "engineer__first_name", "engineer__pk")
        if may_include(person, a)
    ]
    if not assessments:
        raise EmptyScope("There are no reviewed assessments in this scope any more.")
    if len(assessments) > MAX_PACKETS:
        raise EmptyScope(
            f"That is {len(assessments)} packets; one download holds at most {MAX_PACKETS}. "
            "Ask for one level at a time."
        )
    PacketJob.objects.filter(pk=job.pk).update(
        total=len(assessments), included=[a.pk for a in assessments]
    )
    # Packets are laid out one by one (each numbers its own pages) and written a group
    # at a time to a file of their own, and the files are merged at the end: memory
    # stays that of one group, whatever the batch, and a group's fonts are embedded
    # once, not once a packet (written alone, a packet's fonts were a tenth of its time).
    with tempfile.TemporaryDirectory(prefix="ladder-packets-") as folder:
        parts, pages, group = [], [], []
        for done, assessment in enumerate(assessments, 1):
            document = render_document(packet_html(packet_of(assessment), paper=paper))
            pages.append(len(document.pages))
            group.append(document)
            if len(group) == PACKETS_PER_PART or done == len(assessments):
                part = Path(folder) / f"{done:05d}.pdf"
                part.write_bytes(documents_to_pdf(group))
                parts.append(part)
                group = []
            PacketJob.objects.filter(pk=job.pk).update(done=done, heartbeat_at=timezone.now())
        contents, entries = _contents(job, assessments, pages, paper)
        part = Path(folder) / "00000-contents.pdf"
        part.write_bytes(contents)
        merged = Path(folder) / "packets.pdf"
        # Bookmarks too, for a PDF reader's side panel: a person's name, their first page.
        merge_pdfs([part, *parts], merged, outline=[(e.name, e.page - 1) for e in entries])
        if job.file:
            # A run taken over from a stopped worker: replace its file, don't keep two.
            job.file.delete(save=False)
        with merged.open("rb") as pdf:
            job.file.save(_file_name(job), File(pdf), save=False)
    PacketJob.objects.filter(pk=job.pk).update(
        file=job.file.name, status=Status.DONE, finished_at=timezone.now(), error=""
    )


@dataclass(frozen=True)
class ContentsEntry:
    name: str
    level: str
    manager: str
    page: int  # the packet's first page in the merged file, counted from 1


def _contents(job: PacketJob, assessments, pages: list[int], paper: str):
    """The contents page the merged PDF starts with, and its entries: who is where.

    The entries' page numbers count the contents' own pages, which the names' number
    decides: laid out once with a guess, and again in the rare case it was wrong.
    """
    leading = 1
    for _attempt in range(3):
        entries, page = [], leading + 1
        for assessment, count in zip(assessments, pages, strict=True):
            entries.append(
                ContentsEntry(
                    str(assessment.engineer),
                    f"{assessment.level.code} {assessment.level.title}",
                    str(assessment.reviewer or ""),
                    page,
                )
            )
            page += count
        context = {"job": job, "entries": entries, "paper": paper if paper in PAPERS else "a4"}
        html = render_to_string("assessments/packet_contents_pdf.html", context, using="jinja2")
        pdf, laid_out = html_to_pdf_pages(html)
        if laid_out == leading:
            break
        leading = laid_out
    return pdf, entries


def abandoned(job_id: int, paper: str = "a4") -> None:
    """The worker writing this job stopped each time it tried (ladder.site.workers): say so."""
    PacketJob.objects.unfinished().filter(pk=job_id).update(
        status=Status.FAILED,
        finished_at=timezone.now(),
        error="The packets could not be written: the worker stopped twice while writing "
        "them. Ask again; if it keeps failing, tell your admin.",
    )


class EmptyScope(ValueError):
    """Nothing left to write for this person: the reason is shown to them as it is."""


def _file_name(job: PacketJob) -> str:
    what = job.level.code if job.level_id else job.get_scope_display()
    return f"packets-{slugify(job.cycle.name)}-{slugify(what)}-{job.pk}.pdf"


def _reason(error: BaseException) -> str:
    """What went wrong, in words for the person waiting on the job page."""
    if isinstance(error, EmptyScope):
        return str(error)
    if isinstance(error, SystemExit | KeyboardInterrupt):
        return "The packets could not be written: their worker was stopped. Ask again."
    if isinstance(error, OSError):
        return "The PDF could not be stored. Try again later; if it keeps failing, tell your admin."
    return (
        f"The packets could not be written ({type(error).__name__}). Try again; if it keeps "
        "failing, tell your admin."
    )
