"""The admin's forms say what is wrong in words, not with a constraint's name."""

import pytest
from django.apps import apps
from django.db.models import CheckConstraint, UniqueConstraint
from django.urls import reverse

from assessments.models import Cycle
from tests.factories import level_doc, make_framework

pytestmark = pytest.mark.django_db

DEADLINES_MESSAGE = "Deadlines go in order: self-assessment, then manager review, then calibration."


def test_cycle_form_says_once_that_deadlines_go_in_order_and_hides_the_constraint(
    client, superuser
):
    framework = make_framework(level_doc())
    client.force_login(superuser)
    response = client.post(
        reverse("admin:assessments_cycle_add"),
        {
            "name": "2027 H1 review",
            "framework": framework.pk,
            "status": Cycle.Status.PLANNED,
            "self_assessment_due": "2027-03-20",
            "manager_review_due": "2027-03-10",
            "calibration_due": "2027-03-30",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(DEADLINES_MESSAGE) == 1
    assert "cycle_deadlines_in_order" not in html
    assert "is violated" not in html
    assert not Cycle.objects.exists()


# The apps whose models this project writes; Django's own keep Django's wording.
PROJECT_APPS = ("ladder", "assessments")


def named_constraints():
    """Constraints whose failure model validation reports with their own message."""
    for app_label in PROJECT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            for constraint in model._meta.constraints:
                conditional = getattr(constraint, "condition", None) is not None
                if isinstance(constraint, CheckConstraint) or (
                    isinstance(constraint, UniqueConstraint) and conditional
                ):
                    yield pytest.param(constraint, id=constraint.name)


@pytest.mark.parametrize("constraint", list(named_constraints()))
def test_constraint_explains_itself_without_its_name(constraint):
    message = constraint.get_violation_error_message()
    assert constraint.violation_error_message != constraint.default_violation_error_message
    assert constraint.name not in message
