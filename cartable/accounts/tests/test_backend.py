"""The user of each request, read with a query built once: the same user as the ORM gives, or nobody."""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cartable.accounts.backends import CartableBackend, read_user
from cartable.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_same_user_as_the_orm_gives(world):
    marie = world.users["marie"]
    read = read_user(marie.pk)
    orm = User.objects.get(pk=marie.pk)
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
    assert not read._state.adding and read._state.db == "default"
    # A second read takes one query, and the same.
    with CaptureQueriesContext(connection) as queries:
        assert read_user(str(marie.pk)).username == marie.username
    assert len(queries) == 1


def test_nobody_for_an_unknown_or_malformed_id(world):
    assert read_user(10**9) is None
    assert read_user("not-a-number") is None
    assert CartableBackend().get_user("1; DROP TABLE accounts_user") is None


def test_inactive_and_blocked_accounts_are_nobody(world):
    backend = CartableBackend()
    tom = world.users["tom"]
    assert backend.get_user(tom.pk) == tom
    User.objects.filter(pk=tom.pk).update(blocked_at=timezone.now())
    assert backend.get_user(tom.pk) is None
    User.objects.filter(pk=tom.pk).update(blocked_at=None, is_active=False)
    assert backend.get_user(tom.pk) is None
    assert ModelBackend().get_user(tom.pk) is None  # Django's own rule, kept


def test_a_blocked_user_is_logged_out_at_the_next_request(client, world):
    world.login(client, "tom")
    assert client.get("/").status_code == 200
    User.objects.filter(pk=world.users["tom"].pk).update(blocked_at=timezone.now())
    response = client.get("/")
    assert response.status_code == 302 and "/auth/login" in response["Location"]


def in_a_thread_of_its_own[T](scenario: Callable[[], T]) -> T:
    """Runs `scenario` in a new thread, where no event loop runs yet: after the browser tests, the main thread
    keeps Playwright's loop running and asyncio.run() cannot start another there."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = scenario()
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.mark.django_db(transaction=True)
def test_read_through_the_connection_of_the_moment(monkeypatch):
    """Django keeps a thread's connections in a plain thread-local while no event loop runs in the thread, and
    in a contextvars storage while one does: inside Playwright's sync API (the browser fixture keeps its loop
    running in the main thread for the rest of the session) `connections["default"]` is another
    DatabaseWrapper. A query kept with the wrapper it was first built on read through the other connection,
    outside the transaction of the moment: the user was nobody, and the tests that ran after the browser tests
    were sent to the login page."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as the browser fixture does

    def scenario() -> tuple[int, User | None]:
        assert read_user(10**9) is None  # built (and run) first on this thread's connection
        before = connections["default"]

        async def with_a_loop_running() -> tuple[int, User | None]:
            assert connections["default"] is not before  # the situation under test
            try:
                with transaction.atomic():
                    user = User.objects.create(username="nouveau.venu", password=make_password(None))
                    found = read_user(user.pk)
                    transaction.set_rollback(True)
                return user.pk, found
            finally:
                connections["default"].close()

        return asyncio.run(with_a_loop_running())

    pk, found = in_a_thread_of_its_own(scenario)
    assert found is not None and found.pk == pk
