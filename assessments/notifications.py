"""E-mails about assessments, written when their job runs (assessments.tasks.notify).

None carries a score, a manager's comment on a behaviour, a summary or an outcome:
e-mail is read on phones in public and forwarded; the page, behind sign-in, says the
rest. (A return carries the manager's note on purpose: it tells the engineer what to
change.)
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse

from assessments.models import Assessment, CommitteeChange, Cycle, PeerRequest
from ladder.models import User


def link(path: str) -> str:
    # Read when the mail is written, not at import: the address is the running
    # server's (make run derives it from PORT), and tests change it.
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _to(*people: User | None) -> list[str]:
    return [p.email for p in dict.fromkeys(people) if p is not None and p.email and p.is_active]


def send(kind: str, assessment_id: int, *extra) -> int:
    """The e-mails for one kind of change; returns how many were sent."""
    assessment = (
        Assessment.objects.select_related("cycle", "engineer", "reviewer", "level")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        return 0
    messages = WRITERS[kind](assessment, *extra)
    return send_mass_mail(
        [(subject, body, None, to) for subject, body, to in messages if to], fail_silently=False
    )


def _submitted(a: Assessment):
    yield (
        f"{a.engineer} submitted their self-assessment",
        f"{a.engineer} submitted their {a.level.code} self-assessment for {a.cycle}.\n\n"
        f"Review it: {link(a.get_review_url())}\n\n"
        f"Manager reviews are due by {a.cycle.manager_review_due:%-d %B %Y}.",
        _to(a.reviewer),
    )


def _returned(a: Assessment):
    yield (
        "Your self-assessment came back to you",
        f"{a.reviewer or 'Your manager'} returned your self-assessment for {a.cycle} to "
        f"draft:\n\n{a.return_note}\n\nEdit it: {link(a.get_absolute_url())}",
        _to(a.engineer),
    )


def _review_finished(a: Assessment):
    yield (
        "Your manager finished reviewing your self-assessment",
        f"{a.reviewer or 'Your manager'} finished reviewing your self-assessment for "
        f"{a.cycle}. The calibration committee meets next; you will see the review and "
        f"the outcome when results are shared, after {a.cycle.calibration_due:%-d %B %Y}.",
        _to(a.engineer),
    )


def _shared(a: Assessment):
    yield (
        f"Your results for {a.cycle} are ready",
        f"The calibration of {a.cycle} is closed. Your manager's review and your outcome "
        f"are on your assessment page:\n\n{link(a.get_absolute_url())}",
        _to(a.engineer),
    )


def _reviewer_changed(a: Assessment, previous_id: int | None = None):
    previous = User.objects.filter(pk=previous_id).first() if previous_id else None
    before = f" from {previous}" if previous else ""
    yield (
        f"{a.engineer}'s review moved to {a.reviewer}",
        f"The review of {a.engineer}'s self-assessment for {a.cycle} moved{before} to "
        f"{a.reviewer}.\n\n{link(a.get_review_url())}",
        _to(a.reviewer, previous),
    )
    yield (
        "Your self-assessment has a new reviewer",
        f"{a.reviewer} now reviews your self-assessment for {a.cycle}{before}.",
        _to(a.engineer),
    )


def _peer_asked(a: Assessment, request_id: int):
    # To the colleague alone: nobody else learns from e-mail who was asked.
    request = PeerRequest.objects.select_related("peer").filter(pk=request_id).first()
    if request is None or request.status != PeerRequest.Status.ASKED:
        return
    if request.kind == PeerRequest.Kind.UPWARD:
        subject = f"Your input on {a.engineer}, your manager"
        opening = (
            f"{a.engineer} is assessing themselves at {a.level.code} {a.level.title} in "
            f"{a.cycle}, and their reviewer asks for your view of them as your manager, "
            f"area by area. {a.engineer} reads it without names, and only if at least "
            "three of their reports answer."
        )
    else:
        subject = f"{a.engineer} would like your input"
        opening = (
            f"{a.engineer} is assessing themselves at {a.level.code} {a.level.title} in "
            f"{a.cycle}, and asked for your view of their work, area by area."
        )
    yield (
        subject,
        f"{opening}\n\n"
        f"Answer, or decline with a reason: {link(request.get_absolute_url())}\n\n"
        f"Please answer by {a.cycle.manager_review_due:%-d %B %Y}, before their review.",
        _to(request.peer),
    )


def _peers_nominated(a: Assessment):
    # To the reviewer: who is waiting is on the page, behind sign-in.
    approver = a.reviewer or a.engineer.manager
    waiting = a.peer_requests.filter(status=PeerRequest.Status.NOMINATED).count()
    if approver is None or not waiting:
        return
    yield (
        f"{a.engineer} nominated colleagues for peer input",
        f"{a.engineer} nominated colleagues to give peer input on their self-assessment for "
        f"{a.cycle}. Each is asked once you approve them; you can remove someone or add "
        f"someone else:\n\n{link(reverse('assessments:peers', args=[a.pk]))}",
        _to(approver),
    )


def _name(person_id: int | None) -> str:
    person = User.objects.filter(pk=person_id).first() if person_id else None
    return str(person) if person else "nobody"


def send_to_person(kind: str, person_id: int, *extra) -> int:
    """The e-mail about a change to one person's place (not to an assessment)."""
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        return 0
    subject, body = PERSON_WRITERS[kind](person, *extra)
    to = _to(person)
    return send_mass_mail([(subject, body, None, to)], fail_silently=False) if to else 0


def _manager_changed(person: User, old_id, new_id, by_id) -> tuple[str, str]:
    new = _name(new_id)
    return (
        "Your manager in Ladder changed",
        f"{_name(by_id)} changed your manager in Ladder from {_name(old_id)} to {new}. "
        f"{new} reviews your self-assessments from your next cycle on: a cycle you are "
        "already enrolled in keeps the reviewer it had, until whoever runs it moves "
        "the review.",
    )


def _skip_manager_changed(person: User, manager_id, old_id, new_id, by_id) -> tuple[str, str]:
    new = _name(new_id)
    return (
        "Your manager's manager in Ladder changed",
        f"{_name(by_id)} changed who {_name(manager_id)} reports to in Ladder, from "
        f"{_name(old_id)} to {new}. {new} reads your next self-assessment and its review "
        "once you submit it. If this is wrong, tell whoever runs review cycles before "
        "you submit.",
    )


def _password_set(person: User, by_id) -> tuple[str, str]:
    return (
        "Your Ladder password was changed",
        f"{_name(by_id)} set a new password for your Ladder account, and you were signed "
        "out everywhere. If you didn't ask for this, tell whoever runs Ladder at once.",
    )


def _extended(person: User, cycle_id, until) -> tuple[str, str]:
    cycle = Cycle.objects.get(pk=cycle_id)
    day = date.fromisoformat(until)
    return (
        f"More time for your self-assessment for {cycle}",
        f"You have until {day:%-d %B %Y} to finish and submit your self-assessment for "
        f"{cycle}. Your answers so far are kept.\n\n{link('/')}",
    )


PERSON_WRITERS = {
    "manager_changed": _manager_changed,
    "skip_manager_changed": _skip_manager_changed,
    "password_set": _password_set,
    "extended": _extended,
}


def send_enrolled(cycle_id: int, assessment_ids: list[int]) -> int:
    """One e-mail to each person enrolled: the link, the deadlines, who reviews it."""
    enrolled = Assessment.objects.filter(
        pk__in=assessment_ids, cycle_id=cycle_id, engineer__is_active=True
    ).select_related("cycle", "engineer", "reviewer", "level")
    mails = []
    for a in enrolled:
        to = _to(a.engineer)
        if not to:
            continue
        cycle = a.cycle
        reviewer = f"{a.reviewer} reviews it." if a.reviewer else "Your manager reviews it."
        mails.append(
            (
                f"Your self-assessment for {cycle} is open",
                f"Hello {a.engineer.first_name or a.engineer.username},\n\n"
                f"You take part in {cycle}, at {a.level.code} ({a.level.title}). "
                f"{reviewer}\n\n"
                f"- Your self-assessment: due {cycle.self_assessment_due:%-d %B %Y}\n"
                f"- Manager reviews: due {cycle.manager_review_due:%-d %B %Y}\n"
                f"- Calibration: by {cycle.calibration_due:%-d %B %Y}; then you see the "
                f"outcome.\n\nStart here: {link(a.get_absolute_url())}",
                None,
                to,
            )
        )
    return send_mass_mail(mails, fail_silently=False) if mails else 0


def send_committee_changes(cycle_id: int, change_ids: list[int]) -> int:
    """One e-mail to the committee and to everyone who joined or left it."""
    changes = list(
        CommitteeChange.objects.filter(pk__in=change_ids, cycle_id=cycle_id)
        .select_related("cycle", "member", "actor")
        .order_by("pk")
    )
    if not changes:
        return 0
    cycle = changes[0].cycle
    lines = "\n".join(
        f"- {change.member} {change.get_kind_display().lower()}, by {change.actor or 'Ladder'}"
        for change in changes
    )
    members = User.objects.filter(groups=cycle.calibrators_id) if cycle.calibrators_id else []
    to = _to(*members, *(change.member for change in changes))
    body = (
        f"The calibration committee of {cycle} changed:\n\n{lines}\n\n"
        "A seat on the committee reads every reviewed person's evidence and comments. "
        "If a change is unexpected, ask the person who made it. The committee's page "
        f"lists every change: {link(reverse('assessments:calibration', args=[cycle.pk]))}"
    )
    return send_mass_mail([(f"The committee of {cycle} changed", body, None, to)]) if to else 0


def send_results_to_managers(assessment_ids: list[int]) -> int:
    """Tell each reviewer whose reports' results were just shared, one e-mail each, so
    nobody hears of a report's outcome from the report first. No outcome in it."""
    shared = (
        Assessment.objects.filter(pk__in=assessment_ids, reviewer__isnull=False)
        .select_related("cycle", "engineer", "reviewer")
        .order_by("engineer__last_name", "engineer__first_name", "engineer__username")
    )
    by_reviewer: dict[User, list[Assessment]] = {}
    for a in shared:
        by_reviewer.setdefault(a.reviewer, []).append(a)
    mails = []
    for reviewer, reports in by_reviewer.items():
        cycle = reports[0].cycle
        lines = "\n".join(f"- {a.engineer}: {link(a.get_review_url())}" for a in reports)
        count = f"{len(reports)} of your reports" if len(reports) != 1 else "one of your reports"
        body = (
            f"The calibration of {cycle} is closed and the results of {count} are shared "
            f"with them now. Read each outcome and the committee's reason before you "
            f"talk:\n\n{lines}"
        )
        to = _to(reviewer)
        if to:
            mails.append((f"Results for {cycle} are shared with your reports", body, None, to))
    return send_mass_mail(mails, fail_silently=False) if mails else 0


WRITERS = {
    "submitted": _submitted,
    "returned": _returned,
    "review_finished": _review_finished,
    "shared": _shared,
    "reviewer_changed": _reviewer_changed,
    "peer_asked": _peer_asked,
    "peers_nominated": _peers_nominated,
}


def send_password_link(person_id: int, kind: str) -> int:
    """A one-time link to set a password, made when the e-mail is written: it stops
    working once used (the password it sets changes what it was made from) and after
    PASSWORD_RESET_TIMEOUT."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not person.email:
        return 0
    path = reverse(
        "password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(person.pk)),
            default_token_generator.make_token(person),
        ],
    )
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86_400)
    valid = f"The link works once, for {days} day{'s' if days != 1 else ''}."
    if kind == "invite":
        subject = "You're invited to Ladder"
        body = (
            f"Hello {person.first_name or person.username},\n\nYour company uses Ladder for "
            f"career frameworks and review cycles. Choose your password to sign in (your "
            f"username is {person.username}):\n\n{link(path)}\n\n{valid}"
        )
    else:
        subject = "Set a new Ladder password"
        body = (
            f"Hello {person.first_name or person.username},\n\nSomeone asked for a link to "
            f"set a new password for your Ladder account ({person.username}). If it was "
            f"you:\n\n{link(path)}\n\n{valid} If it wasn't, ignore this e-mail: your password "
            "stays as it is."
        )
    return send_mass_mail([(subject, body, None, [person.email])], fail_silently=False)
