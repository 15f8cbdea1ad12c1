from __future__ import annotations

import weakref
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

# Connection object -> the user query compiled for it. A compiled query holds the connection it was built for,
# so it is looked up by the connection current at each call: the same thread may be handed another connection
# object (an asyncio loop running in it gives it context-local connections), and reading through a stale
# one would miss what the current connection's transaction wrote.
_compiled: weakref.WeakKeyDictionary[Any, tuple[str, Any, dict, list[str]]] = weakref.WeakKeyDictionary()


def _user_query(model: Any, connection: Any) -> tuple[str, Any, dict, list[str]]:
    """The SQL that reads a user by primary key, its compiler, its value converters and its columns."""
    found = _compiled.get(connection)
    if found is None:
        compiler = (
            model._default_manager.db_manager(connection.alias)
            .filter(pk=0)
            .query.get_compiler(connection=connection)
        )
        sql, _params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        columns = [column.target.attname for column, _, _ in compiler.select]
        found = _compiled[connection] = (sql, compiler, converters, columns)
    return found


def read_user(user_id: Any) -> Any:
    """The user with this primary key, or None. Every request reads its user: the ORM takes some 0.35 ms to
    build the query, more than the database takes to answer it, so it is built once per connection."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    connection = connections[router.db_for_read(model)]
    sql, compiler, converters, columns = _user_query(model, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:  # e.g. SQLite's dates, which the database gives as text
        row = next(iter(compiler.apply_converters([row], converters)))
    return model.from_db(connection.alias, columns, row)


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
