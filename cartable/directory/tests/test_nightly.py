"""The nightly maintenance queued for the background worker: the C5 purge and the C8 trace purge, every
night, without anybody running a command."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from cartable.directory import actions
from cartable.directory.models import Person
from cartable.directory.tasks import next_night, nightly_maintenance

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def queued_nights() -> list[dt.datetime]:
    return sorted(
        DBTaskResult.objects.filter(task_path=nightly_maintenance.module_path, status="READY").values_list(
            "run_after", flat=True
        )
    )


def test_the_next_night_is_three_in_the_morning_in_paris():
    evening = dt.datetime(2027, 1, 10, 22, 0, tzinfo=PARIS)
    assert next_night(evening) == dt.datetime(2027, 1, 11, 3, 0, tzinfo=PARIS)
    small_hours = dt.datetime(2027, 1, 11, 1, 0, tzinfo=PARIS)
    assert next_night(small_hours) == dt.datetime(2027, 1, 11, 3, 0, tzinfo=PARIS)


def test_plan_daily_tasks_queues_one_nightly_run_however_often_it_is_called(
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(dt.datetime(2027, 1, 10, 12, 0, tzinfo=PARIS), tick=False):
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                call_command("plan_daily_tasks", stdout=StringIO())
    assert queued_nights() == [dt.datetime(2027, 1, 11, 3, 0, tzinfo=PARIS)]


def test_the_worker_purges_closed_accounts_at_night_and_queues_the_next_night(
    world, django_capture_on_commit_callbacks, run_tasks
):
    alice, bob = world.person("alice"), world.person("bob")
    left = dt.datetime(2027, 1, 10, 8, 0, tzinfo=dt.UTC)
    actions.deactivate_people([alice.pk], left)
    with time_machine.travel(left, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("plan_daily_tasks", stdout=StringIO())

    # The first night after she left: too early for the purge (rule C5 leaves 90 days).
    first_night = dt.datetime(2027, 1, 11, 3, 5, tzinfo=PARIS)
    with time_machine.travel(first_night, tick=False), django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert Person.objects.get(pk=alice.pk).first_name == "Alice"
    assert queued_nights() == [dt.datetime(2027, 1, 12, 3, 0, tzinfo=PARIS)]

    # 91 days later the waiting run purges her, and only her.
    DBTaskResult.objects.filter(status="READY").update(run_after=dt.datetime(2027, 4, 11, 3, 0, tzinfo=PARIS))
    night_91 = dt.datetime(2027, 4, 11, 3, 5, tzinfo=PARIS)
    with time_machine.travel(night_91, tick=False), django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert Person.objects.get(pk=alice.pk).first_name == "Ancien"
    assert Person.objects.get(pk=bob.pk).first_name == "Bob"
    assert queued_nights() == [dt.datetime(2027, 4, 12, 3, 0, tzinfo=PARIS)]
