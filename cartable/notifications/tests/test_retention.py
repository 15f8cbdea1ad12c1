"""Old notifications are deleted at night, and the events nobody is notified of any more with them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cartable.directory.tasks import nightly_maintenance
from cartable.notifications import actions, counts
from cartable.notifications.models import Event, Notification
from cartable.notifications.tests.conftest import NOW, paris

pytestmark = pytest.mark.django_db


def publish_at(moment: dt.datetime, world, *names: str, title: str) -> Event:
    with time_machine.travel(moment, tick=False):
        event = actions.publish(NOW, recipients=[world.person(n) for n in names], data={"title": title})
    assert event is not None
    return event


def test_notifications_older_than_the_retention_go_with_their_events(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_RETENTION_DAYS = 365
    told: list[list[int]] = []
    monkeypatch.setattr(counts, "changed", lambda people: told.append(sorted(people)))
    old = publish_at(paris(2025, 11, 1, 9), world, "marie", "bob", title="ancien")
    kept = publish_at(paris(2025, 12, 1, 9), world, "marie", title="récent")
    told.clear()
    with (
        time_machine.travel(paris(2026, 11, 23, 3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert actions.purge_old_notifications() == 2
    assert not Event.objects.filter(pk=old.pk).exists()
    assert list(Notification.objects.values_list("event_id", flat=True)) == [kept.pk]
    # Marie's and Bob's cached counts and timelines are refreshed.
    assert told == [sorted([world.person("marie").pk, world.person("bob").pk])]
    # One day more is not enough for the other one, a shorter retention is.
    with time_machine.travel(paris(2026, 11, 24, 3), tick=False):
        assert actions.purge_old_notifications() == 0
        settings.NOTIFICATION_RETENTION_DAYS = 30
        assert actions.purge_old_notifications() == 1
    assert not Event.objects.exists()


def test_events_left_without_notification_go_even_when_recent(world):
    recent = publish_at(paris(2026, 11, 20, 9), world, "marie", title="x")
    Notification.objects.filter(event=recent).delete()  # as an account purge does
    with time_machine.travel(paris(2026, 11, 23, 3), tick=False):
        assert actions.purge_old_notifications() == 0
    assert not Event.objects.exists()


def test_the_nightly_maintenance_purges_old_notifications(world, django_capture_on_commit_callbacks):
    publish_at(paris(2025, 1, 1, 9), world, "marie", title="ancien")
    publish_at(paris(2026, 11, 22, 9), world, "marie", title="hier")
    with (
        time_machine.travel(paris(2026, 11, 23, 3, 5), tick=False),
        django_capture_on_commit_callbacks(execute=False),
    ):
        done = nightly_maintenance.call()
    assert done["notifications"] == 1
    assert list(Notification.objects.values_list("event__data__title", flat=True)) == ["hier"]
