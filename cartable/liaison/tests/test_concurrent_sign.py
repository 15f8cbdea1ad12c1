"""A signature and a correction of the same mot never cross: the author may correct a mot only while nobody
has signed it, so a correction saved while a guardian's signature is being written waits for it, then is
refused; the text signed never changes under the signature. On PostgreSQL, each in its own connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from cartable.liaison import actions
from cartable.liaison.models import Request, Signature
from cartable.lib.errors import Refused

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks (CI runs this test with DATABASE_URL=postgres://…)",
)


@pytest.fixture
def world(transactional_db):
    """The permission world, committed: the threads' own connections must see it."""
    from tests.world import build_world

    return build_world()


def test_a_correction_saved_while_a_guardian_signs_is_refused(world):
    mot = actions.send_mot(
        world.fresh_user("tom"),
        actions.MotInput(
            title="Sortie au musée",
            body="Jeudi, visite du musée.",
            request=Request.SIGNATURE,
            group_ids=[world.class_6a.pk],
        ),
    )
    signing, committed = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def sign() -> None:
        # The guardian's signature, not yet committed while the author saves a correction.
        try:
            with transaction.atomic():
                actions.sign(world.fresh_user("marie"), mot, world.person("alice").pk)
                signing.set()
                committed.wait(10)
        except Exception as error:  # reported below, not lost in the thread
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    def correct() -> None:
        try:
            actions.edit_mot(world.fresh_user("tom"), mot, actions.MotInput(title="Sortie", body="Vendredi."))
            outcomes.append("corrected")
        except Refused:
            outcomes.append("refused")
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    signer = threading.Thread(target=sign)
    signer.start()
    assert signing.wait(10)
    editor = threading.Thread(target=correct)
    editor.start()
    editor.join(1)
    committed.set()
    signer.join(10)
    editor.join(10)
    assert outcomes == ["refused"]
    mot.refresh_from_db()
    assert mot.body == "Jeudi, visite du musée." and mot.edited_at is None
    assert Signature.objects.filter(mot=mot, pupil=world.person("alice")).count() == 1
