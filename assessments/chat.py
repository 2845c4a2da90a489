"""A cycle's chat channel: its announcements and reminders, posted to an incoming webhook.

Slack's and Microsoft Teams' incoming webhooks both take a JSON body with a "text".
Each post is a ChatPost row and a job on the worker; a post that fails (the service
down, a timeout, an error status) is tried again later, a few times, then marked
failed where the cycle's page shows it. E-mails are jobs of their own: a webhook
never holds one up.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from assessments.models import ChatPost, Cycle

ATTEMPTS = 4
# Waits before the second, third and fourth attempts.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
TIMEOUT_SECONDS = 10
# Chat services cut long messages; ours are a line or two.
MOST_CHARACTERS = 2_000


def announce(cycle: Cycle, text: str, *, key: str = "") -> ChatPost | None:
    """Queue a post to the cycle's channel, if it has one; a keyed post is queued once."""
    if not cycle.chat_webhook_url:
        return None
    try:
        with transaction.atomic():
            post = ChatPost.objects.create(cycle=cycle, key=key, text=text[:MOST_CHARACTERS])
    except IntegrityError:
        return None  # this reminder was posted already
    post_to_chat.enqueue(post.pk)
    return post


@task()
def post_to_chat(post_id: int) -> bool:
    """The worker's job: one attempt at a post (see deliver)."""
    return deliver(post_id)


def deliver(post_id: int) -> bool:
    """One attempt at a post; schedules the next on failure. True once posted."""
    post = ChatPost.objects.select_related("cycle").filter(pk=post_id).first()
    if post is None or post.status == ChatPost.Status.SENT:
        return post is not None
    url = post.cycle.chat_webhook_url
    post.attempts += 1
    error = _post(url, post.text) if url else "The cycle has no chat webhook any more."
    if error is None:
        post.status, post.sent_at, post.error = ChatPost.Status.SENT, timezone.now(), ""
    else:
        post.error = error[:300]
        again = url and post.attempts < ATTEMPTS
        post.status = ChatPost.Status.QUEUED if again else ChatPost.Status.FAILED
        if again:
            wait = BACKOFF[min(post.attempts, len(BACKOFF)) - 1]
            post_to_chat.using(run_after=timezone.now() + wait).enqueue(post.pk)
    post.save(update_fields=["attempts", "status", "sent_at", "error"])
    return error is None


def _post(url: str, text: str) -> str | None:
    """POST the text; None when the service took it, else what went wrong, in words."""
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(1_000)
    except urllib.error.HTTPError as error:
        return f"The webhook answered {error.code} {error.reason}."
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return f"The webhook could not be reached: {reason}."
    return None
