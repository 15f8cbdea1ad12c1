"""What the notifications hold about a person, listed on "Mes données" (right of access, rule C9): the SMS
number, the email choice for each kind of event, the quiet hours and the "no email" switch."""

from __future__ import annotations

from cartable.access.policy import viewer_for
from cartable.notifications.forms import CHANNEL_CHOICES
from cartable.notifications.kinds import kinds_for
from cartable.notifications.models import DeliverySettings, Preference
from cartable.portal.registry import MyDataSection, registry


def my_notification_data(request) -> dict | None:
    viewer = viewer_for(request.user)
    if viewer.person_id is None:
        return None
    person_id = viewer.person_id
    settings = DeliverySettings.objects.filter(person_id=person_id).first() or DeliverySettings(
        person_id=person_id
    )
    chosen = dict(Preference.objects.filter(person_id=person_id).values_list("kind", "channel"))
    names = dict(CHANNEL_CHOICES)
    channels = [
        {
            "label": kind.label,
            "channel": names.get(chosen.get(kind.code, kind.default_channel), ""),
            "chosen": kind.code in chosen,
        }
        for kind in kinds_for(viewer)
    ]
    return {"delivery": settings, "channels": channels}


registry.register_my_data_section(
    MyDataSection(
        code="notifications",
        template="notifications/my_data_section.html",
        context=my_notification_data,
        order=10,
    )
)
