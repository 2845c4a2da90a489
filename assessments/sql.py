"""Every statement written by hand, for the hottest paths: what an assessment page reads
first, and the saves made at every pause in typing. Imports models only.

The read every assessment page starts with, as one prepared statement.
Each page of an assessment (the self-assessment, the review, the packet) reads the
assessment with its cycle, its engineer and its reviewer. Built by the ORM, that
query's SQL was compiled again on every request, and compiling it cost as much as
the rest of the review page's queries together (bench/review_page.py). Here the SQL
is written once per process from the models' own metadata, and the rows become
model instances through the same converters and from_db() the ORM uses, so dates,
times and booleans come back exactly as the ORM would give them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connection

from assessments.models import Assessment, Cycle, Event, PeerAnswer, PeerRequest, Rating
from ladder.models import User

# The people on an assessment page are shown by name and checked by id; the rest of
# their row (password hash, permissions) is never needed there.
PERSON_FIELDS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "manager_id",
    "track_id",
    "level_code",
)


# What a save reads: its own side of the rating, and what the policy asks of the
# assessment (not the summaries and reasons, which can be long).
RATING_FIELDS = (
    "id",
    "assessment_id",
    "behaviour_id",
    "score",
    "evidence",
    "evidence_html",
    "evidence_plain",
    "version",
    "updated_at",
)
REVIEW_FIELDS = (
    "id",
    "assessment_id",
    "behaviour_id",
    "manager_score",
    "manager_comment",
    "manager_comment_html",
    "manager_version",
)
SAVE_ASSESSMENT_FIELDS = (
    "id",
    "status",
    "engineer_id",
    "reviewer_id",
    "skip_reviewer_id",
    "cycle_id",
    "level_id",
    "extended_to",
)
# What the policy asks of the cycle on a save: closed, or past the drafts' deadline.
SAVE_CYCLE_FIELDS = ("id", "self_assessment_due", "calibration_closed_at", "phase")


@dataclass(frozen=True)
class _Part:
    model: type
    alias: str
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, list, object], ...]  # (position, converters, expression)


@dataclass(frozen=True)
class _Plan:
    sql: str
    parts: tuple[_Part, ...]


def _part(model, alias: str, only: tuple[str, ...] | None, start: int) -> tuple[_Part, list]:
    fields = [f for f in model._meta.concrete_fields if only is None or f.attname in only]
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(alias)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((start + index, found, column))
    columns = [f'{alias}."{f.column}"' for f in fields]
    return _Part(model, alias, tuple(f.attname for f in fields), tuple(converters)), columns


@cache
def _plan(vendor: str) -> _Plan:
    parts, columns = [], []
    for model, alias, only in (
        (Assessment, "a", None),
        (Cycle, "c", None),
        (User, "e", PERSON_FIELDS),
        (User, "r", PERSON_FIELDS),
    ):
        part, part_columns = _part(model, alias, only, len(columns))
        parts.append(part)
        columns += part_columns
    sql = (
        f"SELECT {', '.join(columns)} FROM {Assessment._meta.db_table} a "
        f"JOIN {Cycle._meta.db_table} c ON c.id = a.cycle_id "
        f"JOIN {User._meta.db_table} e ON e.id = a.engineer_id "
        f"LEFT JOIN {User._meta.db_table} r ON r.id = a.reviewer_id "
        "WHERE a.id = %s"
    )
    return _Plan(sql, tuple(parts))


def _converted(part: _Part, values) -> list:
    """The row's values as the ORM would give them, through the part's converters (whose
    positions count from the start of `values`)."""
    values = list(values)
    for position, converters, expression in part.converters:
        for converter in converters:
            values[position] = converter(values[position], expression, connection)
    return values


def assessment_for_page(pk: int) -> Assessment | None:
    """The assessment with its cycle, engineer and reviewer (names and ids), or None."""
    plan = _plan(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for part in plan.parts:
        row = _converted(part, row)
    instances, start = [], 0
    for part in plan.parts:
        values = row[start : start + len(part.attnames)]
        start += len(part.attnames)
        is_missing = values[0] is None  # the LEFT JOIN found no reviewer
        instances.append(
            None if is_missing else part.model.from_db(connection.alias, part.attnames, values)
        )
    assessment, cycle, engineer, reviewer = instances
    assessment.cycle, assessment.engineer, assessment.reviewer = cycle, engineer, reviewer
    return assessment


def rating_rows(assessment_id: int, columns: tuple[str, ...]) -> list[tuple]:
    """The named columns of every rating of an assessment, as plain tuples, in no order.

    The pages read the ratings as values, never as models, and every column they read
    is a number or text: no converter is needed. "NULL" stands for a column a page
    doesn't read.
    """
    from assessments.models import Rating

    names = ", ".join(column if column == "NULL" else f'"{column}"' for column in columns)
    sql = f"SELECT {names} FROM {Rating._meta.db_table} WHERE assessment_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [assessment_id])
        return cursor.fetchall()


@cache
def _peer_sql(names: bool, statuses: int) -> str:
    people = ', u."first_name", u."last_name", u."username"' if names else ""
    join = f' JOIN {User._meta.db_table} u ON u."id" = q."peer_id"' if names else ""
    in_list = ", ".join(["%s"] * statuses)
    return (
        'SELECT q."id", q."status", q."shuffle", a."area_id", a."behaviour_id", a."score", '
        f'a."not_seen", a."evidence_html"{people} FROM {PeerRequest._meta.db_table} q '
        f'LEFT JOIN {PeerAnswer._meta.db_table} a ON a."request_id" = q."id"{join} '
        f'WHERE q."assessment_id" = %s AND q."kind" = %s AND q."status" IN ({in_list})'
    )


def peer_rows(assessment_id: int, kind: str, statuses: tuple[str, ...], *, names: bool):
    """The requests of one kind on an assessment in the given statuses, a row per
    answer (one with the answer's columns empty for a request without answers): id,
    status, shuffle, area, behaviour (None for an answer on the whole area), score, not
    seen, evidence HTML, and the colleague's first name, last name and username if
    `names`. `not_seen` is 0 or 1 on SQLite: read it as true or false, never compare it
    with a boolean.

    Plain SQL: the review page reads it on every view, and the ORM compiled this join
    each time for more than the read cost (bench/review_page.py)."""
    with connection.cursor() as cursor:
        cursor.execute(_peer_sql(names, len(statuses)), [assessment_id, kind, *statuses])
        return cursor.fetchall()


@cache
def _in_model_order(model, fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in fields)


@cache
def _rating_part(vendor: str, fields: tuple[str, ...]) -> tuple[_Part, list]:
    from assessments.models import Rating

    return _part(Rating, "r", fields, 0)


@cache
def _cycle_part(vendor: str) -> tuple[_Part, list]:
    return _part(Cycle, "c", SAVE_CYCLE_FIELDS, 0)


def rating_for_save(assessment_pk: int, behaviour_pk: int, fields: tuple[str, ...]):
    """A rating, its assessment (what the policy asks about) and what the policy asks of
    its cycle (closed? past the deadline?), in one query; None if there is no such rating.

    Plain SQL, like the UPDATE that follows it (assessments.services._conditional_update):
    every autosave runs it, its shape never changes, and building it through the ORM
    cost a tenth of a save.
    """
    from assessments.models import Rating

    rating_part, rating_columns = _rating_part(connection.vendor, fields)
    fields = rating_part.attnames
    assessment_fields = _in_model_order(Assessment, SAVE_ASSESSMENT_FIELDS)
    cycle_part, cycle_columns = _cycle_part(connection.vendor)
    columns = rating_columns + [f"a.{f}" for f in assessment_fields] + cycle_columns
    sql = (
        f"SELECT {', '.join(columns)} FROM {Rating._meta.db_table} r "
        f"JOIN {Assessment._meta.db_table} a ON a.id = r.assessment_id "
        f"JOIN {Cycle._meta.db_table} c ON c.id = a.cycle_id "
        "WHERE r.assessment_id = %s AND r.behaviour_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [assessment_pk, behaviour_pk])
        row = cursor.fetchone()
    if row is None:
        return None
    rating = Rating.from_db(connection.alias, fields, _converted(rating_part, row[: len(fields)]))
    end = len(fields) + len(assessment_fields)
    assessment = Assessment.from_db(connection.alias, assessment_fields, row[len(fields) : end])
    cycle_values = _converted(cycle_part, row[end:])
    assessment.cycle = Cycle.from_db(connection.alias, cycle_part.attnames, cycle_values)
    rating.assessment = assessment
    return rating


# ---- the saves: one statement each, checked against the version they started from


def update_rating_if_current(*, rating, score, evidence, html, plain, base_version, now) -> int:
    """UPDATE the rating if it is still at base_version and its assessment still a draft.

    Written as SQL, not through the ORM: this statement runs for every keystroke
    pause of everyone before a deadline, its shape never changes, and compiling it
    was the largest part of an autosave's time (bench/autosave.py). Plain SQL that
    SQLite and PostgreSQL both run.
    """
    # On PostgreSQL, FOR SHARE makes the check wait for a submit that holds the
    # assessment's row and then see its outcome; SQLite runs one writer at a time.
    share = " FOR SHARE" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {Rating._meta.db_table} "
        "SET score = %s, evidence = %s, evidence_html = %s, evidence_plain = %s, "
        "version = version + 1, updated_at = %s "
        "WHERE id = %s AND version = %s AND EXISTS ("
        f"SELECT 1 FROM {Assessment._meta.db_table} WHERE id = %s AND status = %s{share})"
    )
    params = [
        score,
        evidence,
        html,
        plain,
        connection.ops.adapt_datetimefield_value(now),
        rating.pk,
        base_version,
        rating.assessment_id,
        Assessment.Status.DRAFT.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def store_rendered_evidence(rating_id: int, version: int, html: str) -> int:
    """Put the rendered Markdown in place of the plain paragraphs a save left, if the
    rating is still at the version whose evidence was rendered."""
    sql = (
        f"UPDATE {Rating._meta.db_table} SET evidence_html = %s, evidence_plain = %s "
        "WHERE id = %s AND version = %s AND evidence_plain = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [html, False, rating_id, version, True])
        return cursor.rowcount


def update_review_if_current(*, rating, by, score, comment, html, base, now, open_statuses) -> int:
    """UPDATE the manager's columns if still at `base` and the review still open to `by`
    (its assessment in one of `open_statuses`).

    Plain SQL for the same reason as update_rating_if_current: it runs for every pause in a
    manager's typing, and its shape never changes. On PostgreSQL, FOR KEY SHARE waits
    for a status change that holds the row (FOR UPDATE, assessments.workflow) but not
    for the review's own start (an UPDATE of the same row in another save): with FOR
    SHARE, two first saves at once each held the share and deadlocked on the start.
    """
    share = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    placeholders = ", ".join(["%s"] * len(open_statuses))
    sql = (
        f"UPDATE {Rating._meta.db_table} "
        "SET manager_score = %s, manager_comment = %s, manager_comment_html = %s, "
        "manager_version = manager_version + 1, manager_updated_at = %s "
        "WHERE id = %s AND manager_version = %s AND EXISTS ("
        f"SELECT 1 FROM {Assessment._meta.db_table} "
        f"WHERE id = %s AND reviewer_id = %s AND status IN ({placeholders}){share})"
    )
    params = [
        score,
        comment,
        html,
        connection.ops.adapt_datetimefield_value(now),
        rating.pk,
        base,
        rating.assessment_id,
        by.pk,
        *open_statuses,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert_events(assessment_id: int, actor_id: int, events: list[tuple], now) -> None:
    """Write history rows (kind, old, new, behaviour_id) with one plain INSERT.

    Not through the ORM for the reason given in update_rating_if_current.
    """
    if not events:
        return
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(events))
    sql = (
        f"INSERT INTO {Event._meta.db_table} "
        f"(assessment_id, at, actor_id, kind, behaviour_id, old, new) VALUES {rows}"
    )
    at = connection.ops.adapt_datetimefield_value(now)
    params = [
        value
        for kind, old, new, behaviour_id in events
        for value in (assessment_id, at, actor_id, str(kind), behaviour_id, old, new)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
