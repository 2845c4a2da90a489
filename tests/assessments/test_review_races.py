"""Two saves of one review at the same moment, in two server threads (PostgreSQL's locks)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment, Event, Rating

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's")
def test_two_first_saves_of_a_review_both_land(submitted, manager):
    # Both find the assessment submitted, so both try to start the review.
    behaviours = list(
        Rating.objects.filter(assessment=submitted).values_list("behaviour_id", flat=True)[:2]
    )
    start, statuses = threading.Barrier(2), []

    def save(behaviour_id):
        client = Client(raise_request_exception=False)
        client.force_login(manager)
        url = reverse("assessments:review-save", args=[submitted.pk, behaviour_id])
        start.wait()
        response = client.post(url, {"version": 0, "score": 2}, HTTP_HX_REQUEST="true")
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=save, args=(b,)) for b in behaviours]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    assert Rating.objects.filter(assessment=submitted, manager_score=2).count() == 2
    assert Assessment.objects.get(pk=submitted.pk).status == Assessment.Status.IN_REVIEW
    assert Event.objects.filter(assessment=submitted, kind="review_started").count() == 1
