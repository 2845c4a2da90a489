"""The calibration packet: its page and its PDF, what they show, and who may read them."""

import http.server
import re
import struct
import subprocess
import threading
from html import unescape

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from markupsafe import escape

from assessments import workflow
from assessments.models import Assessment, Rating, evidence_html
from assessments.packets.content import EXCERPT_CHARACTERS, MAX_DISAGREEMENTS
from assessments.packets.pdf import BASE_URL, html_to_pdf, static_path
from assessments.packets.text import shorten
from assessments.permissions import LARGEST_ID
from assessments.services import start_assessment
from ladder.formats.markdown import parse_ladder
from ladder.services import import_levels
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.conftest import SEED_PATH
from tests.default_scale import Outcome
from tests.factories import UserFactory, level_doc, make_framework

pytestmark = pytest.mark.django_db

# Page sizes in points, as pdftoppm draws them at 72 dots per inch (A4's 595.3 rounds up).
A4 = (596, 842)
LETTER = (612, 792)


def packet_url(assessment) -> str:
    return reverse("assessments:packet", args=[assessment.pk])


def pdf_url(assessment, paper: str = "") -> str:
    url = reverse("assessments:packet-pdf", args=[assessment.pk])
    return f"{url}?paper={paper}" if paper else url


# ---- reading PDFs the way a person would: as text and as pictures of pages


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page in reading order, as pdftotext finds it."""
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def pdf_words(pdf: bytes, tmp_path) -> str:
    """All the PDF's text on one line, single-spaced: what wraps where doesn't matter."""
    return " ".join(" ".join(pdf_pages(pdf, tmp_path)).split())


def page_sizes(pdf: bytes, tmp_path) -> list[tuple[int, int]]:
    """Each page's size in points, read from pdftoppm's pictures of it at 72 dpi."""
    path = tmp_path / "draw.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", str(path), str(tmp_path / "page")],
        capture_output=True,
        check=True,
    )
    sizes = []
    for png in sorted(tmp_path.glob("page-*.png")):
        width, height = struct.unpack(">II", png.read_bytes()[16:24])
        sizes.append((width, height))
    return sizes


def words_outside_the_page(pdf: bytes, tmp_path) -> list[str]:
    """Words that pdftotext finds even partly beyond a page's edges: text that was clipped."""
    path = tmp_path / "bbox.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    outside, width, height = [], 0.0, 0.0
    for line in html.splitlines():
        line = line.strip()
        if line.startswith("<page "):
            width = float(line.split('width="')[1].split('"')[0])
            height = float(line.split('height="')[1].split('"')[0])
        elif line.startswith("<word "):
            box = {
                key: float(line.split(f'{key}="')[1].split('"')[0])
                for key in ("xMin", "yMin", "xMax", "yMax")
            }
            if box["xMin"] < 0 or box["yMin"] < 0 or box["xMax"] > width or box["yMax"] > height:
                outside.append(line.split(">")[1].split("<")[0])
    return outside


# ---- people and assessments


@pytest.fixture
def other_calibrator(cycle, ic5):
    """On the committee of another cycle of the same framework."""
    other = make_cycle(ic5.framework, name="2026 H1 review")
    group = Group.objects.create(name="H1 calibrators")
    person = UserFactory(username="other-calibrator")
    group.user_set.add(person)
    other.calibrators = group
    other.save(update_fields=["calibrators"])
    return person


def ratings_in(assessment, kind: str):
    return Rating.objects.filter(assessment=assessment, behaviour__area__key=kind)


def in_ladder_order(assessment) -> list[Rating]:
    return list(
        assessment.ratings.select_related("behaviour").order_by(
            "behaviour__area__order", "behaviour__order"
        )
    )


def write(rating: Rating, **fields) -> None:
    """Give a rating scores and texts, rendering the texts as the app's saves do."""
    if "evidence" in fields:
        fields["evidence_html"] = evidence_html(fields["evidence"])
    if "manager_comment" in fields:
        fields["manager_comment_html"] = evidence_html(fields["manager_comment"])
    Rating.objects.filter(pk=rating.pk).update(**fields)


# ---- what the packet shows


def test_the_packet_says_who_at_which_level_reviewed_by_whom_in_which_cycle(
    client, manager, reviewed, engineer
):
    engineer.first_name, engineer.last_name = "Noor", "Haddad"
    engineer.save(update_fields=["first_name", "last_name"])
    manager.first_name, manager.last_name = "Mira", "Okafor"
    manager.save(update_fields=["first_name", "last_name"])
    client.force_login(manager)
    response = client.get(packet_url(reviewed))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="packet-name" id="packet-name">Noor Haddad</h1>' in html
    assert '<span class="level-code">IC5</span> Staff Machine Learning Engineer' in html
    assert "<dt>Track</dt><dd>Machine Learning</dd>" in html
    assert "<dt>Manager</dt><dd>Mira Okafor</dd>" in html
    assert "<dt>Cycle</dt><dd>2026 H2 review</dd>" in html
    assert "<dt>Proposed</dt><dd><strong>At level</strong></dd>" in html
    assert "<dt>Decision</dt><dd>Not decided yet</dd>" in html


def test_the_packet_rolls_up_self_and_manager_scores_per_area(client, manager, reviewed):
    ratings_in(reviewed, "results").update(score=4, manager_score=2)
    # "No evidence yet" is an answer, not a position: it leaves the average out.
    ratings_in(reviewed, "craft").update(manager_score=0)
    client.force_login(manager)
    html = client.get(packet_url(reviewed)).content.decode()
    row = '<tr{}><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>'
    assert row.format(' class="differs"', "Results", "4.0", "2.0", "−2.0") in html
    assert row.format("", "Scope", "3.0", "3.0", "0.0") in html
    assert row.format("", "Craft", "3.0", "–", "–") in html
    # The chart: one pair of bars per area, the manager's bar half the self bar for Results.
    assert html.count('fill="#9aa5b4"/>') == 8
    assert "Results: self 4.0, manager 2.0." in html
    assert '<rect x="168" y="120" width="240" height="13" rx="2" fill="#9aa5b4"/>' in html
    assert '<rect x="168" y="135" width="120" height="13" rx="2" fill="#0f5f73"/>' in html


def test_the_largest_disagreements_come_first(client, manager, reviewed):
    first, second, third, *_ = in_ladder_order(reviewed)
    write(
        third, score=4, manager_score=1, manager_comment="Not in this half: see the **postmortem**."
    )
    write(first, score=3, manager_score=2)
    write(second, score=2, manager_score=4, evidence="Ran the on-call rotation.")
    client.force_login(manager)
    html = client.get(packet_url(reviewed)).content.decode()
    section = html[html.index("Largest disagreements") : html.index("Strongest evidence")]
    assert "3 of 58 pairs scored differently (a pair is a behaviour both scored on the " in section
    assert "“No evidence yet” on neither side); the largest first." in unescape(section)
    positions = [section.index(str(escape(r.behaviour.text))) for r in (third, second, first)]
    assert positions == sorted(positions)
    assert (
        'Self: Beyond this level</span> <span class="chip chip-manager">Manager: Not yet' in section
    )
    assert "manager 3 steps lower" in section
    assert "manager 2 steps higher" in section
    assert "manager 1 step lower" in section
    assert "Manager:</span> Not in this half: see the postmortem." in section
    assert "Evidence:</span> Ran the on-call rotation." in section


def test_the_packet_keeps_to_the_largest_disagreements(client, manager, reviewed):
    ratings = in_ladder_order(reviewed)
    for rating in ratings[:10]:
        write(rating, manager_score=1)  # 3 steps lower
    write(ratings[-1], manager_score=4)  # 1 step higher, the smallest: left out
    client.force_login(manager)
    html = client.get(packet_url(reviewed)).content.decode()
    section = html[html.index("Largest disagreements") : html.index("Strongest evidence")]
    assert "11 of 58 pairs scored differently" in section
    assert "the largest first; 5 more on the review page." in section
    assert section.count('<li class="packet-item">') == MAX_DISAGREEMENTS == 6
    assert str(escape(ratings[-1].behaviour.text)) not in section


def test_no_evidence_on_either_side_is_not_a_pair(client, manager, reviewed):
    ratings = in_ladder_order(reviewed)
    write(ratings[0], score=0, manager_score=2)  # "No evidence yet" against a score
    write(ratings[1], score=3, manager_score=1)
    client.force_login(manager)
    html = client.get(packet_url(reviewed)).content.decode()
    section = html[html.index("Largest disagreements") : html.index("Strongest evidence")]
    assert "1 of 57 pairs scored differently" in section
    assert str(escape(ratings[0].behaviour.text)) not in section


def test_a_packet_without_disagreements_says_so(client, manager, reviewed):
    client.force_login(manager)
    html = client.get(packet_url(reviewed)).content.decode()
    assert (
        "No disagreements: the manager’s score matches the engineer’s on every behaviour." in html
    )


def test_the_strongest_evidence_is_what_the_manager_rated_highest(client, manager, reviewed):
    ratings = in_ladder_order(reviewed)
    long_evidence = "Led the ranking migration across four markets. " + " ".join(
        f"Step{n} shipped and measured." for n in range(60)
    )
    write(ratings[10], manager_score=4, evidence=long_evidence)
    write(ratings[20], manager_score=4, evidence="Wrote the **evaluation standard**.")
    write(ratings[30], manager_score=3, evidence="Mentored two engineers.")
    write(ratings[40], manager_score=2, evidence="Fixed a flaky test.")
    write(ratings[50], manager_score=1, evidence="Weak evidence, rated lowest.")
    client.force_login(manager)
    html = client.get(packet_url(reviewed)).content.decode()
    section = html[html.index("Strongest evidence") : html.index("Manager’s summary")]
    shown = [ratings[i] for i in (10, 20, 30, 40)]
    positions = [section.index(str(escape(r.behaviour.text))) for r in shown]
    assert positions == sorted(positions)
    assert "Weak evidence" not in section
    assert "Wrote the evaluation standard.</blockquote>" in section
    excerpt = section.split('<blockquote class="packet-excerpt">')[1].split("</blockquote>")[0]
    assert excerpt.startswith("Led the ranking migration across four markets.")
    assert excerpt.endswith("shipped and measured.")  # cut after a whole sentence
    assert len(excerpt) <= EXCERPT_CHARACTERS
    assert "(shortened: the whole text is on the review page)" in section


def test_evidence_is_shortened_at_a_sentence_or_a_word_never_inside_one():
    sentences = "One thing shipped. " * 30
    cut, shortened = shorten(sentences, 100)
    assert shortened
    assert cut.endswith("shipped.")
    assert len(cut) <= 100
    words = "word " * 60
    cut, shortened = shorten(words, 42)
    assert cut == "word word word word word word word word…"
    address = "https://example.com/" + "a" * 300
    cut, _ = shorten(f"See {address}", 50)
    assert cut.endswith("…")
    assert len(cut) == 50  # a word longer than the room is cut where it must be
    assert shorten("Short and whole.", 50) == ("Short and whole.", False)


def test_the_packet_shows_the_summary_the_proposed_outcome_and_no_decision_yet(
    client, manager, reviewed
):
    Assessment.objects.filter(pk=reviewed.pk).update(
        proposed_outcome=Outcome.READY,
        summary_html=evidence_html("Ready: **led** the platform move."),
    )
    client.force_login(manager)
    html = client.get(packet_url(reviewed)).content.decode()
    assert "Proposed outcome: <strong>Ready for the next level</strong>" in html
    assert "Ready: <strong>led</strong> the platform move." in html
    assert "Not decided yet. The committee’s notes and decision appear here once recorded." in html


def test_the_packet_shows_the_committees_decision_and_notes_once_made(
    client, reviewed, calibrators, calibrator
):
    calibrator.first_name, calibrator.last_name = "Priya", "Nair"
    calibrator.save(update_fields=["first_name", "last_name"])
    workflow.record_decision(
        reviewed, by=calibrator, outcome=Outcome.STRONG, reason="Above peers on *Craft*."
    )
    client.force_login(calibrator)
    html = client.get(packet_url(reviewed)).content.decode()
    assert "<dt>Decision</dt><dd><strong>Strong at level</strong></dd>" in html
    assert "Decision: <strong>Strong at level</strong> · recorded by Priya Nair" in html
    assert "Above peers on <em>Craft</em>." in html
    assert "Not decided yet" not in html


@pytest.fixture
def with_next_level(engineer, manager):
    """IC5 (the seed) and IC6 of the same track in one published version; a reviewed IC5."""
    report = import_levels(
        framework_name="Ladder With IC6",
        documents=[
            (SEED_PATH.name, parse_ladder(SEED_PATH.read_text(), SEED_PATH.name)),
            ("ic6.md", level_doc("IC6", "Principal Machine Learning Engineer")),
        ],
        publish_version=True,
    )
    ic5 = report.framework.levels.get(code="IC5")
    engineer.track, engineer.level_code = ic5.track, "IC5"
    engineer.save(update_fields=["track", "level_code"])
    assessment = start_assessment(cycle=make_cycle(report.framework), engineer=engineer)
    answer_all(assessment)
    workflow.submit(assessment, by=engineer)
    review_all(assessment, manager)
    return assessment


def test_the_packet_lists_the_next_levels_behaviours_where_the_track_has_one(
    client, manager, with_next_level, reviewed, tmp_path
):
    client.force_login(manager)
    html = client.get(packet_url(with_next_level)).content.decode()
    assert "The next level: what IC6 Principal Machine Learning Engineer expects" in html
    assert "its 26 behaviours, for a promotion case" in html
    assert "<li>I do scope 1 well at IC6</li>" in html
    assert "<li>I do craft part 2 item 2 well at IC6</li>" in html
    # Folded on the page, unless the manager proposes a promotion.
    assert '<details class="next-details">' in html
    # Printed whole in the PDF, after the packet proper, with no folding control.
    words = pdf_words(client.get(pdf_url(with_next_level)).content, tmp_path)
    assert "The next level: what IC6 Principal Machine Learning Engineer expects" in words
    assert "I do craft part 2 item 2 well at IC6" in words
    assert "Show what IC6 expects" not in words
    # The seed alone has no level above IC5: no such section.
    assert "The next level" not in client.get(packet_url(reviewed)).content.decode()


def test_a_promotion_case_shows_the_next_level_unfolded(client, manager, with_next_level):
    Assessment.objects.filter(pk=with_next_level.pk).update(proposed_outcome=Outcome.READY)
    client.force_login(manager)
    html = client.get(packet_url(with_next_level)).content.decode()
    assert '<details class="next-details" open>' in html


def small_reviewed(manager, behaviours: int, username: str):
    framework = make_framework(
        level_doc("IC5", responsibilities=1, behaviours=behaviours), name=f"Small {behaviours}"
    )
    level = framework.levels.get()
    person = UserFactory(username=username, manager=manager, track=level.track, level_code="IC5")
    assessment = start_assessment(cycle=make_cycle(framework), engineer=person)
    answer_all(assessment)
    workflow.submit(assessment, by=person)
    review_all(assessment, manager)
    return assessment


def test_the_packet_page_reads_the_same_number_of_rows_whatever_the_level_size(
    client, manager, django_assert_num_queries
):
    small = small_reviewed(manager, 1, "small")
    large = small_reviewed(manager, 8, "large")
    assert large.ratings.count() > 4 * small.ratings.count()
    client.force_login(manager)
    counts = []
    for assessment in (small, large):
        client.get(packet_url(assessment))  # the level's outline is kept after the first view
        # ... and one more reads the person's recent packet PDFs.
        with django_assert_num_queries(5) as queries:
            assert client.get(packet_url(assessment)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# ---- what people wrote can't get out


HOSTILE = (
    "<script>alert('evidence')</script> [click me](javascript:alert(1)) "
    '<img src="https://tracker.example/pixel.png" onerror="alert(2)"> '
    '<a href="jAvAsCrIpT:alert(3)">also</a> <iframe src="https://evil.example"></iframe>'
)


def test_hostile_evidence_does_not_survive_into_the_packet_page_or_pdf(
    client, manager, reviewed, tmp_path
):
    first, second, *_ = in_ladder_order(reviewed)
    write(first, manager_score=4, evidence=HOSTILE)
    write(second, score=4, manager_score=1, manager_comment=HOSTILE, evidence=HOSTILE)
    Assessment.objects.filter(pk=reviewed.pk).update(summary_html=evidence_html(HOSTILE))
    client.force_login(manager)
    html = client.get(packet_url(reviewed)).content.decode()
    for trace in ("<script>alert", "javascript:", "jAvAsCrIpT", "onerror", "<iframe", "<img"):
        assert trace not in html
    assert "click me" in html  # the words stay, the link goes
    pdf = client.get(pdf_url(reviewed)).content
    assert b"javascript" not in pdf.lower()
    assert b"tracker.example" not in pdf
    text = pdf_words(pdf, tmp_path)
    assert "alert('evidence')" not in text  # the script's body is dropped, not printed
    assert "click me" in text


# ---- the PDF


@pytest.fixture
def long_packet(reviewed):
    """A reviewed packet long enough for several pages."""
    paragraphs = "\n\n".join(
        f"Paragraph {n}: the migration, the evaluation standard and the on-call rota."
        for n in range(70)
    )
    unbroken = "https://example.com/" + "x" * 240  # one word far wider than the page
    Assessment.objects.filter(pk=reviewed.pk).update(
        summary_html=evidence_html(f"{paragraphs}\n\n{unbroken}")
    )
    return reviewed


def test_the_packet_pdf_holds_the_names_and_the_figures(
    client, manager, reviewed, engineer, tmp_path
):
    ratings_in(reviewed, "results").update(score=4, manager_score=2)
    client.force_login(manager)
    response = client.get(pdf_url(reviewed))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    name = f"packet-2026-h2-review-ic5-{engineer.first_name}-{engineer.last_name}".lower()
    assert response["Content-Disposition"] == f'attachment; filename="{name}.pdf"'
    text = pdf_words(response.content, tmp_path)
    assert str(engineer) in text
    assert "IC5 Staff Machine Learning Engineer" in text
    assert str(manager) in text
    assert "2026 H2 review" in text
    assert "Results 4.0 2.0 −2.0" in text
    assert "Proposed outcome: At level" in text


def test_every_page_of_the_pdf_names_the_engineer_and_is_numbered(
    client, manager, long_packet, engineer, tmp_path
):
    client.force_login(manager)
    pages = pdf_pages(client.get(pdf_url(long_packet)).content, tmp_path)
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert str(engineer) in page.splitlines()[0]
        assert f"Page {number} of {len(pages)}" in page


@pytest.mark.parametrize(("paper", "size"), [("", A4), ("letter", LETTER)])
def test_the_pdf_prints_on_a4_and_on_letter_without_clipping(
    client, manager, long_packet, tmp_path, paper, size
):
    client.force_login(manager)
    response = client.get(pdf_url(long_packet, paper))
    assert response["Content-Disposition"].endswith('-letter.pdf"' if paper else '.pdf"')
    sizes = page_sizes(response.content, tmp_path)
    assert len(sizes) >= 3
    assert set(sizes) == {size}
    assert words_outside_the_page(response.content, tmp_path) == []
    # The long address wraps (across a page, maybe), every character of it printed.
    text = "".join(pdf_pages(response.content, tmp_path))
    assert sum(len(run) for run in re.findall("x{5,}", text)) == 240


def test_an_unknown_paper_falls_back_to_a4(client, manager, reviewed, tmp_path):
    client.force_login(manager)
    response = client.get(pdf_url(reviewed, "tabloid"))
    assert set(page_sizes(response.content, tmp_path)) == {A4}


class _Recorder(http.server.BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):
        self.asked.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_pdf_renderer_fetches_nothing_but_our_own_static_files(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    here = f"http://127.0.0.1:{server.server_port}"
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    try:
        html_to_pdf(
            f'<link rel="stylesheet" href="{here}/style.css">'
            f'<link rel="stylesheet" href="file://{secret}">'
            f'<link rel="stylesheet" href="/static/../ladder/site/settings.py">'
            f'<img src="{here}/pixel.png"><img src="file:///etc/passwd">'
            f'<p style="background: url({here}/bg.png)">Text</p>'
        )
    finally:
        server.shutdown()
    assert _Recorder.asked == []
    static = f"{BASE_URL}{settings.STATIC_URL.lstrip('/')}"
    assert static_path(f"{static}css/packet.css").name == "packet.css"
    for refused in (
        f"{static}../ladder/site/settings.py",
        f"{static}%2e%2e/ladder/site/settings.py",
        f"{static}css/..%2f..%2fladder%2fsettings.py",
        f"{static}/etc/passwd",
        "https://example.com/static/css/packet.css",
        f"file://{secret}",
    ):
        assert static_path(refused) is None, refused


# ---- who may read it


PERSONAS = [
    "anonymous",
    "engineer",
    "peer",
    "manager",
    "skip",
    "other_manager",
    "calibrator",
    "other_calibrator",
    "admin_user",
]
# The engineer sees their own assessment but not its packet: 403. Others who can't see
# it at all: 404. The reviewer, their manager and the cycle's committee read it.
PACKET_ACCESS = {
    "anonymous": 302,
    "engineer": 403,
    "peer": 404,
    "manager": 200,
    "skip": 200,
    "other_manager": 404,
    "calibrator": 200,
    "other_calibrator": 404,
    "admin_user": 404,
}


@pytest.mark.parametrize("name", ["assessments:packet", "assessments:packet-pdf"])
def test_who_gets_the_packet(client, skip, reviewed, calibrators, request, name):
    url = reverse(name, args=[reviewed.pk])
    got = {}
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        got[persona] = client.get(url).status_code
    assert got == PACKET_ACCESS


def test_the_committee_reads_no_packet_before_the_review_is_finished(
    client, submitted, calibrators, calibrator, manager
):
    client.force_login(calibrator)
    assert client.get(packet_url(submitted)).status_code == 404
    client.force_login(manager)
    assert client.get(packet_url(submitted)).status_code == 200


def test_a_calibrator_never_reads_their_own_packet(client, reviewed, calibrators, engineer):
    calibrators.user_set.add(engineer)
    client.force_login(engineer)
    assert client.get(packet_url(reviewed)).status_code == 403
    assert client.get(pdf_url(reviewed)).status_code == 403


@pytest.mark.parametrize("name", ["assessments:packet", "assessments:packet-pdf"])
def test_ids_beyond_any_row_are_not_found(client, manager, name):
    client.force_login(manager)
    for pk in (LARGEST_ID, LARGEST_ID + 1, 10**30):
        assert client.get(reverse(name, args=[pk])).status_code == 404


def test_the_packet_page_offers_the_pdf_and_the_batches_the_person_may_ask_for(
    client, manager, calibrator, calibrators, reviewed
):
    client.force_login(manager)
    html = client.get(packet_url(reviewed)).content.decode()
    assert f'href="{pdf_url(reviewed)}"' in html
    assert f'href="{pdf_url(reviewed, "letter")}"' in html
    assert 'name="scope" value="team">Your team <span class="count">(1)</span>' in html
    assert 'value="level"' not in html
    client.force_login(calibrator)
    html = client.get(packet_url(reviewed)).content.decode()
    assert 'value="team"' not in html  # the calibrator reviews no one
    assert 'name="scope" value="level">Everyone at IC5 <span class="count">(1)</span>' in html
    assert 'name="scope" value="cycle">The whole cycle <span class="count">(1)</span>' in html
