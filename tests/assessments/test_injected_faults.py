"""A database error at any statement of a save, a submit, a review's finish or a committee
decision leaves every row as it was, or the whole change made: ratings, versions,
statuses, history and jobs, never a part of them.

Each request is made once without a fault, to count its statements and see what a
complete change looks like, then once per statement with an OperationalError raised in
place of that statement (as a dropped connection or a failover would), each time from
the same starting state. After every attempt the tables must equal the snapshot taken
before it, or, for a fault after the change was committed (a read for the answer's
message, say), the complete change. The complete change must differ from the start, so
the comparison can't pass by comparing nothing.
"""

import datetime
import uuid

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessments.models import Assessment, Cycle, Event, Rating
from tests.default_scale import Outcome, Score

pytestmark = pytest.mark.django_db


def normalised(value):
    # Times and job ids differ between two runs of the same request.
    if isinstance(value, datetime.datetime | uuid.UUID):
        return type(value).__name__
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def snapshot() -> dict:
    """Everything a request of these could write, as plain values."""
    return normalised(
        {
            "ratings": list(Rating.objects.order_by("pk").values()),
            "assessments": list(Assessment.objects.order_by("pk").values()),
            # Without their ids: PostgreSQL's sequences move on even when a transaction doesn't.
            "events": [
                {k: v for k, v in event.items() if k != "id"}
                for event in Event.objects.order_by("pk").values()
            ],
            "cycles": list(Cycle.objects.order_by("pk").values()),
            # Job ids are random: jobs are compared as a sorted list of what they are.
            "jobs": sorted(
                (str(job["status"]), repr(job["args_kwargs"]), job["task_path"])
                for job in DBTaskResult.objects.values("status", "args_kwargs", "task_path")
            ),
        }
    )


class Counter:
    def __init__(self):
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        return execute(sql, params, many, context)


class FailAt:
    def __init__(self, at: int):
        self.at, self.seen = at, 0

    def __call__(self, execute, sql, params, many, context):
        self.seen += 1
        if self.seen == self.at:
            raise OperationalError(f"injected at statement {self.at}: {sql[:60]}")
        return execute(sql, params, many, context)


def each_statement_fails_cleanly(client: Client, url: str, data: dict) -> int:
    """Run the request with a fault at each of its statements; return how many there were."""
    before = snapshot()
    counter = Counter()
    with transaction.atomic():
        with connection.execute_wrapper(counter):
            response = client.post(url, data)
        assert response.status_code in (200, 302)
        complete = snapshot()
        transaction.set_rollback(True)
    assert counter.statements > 2
    assert complete != before, "the request changed nothing even without a fault"
    for at in range(1, counter.statements + 1):
        with transaction.atomic():
            with connection.execute_wrapper(FailAt(at)):
                response = client.post(url, data)
            # A failed statement may leave the connection's transaction broken; the
            # snapshot is read inside the attempt's savepoint, so roll back to it first.
            assert response.status_code in (302, 400, 409, 503), (at, response.status_code)
            after = snapshot_after_failure()
            transaction.set_rollback(True)
        assert after in (before, complete), (
            f"a fault at statement {at} of {counter.statements} left a part of the change"
        )
    return counter.statements


def snapshot_after_failure() -> dict:
    sid = transaction.savepoint_create()
    try:
        return snapshot()
    finally:
        transaction.savepoint_rollback(sid)


@pytest.fixture
def calm():
    def make(user) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    return make


def test_an_autosave(calm, assessment, engineer):
    rating = assessment.ratings.order_by("pk").first()
    url = reverse("assessments:save", args=[assessment.pk, rating.behaviour_id])
    data = {"score": Score.CONSISTENTLY, "evidence": "Shipped it.", "version": rating.version}
    each_statement_fails_cleanly(calm(engineer), url, data)


def test_a_submit(calm, assessment, engineer):
    Rating.objects.filter(assessment=assessment).update(score=Score.CONSISTENTLY)
    url = reverse("assessments:submit", args=[assessment.pk])
    each_statement_fails_cleanly(calm(engineer), url, {})


def test_a_review_autosave(calm, submitted, manager):
    rating = submitted.ratings.order_by("pk").first()
    url = reverse("assessments:review-save", args=[submitted.pk, rating.behaviour_id])
    data = {"score": Score.SOMETIMES, "comment": "Once.", "version": rating.manager_version}
    each_statement_fails_cleanly(calm(manager), url, data)


def test_finishing_a_review(calm, submitted, manager):
    Rating.objects.filter(assessment=submitted).update(manager_score=Score.CONSISTENTLY)
    Assessment.objects.filter(pk=submitted.pk).update(
        proposed_outcome=Outcome.AT, summary="Solid.", summary_html="<p>Solid.</p>"
    )
    url = reverse("assessments:review-finish", args=[submitted.pk])
    each_statement_fails_cleanly(calm(manager), url, {})


def test_a_committee_decision(calm, reviewed, calibrator, calibrators):
    url = reverse("assessments:decide", args=[reviewed.pk])
    data = {"outcome": Outcome.STRONG, "reason": "Led the migration across three teams."}
    each_statement_fails_cleanly(calm(calibrator), url, data)
