"""What the notifications section of /preferences offers and shows: shared by its own page
(cartable.notifications.views) and by its section of the portal's preferences page
(cartable.notifications.portal)."""

from __future__ import annotations

from typing import Any

from cartable.access.policy import viewer_for
from cartable.accounts.models import User
from cartable.notifications.kinds import KINDS, kinds_for
from cartable.notifications.models import DeliverySettings, Preference
from cartable.portal import switches


def _user_of(person_id: int) -> Any:
    return User.objects.filter(person__pk=person_id).first()


def preferences_initial(person_id: int, user: Any = None) -> dict:
    """The person's current choices, for the kinds that can concern them only."""
    viewer = viewer_for(user if user is not None else _user_of(person_id))
    delivery_settings = DeliverySettings.objects.filter(person_id=person_id).first() or DeliverySettings(
        person_id=person_id
    )
    chosen = dict(Preference.objects.filter(person_id=person_id).values_list("kind", "channel"))
    initial = {
        "email_off": delivery_settings.email_off,
        "quiet_enabled": delivery_settings.quiet_enabled,
        "quiet_start": delivery_settings.quiet_start,
        "quiet_end": delivery_settings.quiet_end,
        "sms_phone": delivery_settings.sms_phone,
    }
    for kind in kinds_for(viewer):
        initial[f"kind_{kind.code}"] = chosen.get(kind.code, kind.default_channel)
    return initial


def offered_kinds(user: Any) -> list:
    """The kinds offered in the preferences: those that can concern the user, but none of an app their school
    switched off for them (cartable.portal.switches)."""
    off = {
        code for code in {k.app_code for k in KINDS.values()} if code and switches.app_code_is_off(user, code)
    }
    return kinds_for(viewer_for(user), off)
