"""Who sees which notification: only its recipient; a guardian also sees, under each child, the events
published to that child about that child (read-only for them)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from cartable.access.policy import viewer_for
from cartable.lib.params import int_or_404
from cartable.notifications.models import DeliverySettings, Notification


def own_notifications(user: Any) -> QuerySet[Notification]:
    """The user's own notifications (the only ones they may mark read); none for someone without a
    directory entry."""
    person_id = viewer_for(user).person_id
    if person_id is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=person_id)


def notification_or_404(user: Any, notification_id: Any) -> Notification:
    """One of the user's own notifications, with its event; anyone else's answers 404."""
    found = (
        own_notifications(user)
        .select_related("event", "event__about")
        .filter(pk=int_or_404(notification_id))
        .first()
    )
    if found is None:
        raise Http404
    return found


def notifications_visible_to(user: Any, child_id: int | None = None) -> QuerySet[Notification]:
    """What the user's timeline shows, newest first, each event once.

    Without `child_id`: my notifications and, for a guardian, those of each of my children about that
    child. With `child_id` (one of my children): my notifications about that child or about no child of
    mine, and those of that child about them."""
    viewer = viewer_for(user)
    if viewer.person_id is None:
        return Notification.objects.none()
    me = viewer.person_id
    children = sorted(viewer.child_ids)
    if child_id is not None and child_id not in viewer.child_ids:
        return Notification.objects.none()
    mine = Q(recipient_id=me)
    if child_id is not None:
        others = [c for c in children if c != child_id]
        if others:
            mine &= ~Q(event__about_id__in=others)
    condition: Q
    if not children:
        condition = mine
    else:
        shown = [child_id] if child_id is not None else children
        condition = mine | (
            Q(recipient_id__in=shown, event__about_id=F("recipient_id"))
            # An event that also reached me is shown once, as mine.
            & ~Q(Exists(Notification.objects.filter(event_id=OuterRef("event_id"), recipient_id=me)))
        )
    return (
        Notification.objects.filter(condition)
        .select_related("event", "event__about")
        .order_by("-created_at", "-pk")
    )


def own_sms_phone(user: Any) -> str:
    """The user's mobile number for text messages (their only phone number in Cartable), or ""."""
    person_id = viewer_for(user).person_id
    if person_id is None:
        return ""
    found = DeliverySettings.objects.filter(person_id=person_id).values_list("sms_phone", flat=True).first()
    return found or ""
