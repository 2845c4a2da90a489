"""Peer input where the cycle asks per behaviour: a colleague answers each behaviour the
level expects, and readers see each behaviour's answers under its area, with the area's
figures summed, anonymous where they must be."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments import peers, workflow
from assessments.models import PeerAnswer, PeerRequest
from assessments.progress import outline_of
from tests.assessments.conftest import answer_all
from tests.assessments.test_peer_input import answer, asked_of, share

Status = PeerRequest.Status


@pytest.fixture
def peer_cycle(cycle):
    cycle.peers_min, cycle.peers_max, cycle.peers_by_behaviour = 3, 4, True
    cycle.save(update_fields=["peers_min", "peers_max", "peers_by_behaviour"])
    return cycle


def behaviours_of(assessment) -> list:
    return [b for a in outline_of(assessment.level).areas for g in a.groups for b in g.behaviours]


def test_a_colleague_answers_each_behaviour_of_the_level_then_sends(
    client, own, manager, colleagues
):
    (request,) = asked_of(own, colleagues[:1], manager)
    behaviours = behaviours_of(own)
    assert request.answers.count() == len(behaviours) == 58
    assert not request.answers.filter(behaviour__isnull=True).exists()
    client.force_login(colleagues[0])
    page = client.get(request.get_absolute_url()).text
    assert "For each behaviour their level expects" in page
    assert page.count('class="rating-form"') == 58
    first = behaviours[0]
    url = reverse("assessments:peer-input-save-behaviour", args=[request.pk, first.id])
    assert f'action="{url}"' in page
    saved = client.post(
        url, {"score": "3", "evidence": "Saw **this**", "version": 0}, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200
    assert "<strong>this</strong>" in saved.text
    row = request.answers.get(behaviour_id=first.id)
    assert (row.score, row.version) == (3, 1)
    # The per-area address knows nothing of this request's answers.
    area_url = reverse("assessments:peer-input-save", args=[request.pk, row.area_id])
    assert client.post(area_url, {"score": "3", "version": 0}).status_code == 404

    refused = client.post(reverse("assessments:peer-input-submit", args=[request.pk]), follow=True)
    assert "57 behaviours still need an answer" in refused.text
    answer(request, 2)
    request.refresh_from_db()
    assert request.status == Status.ANSWERED
    sent = client.get(request.get_absolute_url()).text
    assert "You sent your input" in sent
    assert first.text.split()[0] in sent


@pytest.fixture
def three_answered(own, manager, colleagues):
    """Three colleagues answered every behaviour, each with their own comment on the
    first behaviour of each area only."""
    requests = asked_of(own, colleagues[:3], manager)
    firsts = [a.groups[0].behaviours[0].id for a in outline_of(own.level).areas]
    for number, request in enumerate(requests):
        answer(request, 2 + number % 2, send=False)
        PeerAnswer.objects.filter(request=request, behaviour_id__in=firsts).update(
            evidence_html=f"<p>Comment by {request.peer.first_name}</p>"
        )
        peers.submit(request, by=request.peer)
    answer_all(own)
    workflow.submit(own, by=own.engineer)
    own.refresh_from_db()
    return requests


def test_the_manager_reads_each_behaviours_answers_under_its_area(
    client, own, manager, three_answered
):
    client.force_login(manager)
    page = client.get(own.get_review_url()).text
    assert "3 of 3 colleagues asked answered" in page
    area = outline_of(own.level).areas[0]
    part = page[page.index(f'id="{area.key}"') :]
    part = part[: part.index('class="rating review-row')]
    # The area's figures sum its behaviours' answers: 3 colleagues x its behaviours.
    behaviours = sum(len(g.behaviours) for g in area.groups)
    assert f'max="{3 * behaviours}"' in part
    assert part.count('class="peer-counts"') == behaviours
    assert part.count("Comment by") == 3
    assert "— Zoe Peer" not in part


def test_an_anonymous_engineer_reads_a_behaviours_figures_only_where_three_scored_it(
    client, own, engineer, manager, calibrator, calibrators, three_answered
):
    first = behaviours_of(own)[0]
    # One of the three hadn't seen the first behaviour: two scores on it.
    PeerAnswer.objects.filter(request=three_answered[0], behaviour_id=first.id).update(
        score=None, not_seen=True
    )
    share(own, manager, calibrator)
    client.force_login(engineer)
    page = client.get(own.get_review_url()).text
    assert "3 colleagues answered" in page
    for name in ("Zoe", "Yan", "Xia"):
        assert f"Comment by {name}" in page
        assert f"{name} Peer" not in page
    found = peers.peer_input(own, peers.reading(engineer, own), outline_of(own.level))
    area = outline_of(own.level).areas[0]
    assert found.areas[area.key].shown  # three colleagues scored in the area
    assert not found.areas[area.key].behaviours[first.id].shown
    second = area.groups[0].behaviours[1]
    assert found.areas[area.key].behaviours[second.id].shown
    counts = re.findall(r'class="peer-counts"', page)
    assert len(counts) == len(behaviours_of(own)) - 1
    # The area's figures sum only the behaviours shown: the hidden one's two scores and
    # its "not seen" can't be had by taking the others from the area's.
    summed = found.areas[area.key]
    shown = [b for b in summed.behaviours.values() if b.shown]
    assert summed.scored == sum(b.scored for b in shown) == 3 * len(shown)
    assert summed.not_seen == 0
    # The manager, who may read every figure, reads the whole sum.
    whole = peers.peer_input(own, peers.reading(manager, own), outline_of(own.level))
    assert whole.areas[area.key].scored == summed.scored + 2
    assert whole.areas[area.key].not_seen == 1


def test_the_packet_says_the_area_counts_sum_answers_per_behaviour(
    client, own, manager, three_answered
):
    client.force_login(manager)
    packet = client.get(reverse("assessments:packet", args=[own.pk])).text
    assert "per behaviour: each area counts the answers on its behaviours" in packet
    assert "Comment by" in packet


def test_hostile_evidence_on_a_behaviour_is_made_safe_on_the_review(
    client, own, manager, colleagues
):
    requests = asked_of(own, colleagues[:3], manager)
    first = behaviours_of(own)[0]
    for request in requests:
        answer(request, 3, send=False)
        answer_row = request.answers.get(behaviour_id=first.id)
        peers.save_answer(
            request,
            answer_row,
            score=3,
            evidence="<script>alert(1)</script><img src=x onerror=alert(2)> "
            "[x](javascript:alert(3))",
            base_version=answer_row.version,
            labels={},
        )
        peers.submit(request, by=request.peer)
    answer_all(own)
    workflow.submit(own, by=own.engineer)
    client.force_login(manager)
    page = client.get(own.get_review_url()).text
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:alert" not in page


def test_the_choice_is_fixed_in_the_admin_once_anyone_is_asked(
    admin_client, own, manager, colleagues
):
    change = reverse("admin:assessments_cycle_change", args=[own.cycle_id])
    assert 'name="peers_by_behaviour"' in admin_client.get(change).text
    asked_of(own, colleagues[:1], manager)
    page = admin_client.get(change).text
    assert 'name="peers_by_behaviour"' not in page
    assert "Colleagues answer each behaviour" in page
