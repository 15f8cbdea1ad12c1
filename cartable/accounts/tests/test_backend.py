"""The user of each request, read with a query built once: the same user as the ORM gives, or nobody."""

import asyncio

import pytest
from django.contrib.auth.backends import ModelBackend
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


@pytest.mark.django_db(transaction=True)
def test_the_user_is_read_through_the_connection_current_at_each_call(monkeypatch):
    """An asyncio loop running in a thread gives it other connection objects (the browser tests' driver
    runs one): the user is read through the connection of the moment, inside its transaction, not through
    the one the query was first built for."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    user = User.objects.create(username="lecture.connexion")
    assert read_user(user.pk).username == "lecture.connexion"  # built for this thread's connection

    async def inside_a_running_loop() -> str:
        try:
            with transaction.atomic():
                User.objects.filter(pk=user.pk).update(username="lecture.changee")
                return read_user(user.pk).username
        finally:
            connections["default"].close()

    assert asyncio.run(inside_a_running_loop()) == "lecture.changee"
