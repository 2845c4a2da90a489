"""Importing ladder pages in the browser: upload, read the dry run, confirm.

Nothing reaches the framework until the person confirms. The upload is kept as an
ImportBatch between the two steps and read again at the confirmation, which writes
only if the plan is still the one the report showed (its digest), and only once:
the batch row is locked and marked applied in the same transaction as the import.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ladder.compare import Comparison, compare_documents
from ladder.formats import registry
from ladder.formats.document import MAX_FILE_BYTES, LadderFormatError, Problem
from ladder.formats.files import read_framework
from ladder.models import Framework, ImportBatch, User
from ladder.permissions import can_edit_rubric
from ladder.services import ImportPlan, LevelPlan, StalePlanError, import_levels, plan_import
from ladder.uploads import NAME_TOO_LONG, is_name_too_long

NEW_FRAMEWORK = "+new"
# Django refused the request before the form could be read (ladder/site/settings.py).
UNREADABLE_UPLOADS = (TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig, MultiPartParserError)


class UploadLimits(FileUploadHandler):
    """First in line for the import form's files: counts files and bytes as they arrive.

    A file past a limit is skipped: the rest of it is read and thrown away, so it is
    neither kept in memory nor written to a temporary file, and its name is kept for
    the message. Reading to the end lets the browser get the answer at all.
    """

    def __init__(self, request: HttpRequest | None = None):
        super().__init__(request)
        self.count = 0
        self.total = 0
        self.size = 0
        self.problems: list[Problem] = []

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.count += 1
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.size += len(raw_data)
        self.total += len(raw_data)
        if self.count > settings.LADDER_IMPORT_MAX_FILES:
            raise SkipFile  # one message for them all, from the count
        limit = settings.LADDER_IMPORT_MAX_BYTES
        if self.size > MAX_FILE_BYTES:
            message = (
                f"larger than {MAX_FILE_BYTES:,} bytes; is it a ladder page? Nothing was read."
            )
        elif self.total > limit:
            message = (
                f"the files up to this one pass {limit:,} bytes in all; import it in another batch."
            )
        else:
            return raw_data
        self.problems.append(Problem(self.file_name, 1, message))
        raise SkipFile

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler in line (memory or temporary file) keeps it


class ImportForm(forms.Form):
    framework = forms.ChoiceField(label="Framework")
    new_framework = forms.CharField(label="Name of a new framework", max_length=120, required=False)
    track = forms.CharField(label="Track", max_length=80, required=False)

    def __init__(self, *args, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(name, name) for name in names] + [(NEW_FRAMEWORK, "A new framework…")]
        self.fields["framework"].choices = choices
        self.fields["framework"].initial = settings.LADDER_DEFAULT_FRAMEWORK

    def clean(self) -> dict:
        data = super().clean()
        name = data.get("framework")
        if name == NEW_FRAMEWORK:
            name = " ".join(data.get("new_framework", "").split())
            if not name:
                self.add_error("new_framework", "Name the new framework, or choose one above.")
        data["framework_name"] = name
        data["track"] = " ".join(data.get("track", "").split())
        return data


@dataclass
class LevelRow:
    """One level of the dry run, with its comparison when it replaces a level."""

    plan: LevelPlan
    comparison: Comparison | None


def framework_names() -> list[str]:
    names = set(Framework.objects.values_list("name", flat=True))
    return sorted(names | {settings.LADDER_DEFAULT_FRAMEWORK})


def check_can_import(user: User) -> None:
    # Like drafts, the page doesn't exist for people who may not edit the ladder.
    if not can_edit_rubric(user):
        raise Http404("No such page.")


def get_batch_for_user(user: User, pk: int) -> ImportBatch:
    """The person's own upload; anyone else's is not found."""
    check_can_import(user)
    return get_object_or_404(ImportBatch, pk=pk, uploaded_by=user)


def read_batch(batch: ImportBatch) -> tuple[ImportPlan | None, list[str]]:
    """The batch's dry run against the framework as it is now, or what stops it."""
    try:
        pages, scale = read_framework(batch.uploads(), track=batch.track or None)
        return plan_import(framework_name=batch.framework_name, pages=pages, scale=scale), []
    except LadderFormatError as error:
        return None, [str(problem) for problem in error.errors]
    except ValidationError as error:
        return None, error.messages


def level_rows(plan: ImportPlan) -> dict[str, list[LevelRow]]:
    """The plan's levels by the file they came from, in upload order."""
    rows: dict[str, list[LevelRow]] = {}
    for level in plan.levels:
        replaced = level.outcome == "updated" and level.before is not None
        comparison = compare_documents(level.before, level.doc) if replaced else None
        rows.setdefault(level.source, []).append(LevelRow(level, comparison))
    return rows


def show_form(
    request: HttpRequest, form: ImportForm, errors: list[str], status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "errors": errors,
        "new_framework": NEW_FRAMEWORK,
        "suffixes": (*registry.SUFFIXES, ".yaml", ".yml"),
        "formats": registry.described(),
        "max_files": settings.LADDER_IMPORT_MAX_FILES,
        "max_bytes": settings.LADDER_IMPORT_MAX_BYTES,
        "max_file_bytes": MAX_FILE_BYTES,
    }
    return render(request, "ladder/import.html", context, status=status, using="jinja2")


@csrf_exempt  # checked by read_upload_form, once the upload handlers are in place
@require_http_methods(["GET", "POST"])
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """The import form; its files are checked and kept for the dry run, nothing is written."""
    check_can_import(request.user)
    limits = UploadLimits(request)
    request.upload_handlers.insert(0, limits)
    try:
        return read_upload_form(request, limits)
    except UNREADABLE_UPLOADS as error:
        # Django stopped reading part way; the rest must be read for the answer to arrive.
        while request.read(64 * 1024):
            pass
        form = ImportForm(names=framework_names())
        if is_name_too_long(error):
            return show_form(request, form, [NAME_TOO_LONG], status=400)
        message = (
            "The upload couldn't be read: too many files or too much form data in one go. "
            f"Import at most {settings.LADDER_IMPORT_MAX_FILES} files at a time; "
            "nothing was read or stored."
        )
        return show_form(request, form, [message], status=413)


@csrf_protect
def read_upload_form(request: HttpRequest, limits: UploadLimits) -> HttpResponse:
    """The form, or the uploaded files' errors, or a batch kept for its dry run."""
    form = ImportForm(request.POST or None, names=framework_names())
    if request.method == "GET":
        return show_form(request, form, [])
    files, errors = received_files(request, limits)
    if not form.is_valid() or errors:
        return show_form(request, form, errors, status=400)
    name, track = form.cleaned_data["framework_name"], form.cleaned_data["track"]
    try:
        pages, scale = read_framework(files, track=track or None)
        plan = plan_import(framework_name=name, pages=pages, scale=scale)
    except LadderFormatError as error:
        return show_form(request, form, [str(p) for p in error.errors], status=400)
    except ValidationError as error:
        return show_form(request, form, error.messages, status=400)
    # Every upload clears the day-old batches nobody confirmed: no scheduler needed.
    ImportBatch.objects.stale().delete()
    kept = [{"name": filename, "text": data.decode("utf-8")} for filename, data in files]
    batch = ImportBatch.objects.create(
        uploaded_by=request.user, framework_name=name, track=track, files=kept, digest=plan.digest
    )
    return redirect(batch)


def received_files(
    request: HttpRequest, limits: UploadLimits
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The uploaded files as (name, bytes), and what is wrong with the upload as a whole."""
    if limits.count > settings.LADDER_IMPORT_MAX_FILES:
        limit = settings.LADDER_IMPORT_MAX_FILES
        return [], [f"{limits.count} files chosen; import at most {limit} at a time."]
    files = [(upload.name, upload.read()) for upload in request.FILES.getlist("files")]
    errors = [str(problem) for problem in limits.problems]
    if not files and not errors:
        errors.append("Choose at least one file to import.")
    return files, errors


@require_GET
@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run of an upload: per file, its levels, warnings and changes; or where it went."""
    batch = get_batch_for_user(request.user, pk)
    context: dict = {"batch": batch, "plan": None, "errors": [], "files": {}}
    if not batch.is_applied:
        context["plan"], context["errors"] = read_batch(batch)
    if context["plan"] is not None:
        context["files"] = level_rows(context["plan"])
    # The comparison's own links ask for this page again with show=all or show=changes.
    context["changes_only"] = request.GET.get("show") != "all"
    return render(request, "ladder/import_report.html", context, using="jinja2")


@require_POST
@login_required
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the upload into the framework's draft, once, if the plan is the one shown."""
    batch = get_batch_for_user(request.user, pk)
    try:
        if batch.is_applied or not apply_batch(batch, request.POST.get("digest", "")):
            messages.info(request, ALREADY_MESSAGE)
    except StalePlanError as stale:
        batch.digest = stale.plan.digest
        batch.save(update_fields=["digest"])
        messages.warning(request, CHANGED_MESSAGE)
    except IntegrityError:
        messages.warning(request, CHANGED_MESSAGE)  # another import started the draft first
    except (LadderFormatError, ValidationError):
        pass  # the report shows what stops it
    return redirect(batch)


ALREADY_MESSAGE = "Already imported: these files were written once; nothing was written again."
CHANGED_MESSAGE = (
    "The framework changed since you checked these files: here is what the import would "
    "do now. Nothing was written; confirm again if it is still right."
)


def apply_batch(batch: ImportBatch, expected_digest: str) -> bool:
    """Import the batch's files and mark it applied in one transaction; False if it was."""
    pages, scale = read_framework(batch.uploads(), track=batch.track or None)
    with transaction.atomic():
        # A second confirmation (double click, another tab, a retry) waits here for
        # the first, then finds the batch applied and writes nothing.
        locked = get_object_or_404(ImportBatch.objects.select_for_update(), pk=batch.pk)
        if locked.is_applied:
            return False
        result = import_levels(
            framework_name=locked.framework_name,
            documents=pages,
            expected_digest=expected_digest,
            scale=scale,
        )
        locked.mark_applied(result.framework)
    return True
