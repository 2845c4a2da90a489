"""Sessions in the database with their user's id beside them (ladder.models.UserSession).

Set as SESSION_ENGINE. Everything else is Django's database store; the id lets
Ladder end a person's sessions when they are deactivated or deprovisioned.

Every signed-in request reads its session and then its user: two queries Django's
store and auth backend build through the ORM each time, a third of a request as short
as an autosave. Here one statement, written once per process as plain SQL both engines
run, reads the session with its user's row beside it; the sign-in backends
(ladder/site/sso.py) take that user instead of asking again (`user_for`). Django's own
checks all still run on it: the session's expiry here, and in django.contrib.auth the
backend named in the session, its `get_user` (active, allowed to sign in that way) and
the password hash the session was signed with.
"""

import threading
from dataclasses import dataclass
from functools import cache

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.exceptions import ValidationError
from django.core.signals import request_finished, request_started
from django.db import connections, router
from django.dispatch import receiver
from django.utils import timezone


@dataclass(frozen=True)
class _UserColumns:
    select: str  # the user table's columns, as "u"."column", for a SELECT list
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, list, object], ...]  # (position, converters, expression)


@cache
def _user_columns(alias: str) -> _UserColumns:
    from ladder.models import User

    connection = connections[alias]
    fields = User._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col("u")
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    select = ", ".join(f'u."{field.column}"' for field in fields)
    return _UserColumns(select, tuple(f.attname for f in fields), tuple(converters))


def _user_from_row(alias: str, row) -> object:
    from ladder.models import User

    columns = _user_columns(alias)
    row = list(row)
    connection = connections[alias]
    for position, converters, expression in columns.converters:
        for converter in converters:
            row[position] = converter(row[position], expression, connection)
    return User.from_db(alias, columns.attnames, row)


@cache
def _session_with_user(alias: str, sessions: str, users: str) -> str:
    return (
        f"SELECT s.session_data, s.user_id, {_user_columns(alias).select} FROM {sessions} s "
        f"LEFT JOIN {users} u ON u.id = s.user_id "
        "WHERE s.session_key = %s AND s.expire_date > %s"
    )


@cache
def _user_by_id(alias: str, users: str) -> str:
    return f"SELECT {_user_columns(alias).select} FROM {users} u WHERE u.id = %s"


# The user row read with this thread's current session, for the backend's get_user.
_read = threading.local()


@receiver(request_started)
@receiver(request_finished)
def _forget_read_user(**kwargs) -> None:
    _read.__dict__.clear()


def user_for(user_id):
    """The user with this id (as a session holds it), or None: the one read with the
    request's session when it is them, else read now."""
    from ladder.models import User

    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    alias = router.db_for_read(User)
    found = getattr(_read, "user", None)
    if found is not None and found[0] == (alias, pk):
        _read.user = None  # used once: a later call reads afresh
        return _user_from_row(alias, found[1])
    with connections[alias].cursor() as cursor:
        cursor.execute(_user_by_id(alias, User._meta.db_table), [pk])
        row = cursor.fetchone()
    return None if row is None else _user_from_row(alias, row)


class SessionStore(DatabaseStore):
    @classmethod
    def get_model_class(cls):
        from ladder.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        user_id = data.get("_auth_user_id")
        instance.user_id = int(user_id) if user_id and str(user_id).isdigit() else None
        return instance

    def load(self):
        from ladder.models import User

        _read.user = None
        key = self.session_key
        if key is None:
            return {}
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        sql = _session_with_user(alias, self.model._meta.db_table, User._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now])
            row = cursor.fetchone()
        if row is None:
            # As Django's store: an unknown or expired key is forgotten, and a new
            # session gets a new one.
            self._session_key = None
            return {}
        data, user_id, user = row[0], row[1], row[2:]
        if user_id is not None and user[0] is not None:
            _read.user = ((alias, user_id), user)
        return self.decode(data)
