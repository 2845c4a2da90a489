"""Peer input: nominate, approve, answer or decline, and who reads what, with whose name."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments import peers, workflow
from assessments.models import Assessment, Cycle, PeerAnswer, PeerRequest
from assessments.progress import outline_of
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, review_all
from tests.factories import UserFactory

Status = PeerRequest.Status


def nominate(client, assessment, person) -> object:
    return client.post(reverse("assessments:peers-add", args=[assessment.pk]), {"person": person})


def asked_of(assessment, people, manager) -> list[PeerRequest]:
    """Nominated by the engineer and approved by the manager, through the services."""
    requests = [peers.add(assessment, by=assessment.engineer, person=p) for p in people]
    peers.approve_all(assessment, by=manager)
    return [PeerRequest.objects.get(pk=r.pk) for r in requests]


def answer(request: PeerRequest, score: int | None, evidence: str = "", *, send=True) -> None:
    """Every area of the request answered with `score` (None: not seen), then sent."""
    PeerAnswer.objects.filter(request=request).update(
        score=score,
        not_seen=score is None,
        evidence=evidence,
        evidence_html=f"<p>{evidence}</p>" if evidence else "",
    )
    if send:
        peers.submit(request, by=request.peer)


def share(assessment, manager, calibrator):
    """The review finished, calibrated, and results shared."""
    review_all(assessment, manager)
    assessment.refresh_from_db()
    workflow.record_decision(assessment, by=calibrator, outcome=2, reason="Agreed.")
    workflow.close_calibration(assessment.cycle, by=calibrator, confirmed=True)
    assessment.refresh_from_db()
    return assessment


# ---- nominating and approving


def test_the_engineer_nominates_the_manager_approves_and_only_then_the_colleague_is_asked(
    client, own, engineer, manager, colleagues, run_jobs
):
    client.force_login(engineer)
    page = client.get(reverse("assessments:peers", args=[own.pk]))
    assert page.status_code == 200
    assert "Nominate 3 to 4 colleagues" in page.text
    assert nominate(client, own, "zoe").status_code == 302
    assert nominate(client, own, colleagues[1].email).status_code == 302
    request = own.peer_requests.get(peer=colleagues[0])
    assert request.status == Status.NOMINATED
    # Not asked yet: the colleague has no page, and no e-mail went.
    client.force_login(colleagues[0])
    assert client.get(request.get_absolute_url()).status_code == 404
    run_jobs()
    assert not any(colleagues[0].email in m.to for m in mail.outbox)

    # The manager is told once, not per nomination.
    (told,) = [m for m in mail.outbox if m.to == [manager.email]]
    assert "nominated colleagues" in told.subject
    assert reverse("assessments:peers", args=[own.pk]) in told.body
    client.force_login(manager)
    home = client.get("/")
    assert f"{engineer}: 2 nominations waiting" in home.text
    listing = client.get(reverse("assessments:peers", args=[own.pk]))
    assert "Approve all 2" in listing.text
    approved = client.post(reverse("assessments:peers-approve", args=[own.pk, request.pk]))
    assert approved.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.ASKED
    assert request.decided_by == manager
    assert request.answers.count() == own.level.areas.count()
    run_jobs()
    (sent,) = [m for m in mail.outbox if colleagues[0].email in m.to]
    assert str(engineer) in sent.subject
    assert request.get_absolute_url() in sent.body
    # Nobody else is told who was asked.
    assert sent.to == [colleagues[0].email]

    client.force_login(colleagues[0])
    assert f"Give your input on {engineer}" in client.get("/").text
    assert client.get(request.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("engineer", "your own view is your self-assessment"),
        ("manager", "reviews this assessment"),
        ("nobody-here", "Nobody active here"),
    ],
)
def test_a_nomination_names_a_colleague(client, own, engineer, who, message):
    client.force_login(engineer)
    response = nominate(client, own, who)
    assert response.status_code == 400
    assert message in response.text
    assert not own.peer_requests.exists()


def test_nominations_stop_at_the_cycles_number_and_never_twice(client, own, engineer, colleagues):
    client.force_login(engineer)
    for person in colleagues:
        assert nominate(client, own, person.username).status_code == 302
    extra = UserFactory(username="fifth")
    refused = nominate(client, own, "fifth")
    assert refused.status_code == 400
    assert "at most 4 colleagues" in refused.text
    # Withdrawn, a place frees up; named twice, refused.
    first = own.peer_requests.get(peer=colleagues[0])
    client.post(reverse("assessments:peers-remove", args=[own.pk, first.pk]))
    assert nominate(client, own, "fifth").status_code == 302
    again = nominate(client, own, "yan")
    assert again.status_code == 400
    assert "already on the list" in again.text
    assert own.peer_requests.filter(status__in=PeerRequest.STANDING).count() == 4
    assert own.peer_requests.get(peer=extra).status == Status.NOMINATED


def test_submitting_needs_the_cycles_fewest_nominations(client, own, engineer, colleagues):
    answer_all(own)
    client.force_login(engineer)
    client.post(reverse("assessments:submit", args=[own.pk]))
    own.refresh_from_db()
    assert own.status == Assessment.Status.DRAFT
    page = client.get(own.get_absolute_url())
    assert "Nominate at least 3 colleagues for peer input before you submit (0 so far)" in (
        page.text
    )
    for person in colleagues[:3]:
        nominate(client, own, person.username)
    client.post(reverse("assessments:submit", args=[own.pk]))
    own.refresh_from_db()
    assert own.status == Assessment.Status.SUBMITTED


def test_nominations_close_with_the_self_assessment_phase(client, own, engineer, colleagues):
    Cycle.objects.filter(pk=own.cycle_id).update(phase=Cycle.Phase.MANAGER_REVIEW)
    client.force_login(engineer)
    response = nominate(client, own, "zoe")
    assert response.status_code == 400
    assert not own.peer_requests.exists()
    assert "Nominations are closed" in client.get(reverse("assessments:peers", args=[own.pk])).text


def test_the_manager_adds_someone_who_is_asked_at_once_and_removes_another(
    client, own, manager, colleagues, run_jobs
):
    client.force_login(manager)
    assert nominate(client, own, "wim").status_code == 302
    added = own.peer_requests.get(peer=colleagues[3])
    assert added.status == Status.ASKED
    assert added.answers.exists()
    client.post(reverse("assessments:peers-remove", args=[own.pk, added.pk]))
    added.refresh_from_db()
    assert added.status == Status.REMOVED
    client.force_login(colleagues[3])
    assert client.get(added.get_absolute_url()).status_code == 404


# ---- answering


def test_a_colleague_answers_area_by_area_with_versions_then_sends(
    client, own, manager, colleagues
):
    (request,) = asked_of(own, colleagues[:1], manager)
    client.force_login(colleagues[0])
    page = client.get(request.get_absolute_url())
    assert page.status_code == 200
    # The colleague reads the level's areas and behaviours, never the self-assessment.
    first = request.answers.select_related("area").order_by("area__order").first()
    assert first.area.name in page.text
    assert "data-assessment=" in page.text
    url = reverse("assessments:peer-input-save", args=[request.pk, first.area_id])
    saved = client.post(
        url,
        {"score": "3", "evidence": "Led the **design** review.", "version": 0},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert saved["X-Rating-Version"] == "1"
    assert "<strong>design</strong>" in saved.text
    stale = client.post(
        url, {"score": "2", "evidence": "Older", "version": 0}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 409
    assert "Someone saved this answer" in stale.text
    first.refresh_from_db()
    assert (first.score, first.version) == (3, 1)
    bad = client.post(url, {"score": "9", "evidence": "", "version": 1}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    not_seen = client.post(url, {"score": "not-seen", "evidence": "", "version": 1})
    assert not_seen.status_code == 302
    first.refresh_from_db()
    assert (first.score, first.not_seen) == (None, True)

    refused = client.post(reverse("assessments:peer-input-submit", args=[request.pk]), follow=True)
    assert "still need an answer" in refused.text
    answer(request, 2, send=False)
    client.post(reverse("assessments:peer-input-submit", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == Status.ANSWERED
    assert request.answered_at is not None
    # Sent: read-only, and no more saves.
    assert client.post(url, {"score": "3", "evidence": "", "version": 2}).status_code == 403
    assert "You sent your input" in client.get(request.get_absolute_url()).text


def test_declining_needs_a_reason_which_only_the_manager_reads(
    client, own, engineer, manager, colleagues
):
    (request,) = asked_of(own, colleagues[:1], manager)
    client.force_login(colleagues[0])
    url = reverse("assessments:peer-input-decline", args=[request.pk])
    assert client.post(url, {"reason": "  "}).status_code == 400
    request.refresh_from_db()
    assert request.status == Status.ASKED
    client.post(url, {"reason": "We haven't worked together this half."})
    request.refresh_from_db()
    assert request.status == Status.DECLINED
    client.force_login(manager)
    listing = client.get(reverse("assessments:peers", args=[own.pk])).text
    assert "worked together this half" in listing
    assert "Declined" in listing
    # In an anonymous cycle the engineer learns nothing of who declined or answered.
    client.force_login(engineer)
    mine = client.get(reverse("assessments:peers", args=[own.pk])).text
    assert "worked together" not in mine
    assert "Declined" not in mine


# ---- who reads what


@pytest.fixture
def three_answered(own, manager, colleagues):
    own_requests = asked_of(own, colleagues[:3], manager)
    for number, request in enumerate(own_requests):
        answer(request, 2 + number % 2, f"Comment by {request.peer.first_name}")
    answer_all(own)
    workflow.submit(own, by=own.engineer)
    own.refresh_from_db()
    return own_requests


def test_the_manager_reads_peer_input_beside_the_review_without_names_unless_the_cycle_says(
    client, own, manager, three_answered
):
    client.force_login(manager)
    page = client.get(own.get_review_url()).text
    assert "3 of 3 colleagues asked answered" in page
    assert "Comment by Zoe" in page
    assert "— Zoe Peer" not in page
    Cycle.objects.filter(pk=own.cycle_id).update(peer_names_to_reviewers=True)
    assert "— Zoe Peer" in client.get(own.get_review_url()).text


def test_the_engineer_reads_nothing_of_peer_input_before_results_are_shared(
    client, own, engineer, three_answered
):
    client.force_login(engineer)
    assert client.get(own.get_review_url()).status_code == 403
    page = client.get(own.get_absolute_url()).text
    assert "Comment by" not in page


@pytest.mark.parametrize("by_behaviour", [False, True], ids=["per-area", "per-behaviour"])
def test_with_two_answers_the_engineer_sees_no_figures_and_no_comments(
    client, own, engineer, manager, calibrator, calibrators, colleagues, by_behaviour
):
    Cycle.objects.filter(pk=own.cycle_id).update(peers_by_behaviour=by_behaviour)
    own.refresh_from_db()
    requests = asked_of(own, colleagues[:3], manager)
    assert {a.behaviour_id is not None for a in requests[0].answers.all()} == {by_behaviour}
    answer(requests[0], 3, "Comment by Zoe")
    answer(requests[1], 3, "Comment by Yan")
    peers.decline(requests[2], by=requests[2].peer, reason="Busy")
    answer_all(own)
    workflow.submit(own, by=engineer)
    share(own, manager, calibrator)
    client.force_login(engineer)
    page = client.get(own.get_review_url()).text
    assert "Not enough responses to show" in page
    assert "Comment by" not in page
    assert "2 colleagues answered" not in page
    assert "<meter" not in page
    assert 'class="peer-counts"' not in page


def test_with_three_answers_the_engineer_reads_comments_without_names_or_times(
    client, own, engineer, manager, calibrator, calibrators, three_answered
):
    share(own, manager, calibrator)
    # Times that appear nowhere else on the page.
    moment = timezone.make_aware(datetime(2026, 1, 2, 3, 4))
    PeerRequest.objects.filter(pk__in=[r.pk for r in three_answered]).update(answered_at=moment)
    PeerAnswer.objects.filter(request__in=three_answered).update(updated_at=moment)
    client.force_login(engineer)
    page = client.get(own.get_review_url()).text
    assert "3 colleagues answered" in page
    assert "03:04" not in page
    assert "2 January" not in page
    for name in ("Zoe", "Yan", "Xia"):
        assert f"Comment by {name}" in page
        assert f"{name} Peer" not in page
        assert f">{name.lower()}<" not in page


def test_comment_order_follows_neither_names_nor_times_and_differs_by_area(
    own, engineer, manager, calibrator, calibrators, three_answered
):
    shared = share(own, manager, calibrator)
    # Whoever answered first and whoever is first by name: the order ignores both.
    PeerRequest.objects.filter(pk=three_answered[0].pk).update(shuffle=900)
    PeerRequest.objects.filter(pk=three_answered[1].pk).update(shuffle=5)
    PeerRequest.objects.filter(pk=three_answered[2].pk).update(shuffle=77)
    seen = peers.peer_input(shared, peers.reading(engineer, shared), outline_of(shared.level))
    orders = {key: tuple(c.html for c in area.comments) for key, area in seen.areas.items()}
    by_time = tuple(f"<p>Comment by {r.peer.first_name}</p>" for r in three_answered)
    assert len(set(orders.values())) > 1, "every area lists comments in the same order"
    assert any(order != by_time for order in orders.values())
    # The same on every reading.
    again = peers.peer_input(shared, peers.reading(engineer, shared), outline_of(shared.level))
    assert {k: tuple(c.html for c in a.comments) for k, a in again.areas.items()} == orders


def test_admins_read_no_peer_input(client, own, admin_user, three_answered):
    client.force_login(admin_user)
    assert client.get(reverse("assessments:peers", args=[own.pk])).status_code == 404
    assert client.get(three_answered[0].get_absolute_url()).status_code == 404
    assert peers.reading(admin_user, own) is None
    for path in ("/admin/", "/admin/assessments/"):
        page = client.get(path).text
        assert "Peer request" not in page
        assert "Peer answer" not in page


def test_hostile_peer_evidence_is_made_safe_wherever_it_is_shown(
    client, own, engineer, manager, calibrator, calibrators, colleagues
):
    requests = asked_of(own, colleagues[:3], manager)
    hostile = (
        'Hostile comment <script>alert(1)</script><img src=x onerror="alert(2)"> '
        "[x](javascript:alert(3))"
    )
    client.force_login(colleagues[0])
    first = requests[0].answers.first()
    url = reverse("assessments:peer-input-save", args=[requests[0].pk, first.area_id])
    response = client.post(
        url, {"score": "2", "evidence": hostile, "version": 0}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    PeerAnswer.objects.filter(request=requests[0]).exclude(pk=first.pk).update(score=2)
    peers.submit(requests[0], by=colleagues[0])
    for request in requests[1:]:
        answer(request, 3, "Fine")
    answer_all(own)
    workflow.submit(own, by=engineer)
    shared = share(own, manager, calibrator)
    pages = [(colleagues[0], requests[0].get_absolute_url())]
    pages += [(manager, shared.get_review_url()), (engineer, shared.get_review_url())]
    pages += [(manager, shared.get_packet_url()), (calibrator, shared.get_packet_url())]
    for person, path in pages:
        client.force_login(person)
        page = client.get(path).text
        assert "<script>alert" not in page, path
        assert "onerror" not in page, path
        assert "javascript:alert" not in page, path
    # The comment still reads as written, its markup escaped or removed.
    client.force_login(manager)
    assert "Hostile comment" in client.get(shared.get_review_url()).text


def test_a_colleague_reads_only_their_own_answer(client, own, engineer, manager, three_answered):
    client.force_login(three_answered[0].peer)
    assert client.get(three_answered[1].get_absolute_url()).status_code == 404
    assert client.get(own.get_absolute_url()).status_code == 404
    assert client.get(own.get_review_url()).status_code == 404
    assert client.get(reverse("assessments:peers", args=[own.pk])).status_code == 404
    assert client.get(own.get_packet_url()).status_code == 404


def test_review_finished_closes_the_requests(client, own, manager, colleagues):
    requests = asked_of(own, colleagues[:3], manager)
    answer_all(own)
    workflow.submit(own, by=own.engineer)
    review_all(Assessment.objects.get(pk=own.pk), manager)
    client.force_login(colleagues[0])
    page = client.get(requests[0].get_absolute_url())
    assert "This request is closed" in page.text
    first = requests[0].answers.first()
    url = reverse("assessments:peer-input-save", args=[requests[0].pk, first.area_id])
    assert client.post(url, {"score": "2", "evidence": "", "version": 0}).status_code == 403


def test_colleagues_who_havent_answered_are_reminded_once_before_reviews_are_due(
    own, manager, colleagues, run_jobs
):
    from assessments import reminders

    requests = asked_of(own, colleagues[:2], manager)
    answer(requests[0], 3, "Done")
    run_jobs()
    mail.outbox.clear()
    today = own.cycle.manager_review_due - timedelta(days=7)
    assert reminders.send_due(today) >= 1
    assert reminders.send_due(today) == 0
    run_jobs()
    reminded = [m for m in mail.outbox if "asked for your input" in m.subject]
    assert [m.to for m in reminded] == [[colleagues[1].email]]
    assert str(own.engineer) not in reminded[0].body


# ---- upward input: a manager's reports, on the manager's own assessment


@pytest.fixture
def reports(db, engineer):
    """Three people who report to the engineer, who is a manager too."""
    return [
        UserFactory(username=f"report{n}", first_name=f"Report{n}", manager=engineer)
        for n in range(3)
    ]


@pytest.fixture
def upward_cycle(cycle):
    # Upward input alone: no peer nominations, and a cycle that names peers to the
    # engineer, which upward input ignores.
    cycle.upward_input, cycle.peers_anonymous = True, False
    cycle.save(update_fields=["upward_input", "peers_anonymous"])
    return cycle


def test_the_reviewer_asks_the_managers_reports_who_the_manager_reads_without_names(
    client, upward_cycle, engineer, manager, calibrator, calibrators, reports, on_ic5, run_jobs
):
    own = start_assessment(cycle=upward_cycle, engineer=engineer)
    # The manager being assessed doesn't choose which reports are asked.
    client.force_login(engineer)
    url = reverse("assessments:peers-ask-reports", args=[own.pk])
    assert client.post(url).status_code == 403
    assert nominate(client, own, reports[0].username).status_code == 400
    client.force_login(manager)
    page = client.get(reverse("assessments:peers", args=[own.pk])).text
    assert "Ask 3 reports for upward input" in page
    client.post(url)
    requests = list(own.peer_requests.order_by("peer__username"))
    assert [(r.kind, r.status) for r in requests] == [("upward", "asked")] * 3
    run_jobs()
    (sent,) = [m for m in mail.outbox if m.to == [reports[0].email]]
    assert "your manager" in sent.subject
    for number, request in enumerate(requests):
        answer(request, 2 + number % 2, f"Upward note by {request.peer.first_name}")
    answer_all(own)
    workflow.submit(own, by=engineer)
    own.refresh_from_db()
    client.force_login(manager)
    review = client.get(own.get_review_url()).text
    assert "Upward input, from their reports" in review
    assert "3 of 3 reports asked answered" in review
    assert "Upward note by Report0" in review
    shared = share(own, manager, calibrator)
    client.force_login(engineer)
    page = client.get(shared.get_review_url()).text
    assert "Upward note by Report1" in page
    assert "3 reports answered" in page
    for request in requests:
        assert str(request.peer) not in page
    # Their own list says who was asked, never who answered.
    listing = client.get(reverse("assessments:peers", args=[own.pk])).text
    assert "Answered" not in listing


def test_with_two_reports_answering_the_manager_reads_nothing(
    client, upward_cycle, engineer, manager, calibrator, calibrators, reports, on_ic5
):
    own = start_assessment(cycle=upward_cycle, engineer=engineer)
    peers.ask_reports(own, by=manager)
    requests = list(own.peer_requests.all())
    for request in requests[:2]:
        answer(request, 3, "Upward comment")
    answer_all(own)
    workflow.submit(own, by=engineer)
    shared = share(own, manager, calibrator)
    client.force_login(engineer)
    page = client.get(shared.get_review_url()).text
    assert "Upward comment" not in page
    assert "Not enough responses to show" in page


def test_no_pdf_export_history_or_results_file_names_an_anonymous_colleague(
    client, own, engineer, manager, calibrator, calibrators, three_answered, tmp_path
):
    from tests.assessments.test_packets import pdf_words

    shared = share(own, manager, calibrator)
    names = [str(r.peer) for r in three_answered]
    client.force_login(manager)
    packet_pdf = client.get(reverse("assessments:packet-pdf", args=[shared.pk]))
    words = pdf_words(packet_pdf.content, tmp_path)
    assert "Peer input" in words
    assert "without names" in words
    history = client.get(reverse("assessments:history", args=[shared.pk])).text
    client.force_login(calibrator)
    results = client.get(reverse("assessments:results-csv", args=[shared.cycle_id]))
    client.force_login(engineer)
    export = client.get(reverse("assessments:export-markdown", args=[shared.pk])).text
    export_pdf = pdf_words(
        client.get(reverse("assessments:export-pdf", args=[shared.pk])).content, tmp_path
    )
    files = {
        "packet PDF": words,
        "history": history,
        "results CSV": b"".join(
            results.streaming_content if results.streaming else [results.content]
        ).decode(),
        "export": export,
        "export PDF": export_pdf,
    }
    for where, text in files.items():
        for name in names:
            assert name not in text, (where, name)


def test_a_decline_changes_no_count_the_engineer_reads(client, own, engineer, manager, colleagues):
    requests = asked_of(own, colleagues[:4], manager)
    client.force_login(engineer)
    before = client.get(own.get_absolute_url()).text
    listing_before = client.get(reverse("assessments:peers", args=[own.pk])).text
    assert "(4 so far)" in before
    peers.decline(requests[0], by=requests[0].peer, reason="Busy")
    assert "(4 so far)" in client.get(own.get_absolute_url()).text
    listing = client.get(reverse("assessments:peers", args=[own.pk])).text
    assert "4 of 4 colleagues" in listing_before
    assert "4 of 4 colleagues" in listing
    # Nor does a place come back for the engineer; the manager, who reads the decline,
    # asks someone else.
    UserFactory(username="fifth")
    assert nominate(client, own, "fifth").status_code == 400
    client.force_login(manager)
    assert "3 of 4 colleagues" in client.get(reverse("assessments:peers", args=[own.pk])).text
    assert nominate(client, own, "fifth").status_code == 302
