"""Every write of the notifications app. Other apps call `publish` from their own actions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cartable.access.policy import viewer_for
from cartable.accounts.actions import record_login_event
from cartable.accounts.models import LoginEvent
from cartable.directory.models import Person, School
from cartable.lib.db import insert_one_row_per_id
from cartable.notifications import counts
from cartable.notifications.delivery import ALL_KINDS
from cartable.notifications.kinds import KINDS, Channel
from cartable.notifications.models import DeliverySettings, Event, Notification, Preference
from cartable.portal.switches import still_notified


def _id(value: Person | int) -> int:
    return value if isinstance(value, int) else value.pk


@transaction.atomic
def publish(
    kind: str,
    *,
    recipients: Iterable[Person | int],
    school: School | None = None,
    actor: Person | None = None,
    about: Person | None = None,
    data: dict[str, Any] | None = None,
    url: str = "",
) -> Event | None:
    """Record an event for the people it concerns (never its author), inside the caller's transaction so that
    it exists exactly when the change it tells of does; emails follow once the transaction has committed.

    `recipients` are people (or their ids); `about` the pupil concerned, for guardians; `data` the JSON-able
    parameters the kind's text needs; `url` where the timeline entry leads. Nobody for whom the school
    switched the kind's app off is told (cartable.portal.switches)."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}: register it with cartable.notifications.kinds")
    recipient_ids = {_id(person) for person in recipients}
    if actor is not None:
        recipient_ids.discard(actor.pk)
    # Not those the school switched the kind's app off for (no query unless some school switched it off).
    recipient_ids = still_notified(
        KINDS[kind].app_code,
        recipient_ids,
        school_id=school.pk if school is not None else None,
        about_id=about.pk if about is not None else None,
    )
    if not recipient_ids:
        return None
    event = Event.objects.create(kind=kind, school=school, actor=actor, about=about, data=data or {}, url=url)
    people = sorted(recipient_ids)
    insert_one_row_per_id(
        Notification, "recipient_id", people, {"event_id": event.pk, "created_at": event.created_at}
    )
    event_id = event.pk

    def after_commit() -> None:
        from cartable.notifications.tasks import deliver_event

        counts.changed(people)
        deliver_event.enqueue(event_id)

    transaction.on_commit(after_commit)
    return event


def withdraw(kind: str, url: str, since: datetime.datetime) -> int:
    """Take back the events of `kind` leading to `url`, published since `since` (a recalled message): their
    timeline entries go, and emails not sent yet will not be. Returns how many events went."""
    events = Event.objects.filter(kind=kind, url=url, created_at__gte=since)
    people = sorted(set(Notification.objects.filter(event__in=events).values_list("recipient_id", flat=True)))
    _deleted, by_model = events.delete()
    if people:
        counts.changed(people)
    return by_model.get(Event._meta.label, 0)


def mark_read(user: Any, notification: Notification) -> bool:
    """The recipient has seen it (found by access.notification_or_404). False when it already was."""
    if notification.recipient_id != viewer_for(user).person_id:
        raise PermissionDenied
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        counts.changed([notification.recipient_id])
    return bool(updated)


def mark_all_read(user: Any) -> int:
    person_id = viewer_for(user).person_id
    if person_id is None:
        return 0
    updated = Notification.objects.filter(recipient_id=person_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        counts.changed([person_id])
    return updated


@transaction.atomic
def save_preferences(
    user: Any,
    *,
    channels: dict[str, str],
    quiet_enabled: bool,
    quiet_start: datetime.time,
    quiet_end: datetime.time,
    email_off: bool,
    sms_phone: str = "",
    request: Any = None,
) -> None:
    """One row per kind whose channel differs from the kind's default; the quiet hours and the global
    switch in DeliverySettings. A new mobile number is traced like any change of how the person is reached
    (see set_sms_phone)."""
    person_id = viewer_for(user).person_id
    if person_id is None:
        raise PermissionDenied
    valid = {Channel.IMMEDIATE, Channel.DIGEST, Channel.OFF}
    chosen = {code: channel for code, channel in channels.items() if code in KINDS and channel in valid}
    Preference.objects.filter(person_id=person_id, kind__in=list(chosen)).delete()
    Preference.objects.bulk_create(
        [
            Preference(person_id=person_id, kind=code, channel=channel)
            for code, channel in chosen.items()
            if channel != KINDS[code].default_channel
        ]
    )
    before = sms_phone_of(person_id)
    DeliverySettings.objects.update_or_create(
        person_id=person_id,
        defaults={
            "quiet_enabled": quiet_enabled,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "email_off": email_off,
            "sms_phone": sms_phone,
        },
    )
    if sms_phone != before:
        _trace_phone_change(person_id, request)


def sms_phone_of(person_id: int) -> str:
    found = DeliverySettings.objects.filter(person_id=person_id).values_list("sms_phone", flat=True).first()
    return found or ""


def _trace_phone_change(person_id: int, request: Any) -> None:
    person = Person.objects.select_related("user").filter(pk=person_id).first()
    if person is not None:
        record_login_event(person.user, LoginEvent.Kind.PHONE_CHANGED, request)


@transaction.atomic
def set_sms_phone(person_id: int, phone: str, request: Any = None) -> bool:
    """The person's one mobile number (the SMS channel of the notifications, shown in "Mes données"), in
    the international form of notifications.sms.normalize_mobile, or "" for none. Traced in the account's
    history when it changes (rule C8); returns whether it changed."""
    if phone == sms_phone_of(person_id):
        return False
    DeliverySettings.objects.update_or_create(person_id=person_id, defaults={"sms_phone": phone})
    _trace_phone_change(person_id, request)
    return True


@transaction.atomic
def unsubscribe(person_id: int, kind: str) -> Any:
    """From an email's link: no more emails of this kind (or none at all for ALL_KINDS). None when the
    person is gone."""
    if not Person.objects.filter(pk=person_id).exists():
        return None
    if kind == ALL_KINDS:
        settings, _ = DeliverySettings.objects.get_or_create(person_id=person_id)
        if not settings.email_off:
            settings.email_off = True
            settings.save(update_fields=["email_off"])
        return settings
    preference, _ = Preference.objects.update_or_create(
        person_id=person_id, kind=kind, defaults={"channel": Channel.OFF}
    )
    return preference


def forget_people(person_ids: list[int]) -> None:
    """Account purge (rule C5): their notifications, email choices and SMS number go with their data."""
    Notification.objects.filter(recipient_id__in=person_ids).delete()
    Preference.objects.filter(person_id__in=person_ids).delete()
    DeliverySettings.objects.filter(person_id__in=person_ids).delete()
    ids = list(person_ids)
    transaction.on_commit(lambda: counts.changed(ids))


@transaction.atomic
def purge_old_notifications(now: datetime.datetime | None = None) -> int:
    """Nightly: notifications older than NOTIFICATION_RETENTION_DAYS go, then the events nobody has a
    notification of any more (also those left by an account purge). Returns how many notifications went."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    old = Notification.objects.filter(created_at__lt=cutoff)
    people = sorted(set(old.values_list("recipient_id", flat=True)))
    deleted, _by_model = old.delete()
    Event.objects.filter(notifications__isnull=True).delete()
    if people:
        transaction.on_commit(lambda: counts.changed(people))
    return deleted
