"""The migration that made areas data: a seeded database reads the same after it.

The demo organisation (the IC5 ladder, a cycle with drafts, submissions and finished
reviews) is seeded, and what people read of it is taken down: every level as
Markdown, every assessment's export with its review, every packet, the committee's
results table. The database is then taken back to the eight fixed kinds (the area
names and shapes dropped with their columns) and forward again, and everything must
read exactly as before.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessments import progress
from assessments.calibration.results import results_table
from assessments.exports import export_markdown, export_of
from assessments.models import Assessment, Cycle
from assessments.packets.content import packet_of
from ladder.exporters import export_level
from ladder.models import Area, Framework, Level, User
from ladder.site.management.commands import create_demo_org

BEFORE = [("ladder", "0007_worker_queues")]


def what_people_read() -> dict:
    progress.forget_published_levels()
    cycle = Cycle.objects.get(status="open")
    calibrator = User.objects.get(username="cal")
    assessments = Assessment.objects.order_by("pk")
    return {
        "areas": list(
            Area.objects.order_by("level", "order").values_list("key", "name", "subgrouped")
        ),
        "levels": [export_level(level) for level in Level.objects.with_rubric()],
        # Each export says when it was made: the line left out, the minute may turn.
        "exports": [
            re.sub(
                r"^- \*\*Exported:\*\*.*$",
                "",
                export_markdown(
                    export_of(Assessment.objects.for_page().get(pk=a.pk), with_review=True)
                ),
                flags=re.MULTILINE,
            )
            for a in assessments
        ],
        "packets": [repr(packet_of(a)) for a in assessments],
        "results": list(results_table(calibrator, cycle)),
    }


@pytest.mark.django_db(transaction=True)
def test_a_seeded_database_reads_the_same_after_the_migration(settings, monkeypatch):
    settings.DEBUG = True
    call_command("load_builtin_ladder", stdout=StringIO())
    # The demo's framework of its own is left out: its areas have no fixed kind to go
    # back to (the last test shows the way back refused).
    monkeypatch.setattr(
        create_demo_org.Command, "company_framework", lambda self: Framework.objects.get()
    )
    # Peer input came later: going back to these migrations drops its tables.
    monkeypatch.setattr(create_demo_org.Command, "seed_peer_input", lambda self, *args: None)
    call_command("create_demo_org", stdout=StringIO())
    before = what_people_read()
    assert len(before["areas"]) == 8
    assert before["areas"][1] == ("reach", "Collaborative Reach", False)
    assert any("Reviewed" in row for row in before["results"][:1])

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("ladder", "Area")
        assert sorted(old.objects.values_list("kind", flat=True).distinct()) == sorted(
            ["scope", "reach", "levers", "results", "direction", "talent", "culture", "craft"]
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    after = what_people_read()
    for part, read_before in before.items():  # part by part, so a failure says which
        assert after[part] == read_before, part


@pytest.mark.django_db(transaction=True)
def test_areas_of_a_framework_of_its_own_cannot_go_back_to_fixed_kinds():
    harbor = Path(__file__).parent / "frameworks" / "harbor"
    call_command("import_ladder", *sorted(harbor.glob("*.md")), stdout=StringIO())
    executor = MigrationExecutor(connection)
    try:
        with pytest.raises(RuntimeError, match="can't be turned back into the eight fixed kinds"):
            executor.migrate(BEFORE)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Area.objects.filter(name="Technical Skill").count() == 3
