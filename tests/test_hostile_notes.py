"""Hostile notes, saved as evidence, manager comments, summaries and the committee's reason,
then read back from every output that shows them: no script, handler or dangerous link
survives anywhere.

The corpus is tests/hostile_notes/, one note per file. One assessment carries all of
them (each as one behaviour's evidence and another's comment; all together as the
summary and the committee's reason), and a second, identical assessment carries plain
notes. Every HTML page is parsed and its dangerous features counted, for both: the
page's own scripts, forms and htmx attributes are in both counts, so what the hostile
one has more of is what survived from the notes. That must be nothing.
"""

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assessments import workflow
from assessments.models import SUMMARY_MAX_LENGTH, Assessment, Rating
from assessments.services import (
    save_rating,
    save_review_rating,
    save_review_summary,
    start_assessment,
)
from tests.assessments.conftest import make_cycle
from tests.default_scale import Outcome, Score
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]

CORPUS = sorted((Path(__file__).parent / "hostile_notes").glob("*.md"))
NOTES = [path.read_text().rstrip("\n") for path in CORPUS]

# Elements that have no place in rendered notes.
DANGEROUS_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "form", "input", "button", "textarea", "select", "base", "meta", "link",
    "template", "noscript", "video", "audio", "source", "details",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset",
    "background", "cite", "srcdoc", "content",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
INVISIBLE = re.compile(r"[\x00-\x20\u200b-\u200f\u202a-\u202e\ufeff]+")


def dangers(html: str) -> Counter:
    """Dangerous features in a page, by kind."""
    found = Counter()
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        if tag.name in DANGEROUS_TAGS:
            found[f"<{tag.name}>"] += 1
        for name, value in tag.attrs.items():
            name = name.lower()
            value = " ".join(value) if isinstance(value, list) else value
            if name.startswith("on"):
                found["event handler"] += 1
            elif name.startswith(("hx-", "data-hx-", "x-", "@", ":")):
                found[f"{name.split('-')[0]} attribute"] += 1
            elif name == "style":
                found["style attribute"] += 1
            elif name in URL_ATTRIBUTES and INVISIBLE.sub("", value).lower().startswith(
                BAD_SCHEMES
            ):
                found[f"{name}={INVISIBLE.sub('', value)[:11]}"] += 1
    return found


def survivors(hostile: str, plain: str) -> Counter:
    return dangers(hostile) - dangers(plain)


class Site:
    """An engineer on IC5, their manager, a committee; one assessment taken to shared results."""

    def __init__(self, ic5, name: str, notes: list[str]):
        self.engineer = UserFactory(username=f"{name}-engineer", track=ic5.track, level_code="IC5")
        self.manager = UserFactory(username=f"{name}-manager")
        self.engineer.manager = self.manager
        self.engineer.save(update_fields=["manager"])
        self.calibrator = UserFactory(username=f"{name}-calibrator")
        self.cycle = make_cycle(ic5.framework, name=f"{name} cycle")
        committee = Group.objects.create(name=f"{name} committee")
        committee.user_set.add(self.calibrator)
        self.cycle.calibrators = committee
        self.cycle.save(update_fields=["calibrators"])
        self.assessment = start_assessment(cycle=self.cycle, engineer=self.engineer)
        ratings = list(self.assessment.ratings.order_by("behaviour__order", "pk"))
        assert len(ratings) >= len(notes), "the level needs a behaviour for every note"
        for i, rating in enumerate(ratings):
            result = save_rating(
                rating=rating,
                score=Score.CONSISTENTLY,
                evidence=notes[i % len(notes)],
                base_version=rating.version,
            )
            assert result.saved
        workflow.submit(self.assessment, by=self.engineer)
        for i, rating in enumerate(Rating.objects.filter(assessment=self.assessment)):
            save_review_rating(
                rating=rating,
                by=self.manager,
                score=Score.CONSISTENTLY,
                comment=notes[(i + 7) % len(notes)],
                base_version=rating.manager_version,
            )
        self.assessment.refresh_from_db()
        together = "\n\n".join(notes)[:SUMMARY_MAX_LENGTH]
        save_review_summary(
            assessment=self.assessment,
            by=self.manager,
            summary=together,
            outcome=Outcome.AT,
            base_version=self.assessment.review_version,
        )
        self.assessment.refresh_from_db()
        workflow.finish_review(self.assessment, by=self.manager)
        self.assessment.refresh_from_db()
        reason = "\n\n".join(reversed(notes))[:SUMMARY_MAX_LENGTH]
        workflow.record_decision(
            self.assessment, by=self.calibrator, outcome=Outcome.AT, reason=reason
        )
        workflow.close_calibration(self.cycle, by=self.calibrator, confirmed=True)

    def client(self, who: str) -> Client:
        client = Client()
        client.force_login(getattr(self, who))
        return client

    def pages(self, admin_user) -> dict[str, tuple[str, str]]:
        """Every page that shows the notes: name -> (who opens it, address)."""
        pk = self.assessment.pk
        return {
            "engineer's page": ("engineer", reverse("assessments:assessment", args=[pk])),
            "engineer's review": ("engineer", reverse("assessments:review", args=[pk])),
            "review page": ("manager", reverse("assessments:review", args=[pk])),
            "packet page": ("manager", reverse("assessments:packet", args=[pk])),
            "history": ("manager", reverse("assessments:history", args=[pk])),
            "committee's review": ("calibrator", reverse("assessments:review", args=[pk])),
            "calibration": (
                "calibrator",
                reverse("assessments:calibration", args=[self.cycle.pk]),
            ),
            "disagreements": (
                "calibrator",
                reverse("assessments:disagreements", args=[self.cycle.pk]),
            ),
            "admin: assessment": (
                "admin",
                reverse("admin:assessments_assessment_change", args=[pk]),
            ),
            "admin: assessments": ("admin", reverse("admin:assessments_assessment_changelist")),
            "admin: history events": ("admin", reverse("admin:assessments_event_changelist")),
        }


@pytest.fixture
def sites(ic5, admin_user):
    hostile = Site(ic5, "hostile", NOTES)
    plain = Site(ic5, "plain", [f"Plain note {i}: shipped the ranking model." for i in NOTES])
    hostile.admin = plain.admin = admin_user
    return hostile, plain


def test_the_corpus_covers_what_it_must():
    assert len(NOTES) >= 30
    text = "\n".join(NOTES).lower()
    for shape in [
        "<script", "<style", "onerror=", "onclick=", "javascript:", "data:", "vbscript:",
        "]: javascript:", "<javascript:", "&#106;", "java\tscript", "<svg", "<math",
        "<iframe", "<form", "hx-get", "x-data", "@click", "expression(", "<object",
    ]:  # fmt: skip
        assert shape in text, shape


def test_every_page_showing_notes_has_no_survivors(sites):
    hostile, plain = sites
    found = {}
    for name, (who, url) in hostile.pages(hostile.admin).items():
        _, plain_url = plain.pages(plain.admin)[name]
        mine = hostile.client(who).get(url)
        theirs = plain.client(who).get(plain_url)
        assert mine.status_code == theirs.status_code == 200, name
        if left := survivors(mine.content.decode(), theirs.content.decode()):
            found[name] = dict(left)
    assert found == {}


def test_the_notes_are_shown_as_text_not_dropped(sites):
    hostile, _ = sites
    page = hostile.client("manager").get(
        reverse("assessments:review", args=[hostile.assessment.pk])
    )
    text = BeautifulSoup(page.content, "html.parser").get_text()
    assert "Shipped the ranking model." in text
    assert "read the doc" in text
    assert "{{ request.user.password }}" in text


def test_the_counter_finds_what_the_sanitiser_removes():
    # The check must be able to fail: raw notes, unsanitised, are full of survivors.
    raw = "\n".join(NOTES)
    assert sum(survivors(raw, "").values()) > 40


@pytest.mark.parametrize(
    ("who", "url_name"),
    [("manager", "assessments:packet-pdf"), ("engineer", "assessments:export-pdf")],
)
def test_pdfs_carry_no_script_and_no_dangerous_link(sites, who, url_name):
    hostile, _ = sites
    response = hostile.client(who).get(reverse(url_name, args=[hostile.assessment.pk]))
    assert response.status_code == 200
    data = b"".join(response) if response.streaming else response.content
    reader = PdfReader(io.BytesIO(data))
    assert "/JavaScript" not in reader.trailer["/Root"].get("/Names", {})
    assert "/OpenAction" not in reader.trailer["/Root"]
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert action.get("/S") not in ("/JavaScript", "/Launch")
            uri = INVISIBLE.sub("", str(action.get("/URI", ""))).lower()
            assert not uri.startswith(BAD_SCHEMES), uri


def test_the_markdown_export_is_a_download_never_a_page(sites):
    hostile, _ = sites
    response = hostile.client("engineer").get(
        reverse("assessments:export-markdown", args=[hostile.assessment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    # The engineer's words are kept as written: it is their copy.
    assert "<script>alert('script')</script>" in response.content.decode()


def test_the_results_csv_runs_no_formula(sites):
    hostile, _ = sites
    response = hostile.client("calibrator").get(
        reverse("assessments:results-csv", args=[hostile.cycle.pk])
    )
    assert response.status_code == 200
    body = b"".join(response).decode() if response.streaming else response.content.decode()
    import csv

    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert cells
    assert not [c for c in cells if c.lstrip().startswith(("=", "+", "-", "@"))]


def test_every_note_is_in_the_assessment(sites):
    hostile, _ = sites
    saved = set(
        Assessment.objects.get(pk=hostile.assessment.pk).ratings.values_list("evidence", flat=True)
    )
    assert set(NOTES) <= saved
