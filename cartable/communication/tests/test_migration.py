"""The communication models moved from the access app to this one without moving a row: a database migrated
before the move keeps its rules, kill-switches and trace (communication 0001 and access 0002 change Django's
state only; the tables keep their names)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cartable.communication.models import CommunicationChange, CommunicationRule, SendingPause
from cartable.directory.models import School

BEFORE_THE_MOVE = [("access", "0001_initial"), ("communication", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_the_rows_written_before_the_move_are_read_after_it():
    old = _migrate(BEFORE_THE_MOVE)
    # Only the two apps went back in time: the directory's tables are today's.
    school = School.objects.create(uai="0999999Z", name="Collège d’avant")
    old.get_model("access", "CommunicationRule").objects.create(
        school_id=school.pk, profile="Student", audience="pupils", scope="class", allowed=True
    )
    old.get_model("access", "SendingPause").objects.create(school_id=school.pk, profile="Student")
    old.get_model("access", "CommunicationChange").objects.create(
        school_id=school.pk, kind="paused", detail="Élève"
    )

    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())

    rule = CommunicationRule.objects.get(school_id=school.pk)
    assert (rule.profile, rule.audience, rule.scope, rule.allowed) == ("Student", "pupils", "class", True)
    assert SendingPause.objects.filter(school_id=school.pk, profile="Student").exists()
    assert CommunicationChange.objects.get(school_id=school.pk).detail == "Élève"
    # And the models write where they read.
    CommunicationRule.objects.filter(pk=rule.pk).update(allowed=False)
    assert not CommunicationRule.objects.get(pk=rule.pk).allowed
