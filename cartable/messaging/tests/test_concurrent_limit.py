"""The pupils' hourly limit holds when a pupil's account sends many messages at the same moment (a hijacked
account scripting them): on PostgreSQL, each send runs in its own connection, at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from cartable.lib.errors import Refused
from cartable.messaging import actions
from cartable.messaging.models import Message

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks, and the limit is enforced where schools run (CI runs "
    "this test with DATABASE_URL=postgres://…)",
)

SENDERS = 8
LIMIT = 3


@pytest.fixture
def world(transactional_db):
    """The permission world, committed: the threads' own connections must see it."""
    from tests.world import build_world

    return build_world()


def test_concurrent_sends_do_not_pass_the_hourly_limit(world, settings):
    settings.MESSAGES_PER_HOUR_PUPIL = LIMIT
    alice, tom = world.users["alice"], world.person("tom").pk
    start = threading.Barrier(SENDERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        try:
            start.wait()
            actions.send_message(alice, actions.Draft(people=[tom], subject=f"n°{n}", body="Encore"))
            outcome = "sent"
        except Refused:
            outcome = "refused"
        except Exception as error:  # reported below, not lost in the thread
            outcome = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * (SENDERS - LIMIT) + ["sent"] * LIMIT
    assert Message.objects.filter(sender=world.person("alice"), sent_at__isnull=False).count() == LIMIT
