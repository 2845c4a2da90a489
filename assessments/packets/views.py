"""Calibration packets: one person's on a page and as a PDF, many at once as a background job.

Also the engineer's own copy of their assessment, as Markdown and as PDF.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from assessments.access import get_assessment_for_user
from assessments.exports import export_html, export_markdown, export_of
from assessments.models import Assessment, Cycle, PacketJob
from assessments.packets.content import PAPERS, packet_html, packet_of
from assessments.packets.jobs import queue_job, recent_jobs, stale_after, unfinished_job
from assessments.packets.pdf import html_to_pdf
from assessments.permissions import (
    LARGEST_ID,
    Action,
    allowed,
    calibrates,
    may_download_job,
    may_read_job,
    may_request_packets,
    packets_in_scope,
    signed_in,
    whole_number,
)
from assessments.previous import past_for
from ladder.models import Level

Scope = PacketJob.Scope


@require_GET
@signed_in
def packet(request: HttpRequest, pk: int) -> HttpResponse:
    """The packet: who, the roll-ups, the disagreements, the evidence, the outcome."""
    assessment = get_assessment_for_user(request.user, pk, Action.PACKET)
    user = request.user
    context = {
        "p": packet_of(assessment),
        "papers": PAPERS,
        "can_review": allowed(user, assessment, Action.READ_REVIEW),
        "can_history": allowed(user, assessment, Action.HISTORY_DECISIONS),
        "scopes": _scopes(user, assessment),
        "packet_jobs": recent_jobs(user, assessment.cycle),
        # Never the committee member's own: they don't read their own packet at all.
        "past": past_for(assessment, engineer_reads=False),
    }
    return render(request, "assessments/packet.html", context, using="jinja2")


@require_GET
@signed_in
def packet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The packet as a PDF, on A4 or (?paper=letter) US Letter."""
    assessment = get_assessment_for_user(request.user, pk, Action.PACKET)
    paper = _paper(request)
    pdf = html_to_pdf(packet_html(packet_of(assessment), paper=paper))
    return _pdf(pdf, _file_name("packet", assessment, paper) + ".pdf")


@require_GET
@signed_in
def export_md(request: HttpRequest, pk: int) -> HttpResponse:
    """The engineer's own assessment as Markdown, to keep."""
    assessment = get_assessment_for_user(request.user, pk, Action.EXPORT_OWN)
    export = export_of(
        assessment, with_review=allowed(request.user, assessment, Action.READ_REVIEW)
    )
    response = HttpResponse(export_markdown(export), content_type="text/markdown; charset=utf-8")
    name = _file_name("self-assessment", assessment) + ".md"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_GET
@signed_in
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The engineer's own assessment as a PDF, to keep."""
    assessment = get_assessment_for_user(request.user, pk, Action.EXPORT_OWN)
    export = export_of(
        assessment, with_review=allowed(request.user, assessment, Action.READ_REVIEW)
    )
    paper = _paper(request)
    pdf = html_to_pdf(export_html(export, paper=paper))
    return _pdf(pdf, _file_name("self-assessment", assessment, paper) + ".pdf")


@require_POST
@signed_in
def packet_batch(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Ask for the packets of a team, a level or the cycle as one PDF, written in the background."""
    cycle = _cycle(cycle_id)
    scope = request.POST.get("scope", "")
    if scope not in Scope.values:
        return _refused(request, cycle, "Choose whose packets: your team, a level or the cycle.")
    if not may_request_packets(request.user, cycle, scope):
        raise PermissionDenied(
            f"Only {cycle}’s calibration committee can download the packets of a level or of "
            "the whole cycle."
        )
    level = None
    if scope == Scope.LEVEL:
        level = _level(cycle, request.POST.get("level", ""))
        if level is None:
            return _refused(request, cycle, f"Choose a level of {cycle}’s framework.")
    # One unfinished job per person and scope: asking again for the same packets joins it.
    job = unfinished_job(person=request.user, scope=scope)
    if job is None:
        # Counted now so the progress page shows how many from the start; the job counts
        # again when it runs, since reviews can be reopened in between.
        total = packets_in_scope(request.user, cycle, scope, level).count()
        if not total:
            return _refused(request, cycle, _empty_scope(scope, level))
        paper = request.POST.get("paper", "a4")
        job = queue_job(
            person=request.user, cycle=cycle, scope=scope, level=level, total=total, paper=paper
        )
    if not job.asks_for(cycle, level):
        return _busy(request, cycle, job)
    return redirect(job)


@require_GET
@signed_in
def packet_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's progress; htmx asks for the status part alone every two seconds."""
    job = _job(request, job_id)
    context = {"job": job, "stalled": _stalled(job)}
    if request.htmx:
        return render(request, "assessments/packet_job_status.html", context, using="jinja2")
    return render(request, "assessments/packet_job.html", context, using="jinja2")


@require_GET
@signed_in
def packet_job_file(request: HttpRequest, job_id: int) -> FileResponse:
    """The job's PDF, for the person who asked for it, once it is written."""
    job = _job(request, job_id)
    if job.status != PacketJob.Status.DONE or not job.file:
        raise Http404("These packets aren't ready.")
    if not may_download_job(request.user, job):
        raise Http404("You can no longer read every packet in this file. Ask for them again.")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("This file is no longer kept. Ask for the packets again.") from None
    what = job.level.code if job.level_id else job.get_scope_display()
    name = f"calibration-packets-{slugify(job.cycle.name)}-{slugify(what)}.pdf"
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


# ---- pieces


def _scopes(user, assessment: Assessment) -> list[tuple[str, str, int]]:
    """The batches the person may ask for from this packet, with how many packets each holds."""
    cycle, level = assessment.cycle, assessment.level
    scopes = [(Scope.TEAM, "Your team", packets_in_scope(user, cycle, Scope.TEAM).count())]
    if calibrates(user, cycle):
        scopes += [
            (
                Scope.LEVEL,
                f"Everyone at {level.code}",
                packets_in_scope(user, cycle, Scope.LEVEL, level).count(),
            ),
            (Scope.CYCLE, "The whole cycle", packets_in_scope(user, cycle, Scope.CYCLE).count()),
        ]
    return [scope for scope in scopes if scope[2]]


def _paper(request: HttpRequest) -> str:
    paper = request.GET.get("paper", "a4")
    return paper if paper in PAPERS else "a4"


def _file_name(what: str, assessment: Assessment, paper: str = "a4") -> str:
    """A name people can keep, without its extension: what, cycle, level, person, in ASCII."""
    engineer = slugify(str(assessment.engineer)) or f"engineer-{assessment.engineer_id}"
    parts = [what, slugify(assessment.cycle.name), slugify(assessment.level.code), engineer]
    if paper == "letter":
        parts.append("letter")
    return "-".join(part for part in parts if part)


def _pdf(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _cycle(cycle_id: int) -> Cycle:
    cycle = Cycle.objects.filter(pk=cycle_id).first() if cycle_id <= LARGEST_ID else None
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


def _level(cycle: Cycle, value: str) -> Level | None:
    pk = whole_number(value)
    if pk is None:
        return None
    return Level.objects.filter(pk=pk, framework_id=cycle.framework_id).first()


def _empty_scope(scope: str, level: Level | None) -> str:
    if scope == Scope.TEAM:
        return (
            "None of the assessments you review in this cycle is reviewed yet, so there are "
            "no packets to write."
        )
    if scope == Scope.LEVEL:
        return f"No one at {level.code} has a reviewed assessment in this cycle yet (besides you)."
    return (
        "No assessment in this cycle is reviewed yet (besides yours), so there are no "
        "packets to write."
    )


def _refused(request: HttpRequest, cycle: Cycle, message: str) -> HttpResponse:
    context = {"cycle": cycle, "message": message}
    return render(request, "assessments/packet_refused.html", context, status=400, using="jinja2")


def _busy(request: HttpRequest, cycle: Cycle, job: PacketJob) -> HttpResponse:
    """Other packets of the same scope are still being written for this person."""
    context = {"cycle": cycle, "job": job}
    return render(request, "assessments/packet_busy.html", context, status=409, using="jinja2")


def _job(request: HttpRequest, job_id: int) -> PacketJob:
    job = None
    if job_id <= LARGEST_ID:
        job = PacketJob.objects.select_related("cycle", "level").filter(pk=job_id).first()
    if job is None or not may_read_job(request.user, job):
        raise Http404("No such download.")
    return job


def _stalled(job: PacketJob) -> bool:
    """A running job whose worker has stopped writing: the page says so rather than wait."""
    return (
        job.status == PacketJob.Status.RUNNING
        and job.heartbeat_at is not None
        and timezone.now() - job.heartbeat_at > stale_after()
    )
