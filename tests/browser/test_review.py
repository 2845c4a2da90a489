"""The manager's review in a real Chromium: autosave, filters, offline retry, conflicts, finish."""

import re

import pytest
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import Assessment, Rating
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle
from tests.default_scale import Outcome
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted(ic5, engineer, manager):
    engineer.track = ic5.track
    engineer.save(update_fields=["track"])
    assessment = start_assessment(cycle=make_cycle(ic5.framework), engineer=engineer)
    answer_all(assessment)
    return workflow.submit(assessment, by=engineer)


@pytest.fixture
def all_but_two_scored(submitted):
    """The review's rows in page order, all but the last two scored on an earlier visit."""
    rows = list(submitted.ratings.order_by("behaviour__area__order", "behaviour__order"))
    Rating.objects.filter(pk__in=[r.pk for r in rows[:-2]]).update(manager_score=3)
    return rows


def saved(form):
    expect(form.locator(".save-state")).to_have_text(re.compile(r"^Saved"), timeout=10_000)


def none_left_and_one_pair_differs(page):
    """What the page's counts say once the last two are scored, one of them unlike the
    engineer's answer: the note above Finish gone, and the filters' counts kept up."""
    expect(page.locator("#submit-remaining")).to_be_hidden()
    expect(page.locator("[data-filter-count=unreviewed]")).to_have_text("0")
    expect(page.locator("[data-filter-count=disagreements]")).to_have_text("1")


def test_the_manager_reviews_every_behaviour_writes_a_summary_and_finishes(
    page, live_server, sign_in, manager, submitted
):
    sign_in(page, manager, PASSWORD)
    page.goto(f"{live_server.url}/team/")
    page.get_by_role("link", name=re.compile("^Start your review")).click()
    expect(page.get_by_role("heading", name=re.compile("^Review of"))).to_be_visible()
    forms = page.locator(".manager-side.rating-form")
    expect(forms).to_have_count(58)
    for index in range(58):
        # The engineer said "Consistently" everywhere; the manager differs on two.
        answer = "Sometimes" if index in (4, 9) else "Consistently"
        forms.nth(index).get_by_text(answer, exact=True).click()
    forms.nth(4).get_by_label("Your comment").fill("Less than the evidence suggests")
    saved(forms.nth(4))
    summary = page.locator("#rating-summary")
    summary.get_by_text("Strong at level", exact=True).click()
    summary.get_by_label("Summary for the committee").fill("A **strong** half.")
    saved(summary)
    expect(page.locator("#preview-summary strong")).to_have_text("strong")
    saved(forms.nth(57))

    page.goto(f"{page.url.split('?')[0]}?show=disagreements")
    expect(page.locator(".review-row")).to_have_count(2)
    expect(page.get_by_text("Differs by 1 step")).to_have_count(2)

    page.get_by_role("link", name=re.compile("^All behaviours")).click()
    page.get_by_role("button", name="Finish review").click()
    expect(page.get_by_text(re.compile("Review of .* finished"))).to_be_visible()
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.REVIEWED
    assert submitted.proposed_outcome == Outcome.STRONG
    assert submitted.ratings.filter(manager_score=2).count() == 2
    assert (
        Rating.objects.get(
            assessment=submitted, manager_comment="Less than the evidence suggests"
        ).manager_score
        == 2
    )
    expect(page.get_by_text("With the calibration committee")).to_be_visible()


def test_finishing_with_behaviours_left_is_refused_beside_the_button(
    page, live_server, sign_in, manager, submitted
):
    sign_in(page, manager, PASSWORD)
    page.goto(f"{live_server.url}{submitted.get_review_url()}")
    page.get_by_role("button", name="Finish review").click()
    expect(page.locator("#submit-status")).to_have_text(
        "Not finished: 58 behaviours still need your score. Choose a proposed outcome."
    )
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED


def test_the_count_left_keeps_up_and_a_missing_outcome_is_named(
    page, live_server, sign_in, manager, submitted, all_but_two_scored
):
    """Every behaviour scored and no outcome: the refusal says so, not "every behaviour"."""
    sign_in(page, manager, PASSWORD)
    page.goto(f"{live_server.url}{submitted.get_review_url()}")
    remaining = page.locator("#submit-remaining")
    expect(remaining).to_have_text(re.compile("^2 behaviours still need your score"))
    forms = page.locator(".manager-side.rating-form")
    forms.nth(56).get_by_text("Consistently", exact=True).click()
    expect(remaining).to_have_text(re.compile("^1 behaviour still needs your score"))
    forms.nth(57).get_by_text("Sometimes", exact=True).click()
    none_left_and_one_pair_differs(page)
    saved(forms.nth(57))
    page.get_by_role("button", name="Finish review").click()
    expect(page.locator("#submit-status")).to_have_text("Not finished: Choose a proposed outcome.")
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.IN_REVIEW


def test_an_answer_chosen_before_the_page_script_ran_is_counted_and_saved(
    page, live_server, sign_in, manager, submitted, all_but_two_scored
):
    """A quick hand on a slow page: the answer neither goes unsaved nor skews the count."""
    rows = all_but_two_scored
    sign_in(page, manager, PASSWORD)
    held = []
    script = re.compile(r"/js/assessment[.\w]*\.js$")
    page.route(script, lambda route: held.append(route))
    page.goto(f"{live_server.url}{submitted.get_review_url()}", wait_until="commit")
    forms = page.locator(".manager-side.rating-form")
    expect(forms).to_have_count(58)
    forms.nth(56).get_by_text("Sometimes", exact=True).click()
    assert len(held) == 1, "the page's script was not held back"
    held[0].continue_()
    page.unroute(script)
    saved(forms.nth(56))
    assert Rating.objects.get(pk=rows[-2].pk).manager_score == 2
    expect(page.locator("#submit-remaining")).to_have_text(
        re.compile("^1 behaviour still needs your score")
    )
    forms.nth(57).get_by_text("Consistently", exact=True).click()
    none_left_and_one_pair_differs(page)
    saved(forms.nth(57))
    # What the server sent is not taken for a change: loading the page saves nothing.
    Rating.objects.filter(pk=rows[0].pk).update(manager_comment="Two lines,\r\nand *Markdown*")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    page.reload(wait_until="networkidle")
    expect(forms.nth(0).get_by_label("Your comment")).to_have_value("Two lines,\nand *Markdown*")
    assert posts == []


def test_a_review_typed_offline_is_kept_and_saved_when_the_connection_returns(
    page, live_server, sign_in, manager, submitted
):
    sign_in(page, manager, PASSWORD)
    page.goto(f"{live_server.url}{submitted.get_review_url()}")
    form = page.locator(".manager-side.rating-form").first
    page.route("**/review/behaviours/**", lambda route: route.abort())
    form.get_by_text("Not yet", exact=True).click()
    form.get_by_label("Your comment").fill("Typed on the train")
    expect(form.locator(".save-state")).to_contain_text("no connection", timeout=10_000)
    # A reload while offline brings the text back from this browser.
    page.reload()
    expect(form.get_by_label("Your comment")).to_have_value("Typed on the train")
    page.unroute("**/review/behaviours/**")
    saved(form)
    rating = Rating.objects.get(assessment=submitted, manager_comment="Typed on the train")
    assert rating.manager_score == 1


def test_two_tabs_on_one_review_get_a_choice_not_a_lost_comment(
    page, context, live_server, sign_in, manager, submitted
):
    sign_in(page, manager, PASSWORD)
    url = f"{live_server.url}{submitted.get_review_url()}"
    page.goto(url)
    other = context.new_page()
    other.goto(url)
    first = page.locator(".manager-side.rating-form").first
    first.get_by_label("Your comment").fill("From the first tab")
    saved(first)
    second = other.locator(".manager-side.rating-form").first
    second.get_by_label("Your comment").fill("From the second tab")
    expect(second.locator(".conflict")).to_contain_text("From the first tab", timeout=10_000)
    second.get_by_role("button", name="Keep my version").click()
    saved(second)
    rating = submitted.ratings.get(manager_comment="From the second tab")
    assert rating.manager_version == 2
