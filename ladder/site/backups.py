"""Backing up and restoring Ladder's database, whichever engine it is on.

PostgreSQL goes through its own tools (pg_dump's custom format, pg_restore in one
transaction); SQLite through its online backup API, which copies a consistent snapshot
while the app goes on writing. A restore also gives the database a new epoch, so that
running server processes drop what they kept in memory from the database before.
"""

import os
import secrets
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import PacketJob
from ladder.models import DataEpoch


class BackupError(Exception):
    pass


def _postgres_env() -> dict[str, str]:
    """libpq's variables for the configured database; the password never on a command line."""
    config = connection.settings_dict
    env = {**os.environ, "PGDATABASE": config["NAME"]}
    for setting, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ]:
        if config.get(setting):
            env[variable] = str(config[setting])
    # TLS as the app connects (DATABASE_URL's ?sslmode=… and the like).
    for option, variable in [
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ]:
        if config.get("OPTIONS", {}).get(option):
            env[variable] = str(config["OPTIONS"][option])
    return env


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, env=_postgres_env(), capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed; on Debian: apt-get install postgresql-client"
        ) from None
    if result.returncode:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _sqlite_path() -> str:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("An in-memory SQLite database has nothing on disk to back up.")
    return name


def backup(target: Path) -> None:
    """Write a consistent copy of the database to target; safe while the app runs.

    It is written under a temporary name and renamed when complete, so a failed backup
    leaves no file that looks like one.
    """
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if connection.vendor == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial)])
        elif connection.vendor == "sqlite":
            source = sqlite3.connect(_sqlite_path())
            copy = sqlite3.connect(partial)
            try:
                # One step: the copy is the database at one moment; writers carry on (WAL).
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)


def restore(source: Path) -> None:
    """Replace the database's content with a backup's, then give it a new epoch."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    connection.close()
    if connection.vendor == "postgresql":
        _run(
            [
                "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                "--exit-on-error", "--dbname", connection.settings_dict["NAME"], str(source),
            ]
        )  # fmt: skip
    elif connection.vendor == "sqlite":
        backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(_sqlite_path(), timeout=60)
        try:
            backup_file.execute("PRAGMA schema_version").fetchone()  # a database at all?
            backup_file.backup(live)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a SQLite backup: {error}") from None
        finally:
            live.close()
            backup_file.close()
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported.")
    with transaction.atomic():
        # Jobs that were running when the backup was taken have no worker now: they
        # wait to run again.
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, run_after=timezone.now()
        )
        PacketJob.objects.filter(status=PacketJob.Status.RUNNING).update(
            status=PacketJob.Status.QUEUED
        )
        DataEpoch.objects.update_or_create(pk=1, defaults={"value": secrets.token_hex(16)})
