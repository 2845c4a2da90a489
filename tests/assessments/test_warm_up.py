"""ladder/site/warm.py: what a server process readies before its first request."""

import logging

import pytest
from django.db import DatabaseError
from django.template import engines

from assessments import progress
from assessments.packets import pdf
from ladder.site import warm

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(monkeypatch):
    """Records the closing of connections (here it would end the test's transaction)."""
    calls = []
    monkeypatch.setattr(warm.connections, "close_all", lambda: calls.append(True))
    return calls


def test_warm_up_compiles_the_templates_and_reads_the_open_cycles_levels(cycle, closed, caplog):
    """And loads the PDF renderer, which other processes import with their first PDF."""
    progress.forget_published_levels()
    environment = engines["jinja2"].env
    environment.cache.clear()
    pdf._fetcher_class.cache_clear()
    with caplog.at_level(logging.INFO, logger="ladder.warm"):
        warm.warm_up()
    assert "assessments/assessment.html" in {key[1] for key in environment.cache}
    assert pdf._fetcher_class.cache_info().currsize == 1  # WeasyPrint is loaded
    levels = set(cycle.framework.levels.values_list("pk", flat=True))
    assert levels
    assert {key[0] for key in progress._OUTLINES} == levels
    assert f"templates, {len(levels)} levels in" in caplog.text
    assert closed == [True]  # nothing left open to be shared by the forked workers


def test_warm_up_carries_on_without_the_database(monkeypatch, closed, caplog):
    def down():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(warm, "_read_open_levels", down)
    with caplog.at_level(logging.INFO, logger="ladder.warm"):
        warm.warm_up()
    assert "levels not read (connection refused)" in caplog.text
    assert ", 0 levels in" in caplog.text
    assert closed == [True]
