"""The assessment page: ladder order, progress, chart, the next level beside, read-only states."""

import pytest
from markupsafe import escape

from assessments import workflow
from assessments.models import Rating
from assessments.services import start_assessment
from ladder.areas import AREA_KINDS
from tests.assessments.conftest import make_cycle
from tests.factories import UserFactory, level_doc, make_framework

pytestmark = pytest.mark.django_db


def test_page_groups_behaviours_as_the_ladder_does(client, engineer, assessment):
    client.force_login(engineer)
    response = client.get(assessment.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    headings = [html.index(f'id="{kind}-heading"') for kind in AREA_KINDS]
    assert headings == sorted(headings)
    texts = list(
        Rating.objects.filter(assessment=assessment)
        .order_by("behaviour__area__order", "behaviour__order")
        .values_list("behaviour__text", flat=True)
    )
    positions = [html.index(escape(text)) for text in texts]
    assert positions == sorted(positions)
    assert html.count('class="rating-form"') == 58
    assert "<h3>Decision Making</h3>" in html
    assert '<strong>0 of 58</strong> <span class="wide-only">behaviours</span> answered' in html


def test_page_shows_progress_per_area_and_the_chart(client, engineer, assessment):
    assessment.ratings.filter(behaviour__area__key="results").update(score=4)
    assessment.ratings.filter(behaviour__area__key="scope").update(score=2)
    client.force_login(engineer)
    html = client.get(assessment.get_absolute_url()).content.decode()
    assert "10 of 58</strong>" in html
    assert '<a href="#results">Results</a> <span class="muted">8/8</span>' in html
    assert "Results: 4.0 of 4." in html
    assert "Scope: 2.0 of 4." in html
    assert "Craft: no scores yet." in html
    assert '<svg class="chart"' in html


def _assessment_for(level_doc_, name):
    framework = make_framework(level_doc_, name=name)
    level = framework.levels.get()
    person = UserFactory(username=f"e-{name}", track=level.track, level_code=level.code)
    return person, start_assessment(cycle=make_cycle(framework, name=name), engineer=person)


def test_page_query_count_is_the_same_for_20_and_80_behaviours(client, django_assert_num_queries):
    small_user, small = _assessment_for(level_doc("IC4", behaviours=2, responsibilities=1), "Small")
    big_user, big = _assessment_for(level_doc("IC4", behaviours=5, responsibilities=3), "Big")
    assert (small.ratings.count(), big.ratings.count()) == (16, 90)
    counts = []
    for user, assessment in ((small_user, small), (big_user, big)):
        client.force_login(user)
        url = assessment.get_absolute_url()
        # session with its user, assessment, level, areas, responsibilities, behaviours,
        # next level, ratings, the framework's newest version (read once a minute)
        with django_assert_num_queries(9) as first:
            assert client.get(url).status_code == 200
        # The published rubric is kept after the first view: only the ratings are read.
        with django_assert_num_queries(3) as again:
            assert client.get(url).status_code == 200
        counts.append((len(first), len(again)))
    assert counts[0] == counts[1]
    assert max(counts[0]) <= 12


def test_next_level_can_be_shown_beside(client):
    framework = make_framework(
        level_doc("IC4", text="I do {what} for my team"),
        level_doc("IC5", "Staff Machine Learning Engineer", text="I do {what} for the company"),
        name="Two levels",
    )
    ic4 = framework.levels.get(code="IC4")
    person = UserFactory(username="two", track=ic4.track, level_code="IC4")
    assessment = start_assessment(cycle=make_cycle(framework), engineer=person)
    client.force_login(person)
    plain = client.get(assessment.get_absolute_url()).content.decode()
    assert "Show IC5 Staff Machine Learning Engineer beside" in plain
    assert "for the company" not in plain
    beside = client.get(assessment.get_absolute_url(), {"beside": "IC5"}).content.decode()
    assert "At IC5" in beside
    assert "I do results part 1 item 1 for the company" in beside


def test_submitted_assessment_is_read_only_for_the_engineer(client, engineer, submitted):
    client.force_login(engineer)
    html = client.get(submitted.get_absolute_url()).content.decode()
    assert 'class="rating-form"' not in html
    assert "Consistently" in html
    assert "Submitted" in html


def test_manager_reads_a_submitted_assessment_but_not_a_draft(
    client, manager, assessment, engineer
):
    client.force_login(manager)
    assert client.get(assessment.get_absolute_url()).status_code == 404
    from tests.assessments.conftest import answer_all

    answer_all(assessment)
    workflow.submit(assessment, by=engineer)
    response = client.get(assessment.get_absolute_url())
    assert response.status_code == 200
    assert "Return to" in response.content.decode()
    assert 'class="rating-form"' not in response.content.decode()


@pytest.mark.parametrize("who", ["peer", "other_manager", "admin_user", "calibrator"])
def test_nobody_else_can_see_an_assessment(client, submitted, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(submitted.get_absolute_url()).status_code == 404


def test_evidence_is_shown_sanitised_inside_an_htmx_free_zone(client, engineer, assessment):
    from assessments.services import save_rating

    rating = assessment.ratings.first()
    save_rating(
        rating=rating,
        score=3,
        evidence='<div hx-get="/admin/">x</div><script>alert(1)</script>',
        base_version=0,
    )
    client.force_login(engineer)
    html = client.get(assessment.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert 'hx-get="/admin/"' not in html
    assert f'id="preview-{rating.behaviour_id}" hx-disable>' in html


def test_rows_answer_helps_without_hover_and_stay_quiet_for_screen_readers(
    client, engineer, assessment
):
    assessment.ratings.filter(behaviour__area__key="scope").update(score=3)
    client.force_login(engineer)
    html = client.get(assessment.get_absolute_url()).content.decode()
    rubric = html[html.index('class="rubric"') : html.index('id="submit"')]
    # Each answer's meaning is text on the page (shown for the checked answer), not a
    # hover-only title.
    assert 'class="score-option" title=' not in rubric
    assert rubric.count('<span class="meaning-3">I show this reliably, as the level expects.') == 58
    # One live region for the whole page; the 58 rows' states announce nothing.
    assert 'role="status"' not in rubric
    assert "aria-live" not in rubric
    assert html.count('aria-live="polite"') == 1
    # Without script each row keeps its Save button; the stylesheet hides it with script.
    assert rubric.count('class="button small save-button">Save</button>') == 58


def test_the_ladder_link_opens_the_version_the_cycle_pins(
    client, engineer, assessment, ic5, monkeypatch
):
    from ladder.services import new_draft_from

    # Pages learn of a newly published version within a minute; here, at once.
    monkeypatch.setattr("assessments.progress.NEWEST_VERSION_SECONDS", 0)

    client.force_login(engineer)
    pinned = ic5.get_absolute_url()
    html = client.get(assessment.get_absolute_url()).content.decode()
    nav = html[: html.index("</nav>")]
    assert f'href="{pinned}"' in nav
    assert "has been published since" not in html

    newer = new_draft_from(ic5.framework)
    newer.publish()
    html = client.get(assessment.get_absolute_url()).content.decode()
    assert f'href="{pinned}"' in html[: html.index("</nav>")]
    assert "Version 2 has been published since; this cycle keeps the wording of v1." in html
    # Elsewhere the link still opens the newest version.
    home = client.get("/").content.decode()
    assert f'href="{pinned}"' not in home[: home.index("</nav>")]


def test_rows_escape_what_people_wrote(client):
    """The rows write numbers unescaped for speed; every text a person wrote is escaped."""
    from assessments.services import save_rating

    person, assessment = _assessment_for(
        level_doc("IC4", behaviours=1, responsibilities=1, text='I <b>ship</b> {what} & "so on"'),
        "Hostile",
    )
    rating = assessment.ratings.first()
    save_rating(
        rating=rating, score=3, evidence='</textarea><script>alert("x")</script>', base_version=0
    )
    client.force_login(person)
    editable = client.get(assessment.get_absolute_url()).content.decode()
    assessment.ratings.update(score=3)
    workflow.submit(assessment, by=person)
    readonly = client.get(assessment.get_absolute_url()).content.decode()
    for html in (editable, readonly):
        assert "<b>ship</b>" not in html
        assert "I &lt;b&gt;ship&lt;/b&gt; " in html
        assert "<script>alert" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</textarea>" in editable
