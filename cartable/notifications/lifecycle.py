"""Notifications in a person's lifecycle (cartable.lib.lifecycle): their notifications, email choices and SMS
number go at the purge; old notifications go every night; the daily digest is queued by plan_daily_tasks."""

from __future__ import annotations

from datetime import datetime

from cartable.lib.lifecycle import Fate, Forgetting
from cartable.notifications.actions import forget_people, purge_old_notifications
from cartable.notifications.delivery import plan_digest
from cartable.notifications.models import DeliverySettings, Event, Notification, Preference

PERSONAL_DATA = {
    Notification: Fate.FORGOTTEN,
    Preference: Fate.FORGOTTEN,
    DeliverySettings: Fate.FORGOTTEN,
    # What happened (who did it, about whom): goes at night once nobody has a notification of it any more.
    Event: Fate.TRACE,
}


def forget(people: Forgetting) -> None:
    forget_people(people.person_ids)


def nightly(now: datetime) -> dict[str, int]:
    return {"notifications": purge_old_notifications(now)}


def schedule() -> list[str]:
    queued = plan_digest()
    return [f"résumé des notifications {'programmé' if queued else 'déjà programmé'}"]
