"""The kinds of events apps publish to the timeline, each registered once from its app's AppConfig.ready().

An event stores its parameters (`Event.data`), not a sentence: the sentence is written when someone reads it,
in the reader's language, by the kind's `text(data)`.

How an app tells people something happened (inside its own action, in the action's transaction):

    register_kind(EventKind(code="homework.added", label=_("Nouveau travail à faire"),
                            text=lambda data: _("Travail en %(subject)s pour le %(due)s") % data,
                            default_channel=Channel.DIGEST, icon="homework", app_code="homework"))
    ...
    publish("homework.added", recipients=pupils + guardians, school=school, actor=teacher,
            about=None, data={"subject": "Maths", "due": "12/03"}, url=reverse(...))

Recipients get a timeline entry each (bulk insert; the actor never, nor anyone the school switched the kind's
app off for); `about=<pupil>` files the entry under that pupil for their guardians, who also see the pupil's
own entries about themselves. Emails (and SMS) follow after commit, per each person's choice for the kind
(immediate, daily digest, off) and their quiet hours.
Keep `data` to what the sentence needs: it is what the emails may tell.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from cartable.access.policy import Viewer


class Channel:
    """How a person hears of an event kind by email (their preference; the kind gives the default)."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


@dataclass(frozen=True)
class EventKind:
    code: str  # "<app>.<what>", e.g. "messaging.new_message"
    label: str | Promise  # as listed in the preferences: "Nouveau message"
    text: Callable[[dict], str]  # the line of the timeline, from the event's data
    default_channel: str = Channel.DIGEST
    icon: str = "app"  # an SVG in static/cartable/icons/
    # Who may be concerned (offered in the preferences): for_person(viewer) -> bool; None for everyone.
    # E.g. a reported message only reaches direction and vie scolaire: parents need not choose about it.
    for_person: Callable[[Viewer], bool] | None = None
    # The portal app (cartable.portal.registry) the kind belongs to: when a school switches that app off for
    # a profile, the people it is off for are no longer told (cartable.portal.switches). "" for none: the
    # kind is told whatever the switches (e.g. a reported message reaches the school's staff in any case).
    app_code: str = ""

    def concerns(self, viewer: Viewer) -> bool:
        return self.for_person is None or self.for_person(viewer)


KINDS: dict[str, EventKind] = {}


def register_kind(kind: EventKind) -> None:
    KINDS[kind.code] = kind


def kind_of(code: str) -> EventKind:
    return KINDS[code]


def kinds_for(viewer: Viewer, off_apps: Collection[str] = ()) -> list[EventKind]:
    """The kinds that can concern this person, in the order of their labels (as the preferences list them);
    none of the apps in `off_apps` (switched off for them)."""
    return sorted(
        (k for k in KINDS.values() if k.concerns(viewer) and not (k.app_code and k.app_code in off_apps)),
        key=lambda kind: str(kind.label),
    )
