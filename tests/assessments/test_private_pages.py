"""Pages with a person's assessment stay out of caches; signing out forgets local copies."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_assessment_page_its_progress_and_autosave_are_not_stored(client, engineer, assessment):
    client.force_login(engineer)
    rating = assessment.ratings.first()
    responses = [
        client.get(assessment.get_absolute_url()),
        client.get(reverse("assessments:progress", args=[assessment.pk])),
        client.post(
            reverse("assessments:save", args=[assessment.pk, rating.behaviour_id]),
            {"score": "3", "evidence": "Private", "version": "0"},
            HTTP_HX_REQUEST="true",
        ),
    ]
    for response in responses:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
