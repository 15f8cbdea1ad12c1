from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router


@dataclass(frozen=True)
class UserQuery:
    """What reading a user by primary key needs, independent of any connection: the SQL, the columns it
    selects (attnames, for Model.from_db) and, by position, the selected expressions whose database values
    need converting (SQLite's dates come as text, for example)."""

    sql: str
    columns: list[str]
    to_convert: list[tuple[int, Any]]


# Database alias -> the query. Only text and field descriptions are kept, never a compiler: a compiler holds
# the DatabaseWrapper it was built with, and Django's connections are local to a thread *and* to a context
# (asgiref's Local). The same thread may see another wrapper later (inside Playwright's sync API, whose
# greenlets run in another context, the main thread's `connections["default"]` is a different object): a
# query kept with its compiler would then read through a connection outside the current transaction.
_queries: dict[str, UserQuery] = {}


def _user_query(model: Any, database: str) -> UserQuery:
    found = _queries.get(database)
    if found is None:
        compiler = model._default_manager.db_manager(database).filter(pk=0).query.get_compiler(database)
        sql, _params = compiler.as_sql()
        selected = [column for column, _, _ in compiler.select]
        to_convert = [
            (position, expression) for position, (_, expression) in compiler.get_converters(selected).items()
        ]
        columns = [column.target.attname for column in selected]
        found = _queries[database] = UserQuery(sql, columns, to_convert)
    return found


def read_user(user_id: Any) -> Any:
    """The user with this primary key, or None. Every request reads its user: the ORM takes some 0.35 ms to
    build the query, more than the database takes to answer it, so the SQL is built once per process and run
    on the connection of the moment."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    database = router.db_for_read(model)
    query = _user_query(model, database)
    connection = connections[database]
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if query.to_convert:  # e.g. SQLite's dates, which the database gives as text
        values = list(row)
        for position, expression in query.to_convert:
            converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                connection
            )
            for converter in converters:
                values[position] = converter(values[position], expression, connection)
        row = tuple(values)
    return model.from_db(database, query.columns, row)


# Set on the request when the right password was given for a blocked account (see refused_as_blocked).
REFUSED_AS_BLOCKED = "cartable_refused_as_blocked"


def refused_as_blocked(request) -> bool:
    """Was the login just refused only because the account is blocked, the password being right?"""
    return getattr(request, REFUSED_AS_BLOCKED, False)


class CartableBackend(ModelBackend):
    """Usernames are case-insensitive; blocked accounts cannot log in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        model = get_user_model()
        try:
            user = model._default_manager.get_by_natural_key(username.strip().lower())
        except model.DoesNotExist:
            # Hash anyway, so that an unknown login takes as long as a wrong password (as Django does).
            model().set_password(password)
            return None
        if not user.check_password(password):
            return None
        if self.user_can_authenticate(user):
            return user
        if request is not None and user.is_active and getattr(user, "blocked_at", None) is not None:
            # Only someone who knows the password learns that the account is blocked: the login page may
            # then say so (and whom to ask) instead of "incorrect password", without helping a guesser.
            # One password check either way, so the time taken tells nothing more.
            setattr(request, REFUSED_AS_BLOCKED, True)
        return None

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "blocked_at", None) is None

    def get_user(self, user_id):
        user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
