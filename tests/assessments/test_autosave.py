"""Saving a rating: autosave and plain posts, versions and conflicts, bad input, budgets."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Rating

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rating(assessment):
    return (
        assessment.ratings.select_related("behaviour")
        .order_by("behaviour__area__order", "behaviour__order")
        .first()
    )


def save_url(rating) -> str:
    return reverse("assessments:save", args=[rating.assessment_id, rating.behaviour_id])


def test_autosave_stores_score_and_evidence_and_bumps_the_version(client, engineer, rating):
    client.force_login(engineer)
    response = client.post(
        save_url(rating),
        {"score": "3", "evidence": "See [doc](https://x.test/d)", "version": "0"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["X-Rating-Version"] == "1"
    html = response.content.decode()
    assert f'id="version-{rating.behaviour_id}" hx-swap-oob="true"' in html
    assert "Saved" in html
    assert 'href="https://x.test/d" rel="noopener noreferrer nofollow"' in html
    assert response["HX-Trigger"] == "scores-changed"  # the progress panel refreshes itself
    assert 'name="evidence"' not in html  # the textarea is never sent back to be swapped
    before = rating.updated_at
    rating.refresh_from_db()
    assert (rating.score, rating.evidence, rating.version) == (3, "See [doc](https://x.test/d)", 1)
    assert "<a href" in rating.evidence_html
    assert rating.updated_at > before


def test_plain_form_post_saves_and_returns_to_the_row(client, engineer, rating):
    client.force_login(engineer)
    response = client.post(save_url(rating), {"score": "2", "evidence": "Plain", "version": "0"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#b-{rating.behaviour_id}")
    rating.refresh_from_db()
    assert (rating.score, rating.version) == (2, 1)


def test_typing_evidence_alone_does_not_ask_for_a_progress_refresh(client, engineer, rating):
    client.force_login(engineer)
    client.post(save_url(rating), {"score": "3", "evidence": "a", "version": "0"}, **HTMX)
    response = client.post(
        save_url(rating), {"score": "3", "evidence": "ab", "version": "1"}, **HTMX
    )
    assert response.status_code == 200
    assert "HX-Trigger" not in response


def test_the_progress_panel_refreshes_on_its_own(
    client, engineer, assessment, django_assert_max_num_queries
):
    assessment.ratings.filter(behaviour__area__key="craft").update(score=2)
    client.force_login(engineer)
    client.get(assessment.get_absolute_url())  # the page keeps the level's outline
    url = reverse("assessments:progress", args=[assessment.pk])
    with django_assert_max_num_queries(5):
        response = client.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "18 of 58</strong>" in html
    assert "Craft: 2.0 of 4." in html
    assert 'id="progress"' not in html  # only the inside: the listening element stays
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert 'hx-trigger="scores-changed from:body delay:500ms, refresh-progress"' in page


def test_the_refreshed_progress_counts_and_points_at_the_first_unanswered(engineer, assessment):
    from assessments.progress import forget_published_levels, progress_of

    assessment.ratings.filter(behaviour__area__key="results").update(score=4)
    assessment.ratings.filter(behaviour__area__key="scope").update(score=0)
    forget_published_levels()  # as in a server process that hasn't shown the page yet
    progress = progress_of(assessment)
    assert (progress.answered, progress.total) == (10, 58)
    first_unanswered = (
        assessment.ratings.filter(score__isnull=True)
        .order_by("behaviour__area__order", "behaviour__order")
        .values_list("behaviour_id", flat=True)
        .first()
    )
    assert progress.first_unanswered == first_unanswered
    assert [a.answered for a in progress.areas[:4]] == [2, 0, 0, 8]


def test_saving_the_same_values_again_writes_nothing(client, engineer, rating):
    client.force_login(engineer)
    client.post(save_url(rating), {"score": "3", "evidence": "Same", "version": "0"}, **HTMX)
    response = client.post(
        save_url(rating), {"score": "3", "evidence": "Same", "version": "1"}, **HTMX
    )
    assert response.status_code == 200
    rating.refresh_from_db()
    assert rating.version == 1


def test_a_stale_tab_gets_a_conflict_with_both_texts(client, engineer, rating):
    client.force_login(engineer)
    client.post(
        save_url(rating), {"score": "4", "evidence": "Written in tab A", "version": "0"}, **HTMX
    )
    response = client.post(
        save_url(rating), {"score": "1", "evidence": "Written in tab B", "version": "0"}, **HTMX
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Written in tab A" in html
    assert "Keep my version" in html
    assert f'id="version-{rating.behaviour_id}"' not in html  # the tab is not silently moved on
    rating.refresh_from_db()
    assert (rating.evidence, rating.score, rating.version) == ("Written in tab A", 4, 1)


def test_a_stale_plain_post_shows_the_page_with_the_persons_text_kept(client, engineer, rating):
    client.force_login(engineer)
    client.post(save_url(rating), {"score": "4", "evidence": "Tab A", "version": "0"})
    response = client.post(
        save_url(rating), {"score": "1", "evidence": "Tab B text", "version": "0"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert ">\nTab B text</textarea>" in html
    assert "Tab A" in html
    assert 'name="overwrite_version" value="1"' in html


def test_keep_my_version_overwrites_once_the_other_was_seen(client, engineer, rating):
    client.force_login(engineer)
    client.post(save_url(rating), {"score": "4", "evidence": "Tab A", "version": "0"}, **HTMX)
    response = client.post(
        save_url(rating),
        {"score": "1", "evidence": "Tab B", "version": "0", "overwrite_version": "1"},
        **HTMX,
    )
    assert response.status_code == 200
    rating.refresh_from_db()
    assert (rating.evidence, rating.version) == ("Tab B", 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "7", "evidence": "x", "version": "0"}, "Choose one of the scale"),
        ({"score": "-1", "evidence": "x", "version": "0"}, "Choose one of the scale"),
        ({"score": "three", "evidence": "x", "version": "0"}, "Choose one of the scale"),
        ({"score": "3", "evidence": "x" * 10_001, "version": "0"}, "at most 10000 characters"),
        (
            {"score": "3", "evidence": "null\x00byte", "version": "0"},
            "Null characters are not allowed",
        ),
        ({"score": "3", "evidence": "x", "version": "abc"}, "Enter a whole number"),
        ({"score": "3", "evidence": "x"}, "This field is required"),
    ],
)
def test_bad_input_is_refused_clearly_and_changes_nothing(client, engineer, rating, data, message):
    client.force_login(engineer)
    for extra in (HTMX, {}):
        response = client.post(save_url(rating), data, **extra)
        assert response.status_code == 400
        assert message in response.content.decode()
    rating.refresh_from_db()
    assert (rating.score, rating.evidence, rating.version) == (None, "", 0)


def test_an_unknown_behaviour_is_404(client, engineer, assessment):
    client.force_login(engineer)
    url = reverse("assessments:save", args=[assessment.pk, 999_999])
    assert client.post(url, {"score": "3", "evidence": "", "version": "0"}).status_code == 404


def test_a_behaviour_of_another_level_is_404(client, engineer, assessment):
    from tests.factories import level_doc, make_framework

    other = make_framework(level_doc("IC4"), name="Other")
    foreign = other.levels.get().areas.first().behaviours.first()
    client.force_login(engineer)
    url = reverse("assessments:save", args=[assessment.pk, foreign.pk])
    assert client.post(url, {"score": "3", "evidence": "", "version": "0"}).status_code == 404


@pytest.mark.parametrize("who", ["peer", "manager", "admin_user"])
def test_only_the_engineer_saves(client, rating, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(save_url(rating), {"score": "3", "evidence": "hijack", "version": "0"})
    assert response.status_code == 404
    rating.refresh_from_db()
    assert rating.evidence == ""


def test_saving_after_submission_is_refused(client, engineer, submitted):
    rating = submitted.ratings.first()
    client.force_login(engineer)
    for extra in (HTMX, {}):
        response = client.post(
            save_url(rating), {"score": "1", "evidence": "late", "version": "0"}, **extra
        )
        assert response.status_code == 403
        assert "can no longer be changed" in response.content.decode()
    rating.refresh_from_db()
    assert rating.evidence == ""


def test_an_ended_session_gets_401_for_htmx_and_a_login_redirect_otherwise(client, rating):
    data = {"score": "3", "evidence": "x", "version": "0"}
    assert client.post(save_url(rating), data, **HTMX).status_code == 401
    response = client.post(save_url(rating), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_autosave_runs_at_most_six_queries(client, engineer, rating, django_assert_max_num_queries):
    client.force_login(engineer)
    # The first save in a process also reads the published level, for its scale; it is
    # kept from then on (assessments.progress.published_level).
    with django_assert_max_num_queries(6) as captured:
        response = client.post(
            save_url(rating), {"score": "3", "evidence": "x", "version": "0"}, **HTMX
        )
    assert response.status_code == 200
    assert len(captured) == 4
    # From then on: the session with its user (ladder.sessions), the rating with its
    # assessment, the conditional update.
    with django_assert_max_num_queries(6) as captured:
        response = client.post(
            save_url(rating), {"score": "2", "evidence": "x", "version": "1"}, **HTMX
        )
    assert response.status_code == 200
    assert len(captured) == 3


def test_saving_does_not_touch_other_ratings(client, engineer, rating):
    client.force_login(engineer)
    client.post(save_url(rating), {"score": "3", "evidence": "x", "version": "0"}, **HTMX)
    assert Rating.objects.exclude(pk=rating.pk).filter(version__gt=0).count() == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"score": "²", "evidence": "x", "version": "0"}, 400),
        ({"score": "9" * 5000, "evidence": "x", "version": "0"}, 400),
        ({"score": "3", "evidence": "x", "version": str(10**20)}, 400),
        ({"score": "3", "evidence": "x", "version": "0", "overwrite_version": str(10**20)}, 400),
    ],
)
def test_odd_numbers_are_refused_not_crashed_on(client, engineer, rating, data, status):
    client.force_login(engineer)
    for extra in (HTMX, {}):
        assert client.post(save_url(rating), data, **extra).status_code == status
    rating.refresh_from_db()
    assert rating.version == 0


def test_huge_ids_in_the_address_are_404(client, engineer, assessment):
    client.force_login(engineer)
    huge = 10**20
    data = {"score": "3", "evidence": "x", "version": "0"}
    assert client.post(f"/assessments/{assessment.pk}/behaviours/{huge}/", data).status_code == 404
    assert client.get(f"/assessments/{huge}/").status_code == 404


def test_a_retried_save_of_the_same_text_is_not_a_conflict(client, engineer, rating):
    client.force_login(engineer)
    data = {"score": "3", "evidence": "Same words", "version": "0"}
    assert client.post(save_url(rating), data, **HTMX).status_code == 200
    # The first answer was lost on the way back; the page sends the same save again.
    response = client.post(save_url(rating), data, **HTMX)
    assert response.status_code == 200
    assert response["X-Rating-Version"] == "1"


def test_a_retried_save_whose_answer_was_lost_still_refreshes_the_progress(
    client, engineer, rating
):
    client.force_login(engineer)
    data = {"score": "3", "evidence": "", "version": "0"}
    first = client.post(save_url(rating), data, **HTMX)
    assert first["HX-Trigger"] == "scores-changed"
    # That answer never reached the page (a 503 after the write, a dropped
    # connection): the retry is the page's only chance to count the new score.
    retry = client.post(save_url(rating), data, **HTMX)
    assert retry.status_code == 200
    assert retry["X-Rating-Version"] == "1"
    assert retry["HX-Trigger"] == "scores-changed"


def test_the_length_limit_counts_a_line_break_once(client, engineer, rating):
    client.force_login(engineer)
    text = ("a" * 99 + "\r\n") * 100  # 10,000 characters as the textarea shows them
    response = client.post(
        save_url(rating), {"score": "3", "evidence": text.rstrip(), "version": "0"}
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert len(rating.evidence) == 9_999


def test_a_stale_save_is_refused_without_rendering_its_evidence(
    client, engineer, rating, monkeypatch
):
    """Rendering is the costly part of a save; a save that can't win doesn't pay for it."""
    client.force_login(engineer)
    client.post(save_url(rating), {"score": "3", "evidence": "First", "version": "0"}, **HTMX)
    rendered = []
    monkeypatch.setattr(
        "assessments.services.evidence_html", lambda text: rendered.append(text) or text
    )
    response = client.post(
        save_url(rating), {"score": "2", "evidence": "[" * 9_000, "version": "0"}, **HTMX
    )
    assert response.status_code == 409
    assert rendered == []


TYPING = {"typing": "1"}
MARKDOWN = "Led **the rollout**: see [doc](https://x.test/d)\n\n- one\n- two"


def test_a_save_while_typing_keeps_the_text_plain_and_leaving_the_row_renders_it(
    client, engineer, rating, monkeypatch
):
    client.force_login(engineer)
    rendered = []
    real = services.evidence_html
    monkeypatch.setattr(
        "assessments.services.evidence_html", lambda text: rendered.append(text) or real(text)
    )
    typed = {"score": "3", "evidence": MARKDOWN, "version": "0", **TYPING}
    response = client.post(save_url(rating), typed, **HTMX)
    assert response.status_code == 200
    assert response["X-Rating-Version"] == "1"
    assert rendered == []  # no Markdown parsed on a pause in typing
    assert f'id="preview-{rating.behaviour_id}"' not in response.content.decode()
    rating.refresh_from_db()
    assert (rating.evidence, rating.version, rating.evidence_plain) == (MARKDOWN, 1, True)
    # Every word is there, escaped, with its link: safe to show, not yet formatted.
    assert "<strong>" not in rating.evidence_html
    assert "**the rollout**" in rating.evidence_html
    assert 'href="https://x.test/d"' in rating.evidence_html

    # Leaving the row: the page saves the same text once more, without `typing`.
    left = {"score": "3", "evidence": MARKDOWN, "version": "1"}
    response = client.post(save_url(rating), left, **HTMX)
    assert response.status_code == 200
    assert response["X-Rating-Version"] == "1"  # the text did not change
    assert rendered == [MARKDOWN]
    assert "<strong>the rollout</strong>" in response.content.decode()  # the preview
    rating.refresh_from_db()
    assert rating.evidence_plain is False
    assert "<strong>the rollout</strong>" in rating.evidence_html
    assert "<li>two</li>" in rating.evidence_html


def test_a_score_changed_while_typing_keeps_the_text_plain_until_the_row_is_left(
    client, engineer, rating
):
    client.force_login(engineer)
    client.post(
        save_url(rating), {"score": "3", "evidence": MARKDOWN, "version": "0", **TYPING}, **HTMX
    )
    client.post(
        save_url(rating), {"score": "2", "evidence": MARKDOWN, "version": "1", **TYPING}, **HTMX
    )
    rating.refresh_from_db()
    assert (rating.score, rating.version, rating.evidence_plain) == (2, 2, True)
    # A changed score and leaving at once (a click on another answer): rendered.
    client.post(save_url(rating), {"score": "1", "evidence": MARKDOWN, "version": "2"}, **HTMX)
    rating.refresh_from_db()
    assert (rating.score, rating.evidence_plain) == (1, False)
    assert "<strong>the rollout</strong>" in rating.evidence_html


def test_text_left_plain_is_rendered_when_the_page_is_opened_again(client, engineer, rating):
    client.force_login(engineer)
    client.post(
        save_url(rating), {"score": "3", "evidence": MARKDOWN, "version": "0", **TYPING}, **HTMX
    )
    page = client.get(rating.assessment.get_absolute_url()).content.decode()
    assert "<strong>the rollout</strong>" in page
    rating.refresh_from_db()
    assert rating.evidence_plain is False
    assert rating.version == 1  # rendering is not a change of the text


def test_text_left_plain_is_rendered_when_the_draft_is_submitted(client, engineer, assessment):
    from assessments import workflow
    from tests.assessments.conftest import answer_all

    answer_all(assessment)
    rating = assessment.ratings.order_by("pk").first()
    client.force_login(engineer)
    data = {"score": "3", "evidence": MARKDOWN, "version": str(rating.version), **TYPING}
    assert client.post(save_url(rating), data, **HTMX).status_code == 200
    workflow.submit(assessment, by=engineer)
    rating.refresh_from_db()
    assert rating.evidence_plain is False
    assert "<strong>the rollout</strong>" in rating.evidence_html


def test_a_plain_form_post_ignores_typing_and_renders(client, engineer, rating):
    client.force_login(engineer)
    data = {"score": "3", "evidence": MARKDOWN, "version": "0", **TYPING}
    assert client.post(save_url(rating), data).status_code == 302
    rating.refresh_from_db()
    assert rating.evidence_plain is False
    assert "<strong>the rollout</strong>" in rating.evidence_html


def test_hostile_text_saved_while_typing_is_escaped(client, engineer, rating):
    client.force_login(engineer)
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"
    data = {"score": "3", "evidence": hostile, "version": "0", **TYPING}
    assert client.post(save_url(rating), data, **HTMX).status_code == 200
    rating.refresh_from_db()
    assert rating.evidence_plain is True
    assert "<script" not in rating.evidence_html
    assert "<img" not in rating.evidence_html
    assert "href" not in rating.evidence_html
    assert "&lt;script&gt;" in rating.evidence_html
