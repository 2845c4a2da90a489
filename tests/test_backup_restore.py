"""Backups taken while people write, restored whole; and servers that see a restore at once.

Both run against a database of their own (loadtest/stack.py), on the engine of the
suite's pass: pg_dump and pg_restore on PostgreSQL, SQLite's online backup API on SQLite.
"""

import hashlib
import sqlite3
import threading
import time

import dj_database_url
import requests

from loadtest.stack import Stack

# Enough for the backup to take a moment while the writer goes on; 100,000 took twice as
# long to seed and compare and showed nothing more.
RATINGS = 30_000
SEED = """
from loadtest.seed import role_of  # noqa: F401 (the project's code is importable)
from tests.test_backup_restore import seed_ratings
seed_ratings({n})
"""


def seed_ratings(n: int) -> None:
    """n ratings: the IC5 level, a cycle and as many people with an assessment as it takes."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from assessments.models import Assessment, Cycle, Rating
    from ladder.models import Behaviour, Level, User

    call_command("load_builtin_ladder", verbosity=0)
    level = Level.objects.get(code="IC5")
    behaviours = list(
        Behaviour.objects.filter(responsibility__area__level=level).values_list("pk", flat=True)
    )
    today = timezone.localdate()
    cycle = Cycle.objects.create(
        name="w0",
        framework=level.framework,
        self_assessment_due=today + timedelta(days=1),
        manager_review_due=today + timedelta(days=2),
        calibration_due=today + timedelta(days=3),
    )
    people = -(-n // len(behaviours))
    users = User.objects.bulk_create(
        User(username=f"person{i:06d}", track=level.track, level_code="IC5") for i in range(people)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(cycle=cycle, engineer=user, level=level) for user in users
    )
    Rating.objects.bulk_create(
        (
            Rating(assessment=a, behaviour_id=b, score=2, evidence=f"seed {a.pk}/{b}")
            for a in assessments
            for b in behaviours
        ),
        batch_size=5000,
    )


class Database:
    """A DB-API connection to a stack's database, the same driver for both sides."""

    def __init__(self, url: str):
        config = dj_database_url.parse(url)
        self.postgres = "postgresql" in config["ENGINE"]
        if self.postgres:
            import psycopg

            self.connection = psycopg.connect(
                host=config["HOST"], port=config["PORT"], user=config["USER"],
                dbname=config["NAME"], autocommit=False,
            )  # fmt: skip
        else:
            self.connection = sqlite3.connect(config["NAME"], timeout=30)
        self.mark = "%s" if self.postgres else "?"

    def tables(self) -> list[str]:
        sql = (
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            if self.postgres
            else "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return sorted(row[0] for row in self.query(sql))

    def query(self, sql: str, params=()) -> list[tuple]:
        cursor = self.connection.cursor()
        cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        self.connection.commit()
        return rows

    def rows(self, table: str) -> list[tuple]:
        return self.query(f'SELECT * FROM "{table}" ORDER BY 1')

    def digest(self, table: str) -> str:
        return hashlib.sha256(repr(self.rows(table)).encode()).hexdigest()

    def close(self):
        self.connection.close()


class Writer(threading.Thread):
    """Autosaves, as fast as one connection goes: write k rewrites one rating's evidence
    and, in the same transaction, names the cycle w{k}; a consistent backup holds
    exactly the writes up to the k its cycle is named for."""

    def __init__(self, url: str, rating_ids: list[int]):
        super().__init__()
        self.url, self.rating_ids = url, rating_ids
        self.stop, self.writes = threading.Event(), []

    def run(self):
        database = Database(self.url)
        cursor, m = database.connection.cursor(), database.mark
        k = 0
        while not self.stop.is_set():
            k += 1
            rating = self.rating_ids[(k * 7919) % len(self.rating_ids)]
            cursor.execute(
                f"UPDATE assessments_rating SET evidence = {m}, version = version + 1"
                f" WHERE id = {m}",
                (f"write {k}", rating),
            )
            cursor.execute(f"UPDATE assessments_cycle SET name = {m}", (f"w{k}",))
            database.connection.commit()
            self.writes.append((k, rating))
        database.close()


def expected_ratings(source: Database, writes: list[tuple[int, int]], upto: int) -> list[tuple]:
    """The ratings table as it stood after write `upto`: the source's rows now, with the
    later writes taken back."""
    later = {rating for k, rating in writes if k > upto}
    columns = [c[0] for c in source.connection.cursor().execute(
        "SELECT * FROM assessments_rating LIMIT 0").description]  # fmt: skip
    evidence, version = columns.index("evidence"), columns.index("version")
    assessment, behaviour = columns.index("assessment_id"), columns.index("behaviour_id")
    rows = []
    for row in source.rows("assessments_rating"):
        if row[0] in later:
            row = list(row)
            mine = [k for k, rating in writes if rating == row[0] and k <= upto]
            untaken = sum(1 for k, rating in writes if rating == row[0] and k > upto)
            seeded = f"seed {row[assessment]}/{row[behaviour]}"
            row[evidence] = f"write {mine[-1]}" if mine else seeded
            row[version] -= untaken
            row = tuple(row)
        rows.append(row)
    return rows


def test_a_backup_taken_under_writes_restores_every_table(tmp_path):
    with Stack(tmp_path / "live", servers=0, worker=False) as live:
        live.manage("shell", "-c", SEED.format(n=RATINGS))
        source = Database(live.database_url)
        rating_ids = [row[0] for row in source.query("SELECT id FROM assessments_rating")]
        assert len(rating_ids) >= RATINGS
        writer = Writer(live.database_url, rating_ids)
        writer.start()
        try:
            while len(writer.writes) < 50:  # writing is well under way
                time.sleep(0.05)
            live.manage("backup", str(tmp_path / "ladder.backup"))
            time.sleep(0.5)  # and goes on after the backup
        finally:
            writer.stop.set()
            writer.join()
        with Stack(tmp_path / "restored", servers=0, worker=False) as copy:
            copy.manage("restore", "--noinput", str(tmp_path / "ladder.backup"))
            restored = Database(copy.database_url)
            upto = int(restored.query("SELECT name FROM assessments_cycle")[0][0][1:])
            assert upto >= 50, "the backup should hold the writes made before it"
            assert upto < len(writer.writes), "writes went on after the backup"
            tables = source.tables()
            assert restored.tables() == tables
            assert len(tables) > 20
            differing = [
                table
                for table in tables
                if table not in ("assessments_rating", "assessments_cycle", "ladder_dataepoch")
                and source.digest(table) != restored.digest(table)
            ]
            assert differing == []
            # Ratings: exactly the writes up to the backup's moment, none after.
            expected = expected_ratings(source, writer.writes, upto)
            assert hashlib.sha256(repr(expected).encode()).hexdigest() == restored.digest(
                "assessments_rating"
            )
            restored.close()
        source.close()


def session_for(stack: Stack, username: str) -> tuple[str, int]:
    out = stack.manage(
        "shell",
        "-c",
        "from loadtest.seed import sign_in, answered_draft; "
        "from datetime import date; "
        "from assessments.models import Cycle; from ladder.models import User, Level; "
        "level = Level.objects.get(code='IC5'); "
        f"u = User.objects.create(username={username!r}, track=level.track, level_code='IC5'); "
        "c = Cycle.objects.create(name='Now', status='open', framework=level.framework, "
        "self_assessment_due=date(2030, 1, 1), manager_review_due=date(2030, 1, 2), "
        "calibration_due=date(2030, 1, 3)); "
        "print(sign_in(u), answered_draft(c, u).pk)",
    )
    key, pk = out.split()[-2:]
    return key, int(pk)


def test_a_running_server_shows_restored_data_at_once(tmp_path):
    # One gunicorn worker: every request meets the same process and its memory.
    with Stack(tmp_path / "app", servers=1, workers=1) as stack:
        stack.manage("load_builtin_ladder")
        key, pk = session_for(stack, "reader")
        stack.manage("backup", str(tmp_path / "before.backup"))
        database = Database(stack.database_url)
        m = database.mark
        database.query(
            f"UPDATE ladder_level SET title = {m} WHERE code = {m}", ("Renamed Engineer", "IC5")
        )
        page = f"{stack.urls[0]}/assessments/{pk}/"
        cookies = {"sessionid": key}

        def shown() -> str:
            response = requests.get(page, cookies=cookies, timeout=10)
            assert response.status_code == 200
            return response.text

        assert "Renamed Engineer" in shown()
        # Kept in the server's memory: a change underneath isn't seen (published
        # levels never change, unless the whole database is replaced).
        database.query(
            f"UPDATE ladder_level SET title = {m} WHERE code = {m}", ("Other Engineer", "IC5")
        )
        time.sleep(1.2)
        assert "Renamed Engineer" in shown()
        stack.manage("restore", "--noinput", str(tmp_path / "before.backup"))
        time.sleep(1.2)
        after = shown()
        assert "Renamed Engineer" not in after
        assert "Other Engineer" not in after
        assert "Staff Machine Learning Engineer" in after
        database.close()
