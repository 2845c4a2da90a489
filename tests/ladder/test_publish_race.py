"""An edit and a publication of the same draft never interleave (PostgreSQL, real threads)."""

import threading
import time

import pytest
from django.db import connection, transaction

from ladder.models import Behaviour, Framework, PublishedFrameworkError
from ladder.services import publish
from tests.factories import level_doc, make_framework

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite takes one write lock for the whole database, so writers cannot interleave",
    ),
]


def test_an_edit_in_flight_finishes_before_the_draft_is_published():
    draft = make_framework(level_doc("IC4"), publish=False)
    behaviour = Behaviour.objects.filter(area__level__framework=draft).first()
    saved = threading.Event()
    times: dict[str, float] = {}

    def edit():
        with transaction.atomic():
            behaviour.text = "Edited while publishing"
            behaviour.save()
            saved.set()
            time.sleep(0.5)  # hold the edit's transaction open
        times["edit committed"] = time.monotonic()
        connection.close()

    def publish_draft():
        saved.wait(timeout=5)
        publish(Framework.objects.get(pk=draft.pk))
        times["published"] = time.monotonic()
        connection.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=publish_draft)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    # Without the lock, publish() would finish while the edit was still uncommitted.
    assert times["published"] >= times["edit committed"]
    draft.refresh_from_db()
    assert draft.is_published
    assert Behaviour.objects.get(pk=behaviour.pk).text == "Edited while publishing"


def test_an_edit_after_publication_is_refused_even_if_it_read_the_draft_first():
    draft = make_framework(level_doc("IC4"), publish=False)
    behaviour = Behaviour.objects.filter(area__level__framework=draft).first()
    publishing, errors = threading.Event(), []

    def publish_slowly():
        with transaction.atomic():
            publish(Framework.objects.get(pk=draft.pk))
            publishing.set()
            time.sleep(0.5)
        connection.close()

    def edit():
        publishing.wait(timeout=5)
        behaviour.text = "Too late"
        try:
            behaviour.save()
        except PublishedFrameworkError as error:
            errors.append(error)
        connection.close()

    threads = [threading.Thread(target=publish_slowly), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(errors) == 1
    assert Behaviour.objects.get(pk=behaviour.pk).text != "Too late"
