"""One row per id in one statement: the rows are those bulk_create would have written."""

import pytest
from django.utils import timezone

from cartable.lib.db import insert_one_row_per_id
from cartable.notifications.models import Event, Notification

pytestmark = pytest.mark.django_db


def test_one_row_per_id_with_the_shared_values(world):
    event = Event.objects.create(kind="messaging.new_message", data={"subject": "Sortie"})
    people = [world.person(name).pk for name in ("alice", "marie", "tom")]
    when = timezone.now()
    insert_one_row_per_id(Notification, "recipient_id", people, {"event_id": event.pk, "created_at": when})
    rows = Notification.objects.filter(event=event).order_by("recipient_id")
    assert [row.recipient_id for row in rows] == sorted(people)
    assert all(row.created_at == when and row.read_at is None and row.emailed_at is None for row in rows)


def test_no_id_writes_nothing(world):
    event = Event.objects.create(kind="messaging.new_message")
    insert_one_row_per_id(Notification, "recipient_id", [], {"event_id": event.pk})
    assert not Notification.objects.filter(event=event).exists()
