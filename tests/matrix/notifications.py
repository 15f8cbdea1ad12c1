"""Access matrix of the notifications: only the recipient reaches a notification; the unsubscribe link works
for anyone holding it (it is signed)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cartable.notifications import actions, delivery
from cartable.notifications.kinds import Channel, EventKind, register_kind
from cartable.notifications.models import Notification
from tests.matrix import Route, expect, logged_in
from tests.world import World

MATRIX_KIND = "tests.matrix"
register_kind(
    EventKind(code=MATRIX_KIND, label=_("Essai"), text=lambda data: "essai", default_channel=Channel.OFF)
)


def _alices_notification(world: World) -> int:
    event = actions.publish(MATRIX_KIND, recipients=[world.person("alice")], url="/")
    assert event is not None
    return Notification.objects.get(event=event).pk


ROUTES: dict[str, Route] = {
    "notifications:list": Route(lambda w: "/notifications/"),
    "notifications:read": Route(lambda w: f"/notifications/{_alices_notification(w)}/lue", "post"),
    "notifications:open": Route(lambda w: f"/notifications/{_alices_notification(w)}/ouvrir"),
    "notifications:read_all": Route(lambda w: "/notifications/tout-lu", "post"),
    "notifications:preferences": Route(lambda w: "/notifications/preferences"),
    "notifications:unsubscribe": Route(
        lambda w: (
            "/notifications/desabonnement/" + delivery.unsubscribe_token(w.person("alice").pk, MATRIX_KIND)
        )
    ),
}

MATRIX: dict[str, dict[str, int]] = {
    "notifications:list": logged_in(200),
    # Another person's notification id answers 404, even to the platform admin.
    "notifications:read": expect(404, anon=302, alice=302),
    "notifications:open": expect(404, anon=302, alice=302),
    "notifications:read_all": logged_in(302),
    # The platform admin has no directory entry, hence no notification preferences.
    "notifications:preferences": logged_in(200, root=404),
    # The signed link is the authority: it works without logging in (GET only shows what will stop).
    "notifications:unsubscribe": expect(200),
}
