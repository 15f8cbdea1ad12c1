"""The world replayed from its recorded rows (tests/replay.py) is the world the directory actions write."""

import datetime as dt

import pytest
from django.db import connection, transaction

from tests import replay
from tests.world import PERSONAS, _build_world

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the replay is PostgreSQL's")


def _rows() -> dict[str, list[tuple]]:
    tables = connection.introspection.table_names()
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            rows[table] = cursor.fetchall()
    return rows


def _same(recorded, replayed, table: str) -> None:
    assert len(recorded) == len(replayed), table
    for row, again in zip(recorded, replayed, strict=True):
        for value, other in zip(row, again, strict=True):
            if isinstance(value, dt.datetime):
                # Moved by the time elapsed since the recording: seconds here.
                assert abs(other - value) < dt.timedelta(minutes=5), table
            elif table == "accounts_user" and isinstance(value, str) and value.startswith("!"):
                assert other.startswith("!"), table  # an unusable password is random each time
            else:
                assert value == other, (table, row, again)


def test_a_replayed_world_is_the_world_the_actions_write(db):
    sid = transaction.savepoint_create()
    built, recording = replay._record(_build_world)
    written = _rows()
    transaction.savepoint_rollback(sid)
    assert recording is not None, "the world's build can be replayed"
    assert sum(map(len, _rows().values())) < sum(map(len, written.values()))

    again = replay._replay(recording)

    assert again is not None
    replayed = _rows()
    assert set(replayed) == set(written)
    for table, rows in written.items():
        _same(rows, replayed[table], table)
    for name in PERSONAS:
        assert again.users[name].pk == built.users[name].pk
        assert again.fresh_user(name).username == built.users[name].username
        assert again.users[name].date_joined >= built.users[name].date_joined


def test_a_replay_that_meets_taken_ids_builds_through_the_actions(db):
    from cartable.directory.models import School

    sid = transaction.savepoint_create()
    _built, recording = replay._record(_build_world)
    transaction.savepoint_rollback(sid)
    assert recording is not None
    # A row written first takes an id the world's schools had.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('directory_school', 'id'), %s, true)",
            [recording.sequences["public.directory_school_id_seq"] or 1],
        )
    School.objects.create(uai="0990099Z", name="Déjà là")

    assert replay._replay(recording) is None
    world = replay.built_once_then_replayed(_build_world)
    assert School.objects.count() == 3
    assert world.school_a.pk != world.school_b.pk
