"""Checks Django runs for `manage.py check --deploy --database default` (and `migrate`).

PostgreSQL's autovacuum clears the rows every update leaves behind; an autosave updates
a rating on each keystroke pause, so without it the ratings table fills with dead rows
(83,000 beside 20,000 live after one load run) and every read slows.
"""

from django.core.checks import Tags, Warning, register
from django.db import connections


@register(Tags.database, deploy=True)
def autovacuum_is_on(app_configs=None, databases=None, **kwargs):
    found = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            (setting,) = cursor.fetchone()
        if setting != "on":
            found.append(
                Warning(
                    f"PostgreSQL's autovacuum is {setting} for the database {alias!r}.",
                    hint="Turn it on (autovacuum = on in postgresql.conf): every autosave "
                    "leaves a dead row behind, and without it the ratings table keeps them.",
                    id="ladder.W001",
                )
            )
    return found
