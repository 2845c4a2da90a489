"""Saves, submits and starts that arrive at the same moment (PostgreSQL, real threads)."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from assessments.models import Assessment, Rating
from assessments.services import save_rating, start_assessment
from tests.assessments.conftest import answer_all

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite takes one write lock for the whole database, so writers cannot interleave",
    ),
]


def test_a_save_during_a_submit_waits_and_is_refused(assessment):
    answer_all(assessment)
    rating = Rating.objects.filter(assessment=assessment).first()
    locked, outcome = threading.Event(), {}

    def submit_slowly():
        with transaction.atomic():
            fresh = Assessment.objects.select_for_update().get(pk=assessment.pk)
            fresh.status, fresh.submitted_at = Assessment.Status.SUBMITTED, fresh.created_at
            fresh.save(update_fields=["status", "submitted_at"])
            locked.set()
            time.sleep(0.5)
        connection.close()

    def save_meanwhile():
        locked.wait(timeout=5)
        try:
            save_rating(rating=rating, score=None, evidence="late", base_version=rating.version)
            outcome["saved"] = True
        except PermissionDenied:
            outcome["refused"] = True
        connection.close()

    threads = [threading.Thread(target=submit_slowly), threading.Thread(target=save_meanwhile)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert outcome == {"refused": True}
    assert not Rating.objects.filter(assessment=assessment, score__isnull=True).exists()


def test_starting_twice_at_once_gives_one_assessment(cycle, engineer, on_ic5):
    results, errors = [], []

    def start():
        try:
            results.append(start_assessment(cycle=cycle, engineer=engineer).pk)
        except Exception as error:  # every failure is reported, none hidden
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert len(set(results)) == 1
    assert Assessment.objects.filter(cycle=cycle, engineer=engineer).count() == 1
