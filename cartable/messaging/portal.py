"""The messaging's entries in the portal: the launcher tile, the home widget and the timeline event kind."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartable.access.policy import viewer_for
from cartable.directory.models import Profile
from cartable.messaging import access
from cartable.messaging.text import reported_line
from cartable.notifications.kinds import Channel, EventKind, register_kind
from cartable.portal.registry import PortalApp, SchoolLink, SchoolRef, Widget, registry

registry.register_app(
    PortalApp(
        code="messaging",
        name=_("Messagerie"),
        url_name="messaging:inbox",
        icon="messaging",
        description=_("Écrire aux enseignants, aux familles et à la vie scolaire"),
        profiles=frozenset({Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL}),
        order=20,
    )
)


def latest_messages(request, child):
    """The unread count and the latest messages of my inbox, from the shared cache."""
    if viewer_for(request.user).person_id is None:
        return None
    found = access.summary(request.user)
    if found is None:
        return None
    return {"unread": found.unread, "latest": found.latest}


registry.register_widget(
    Widget(
        code="messaging.latest",
        template="messaging/widgets/latest.html",
        context=latest_messages,
        app_code="messaging",
        order=5,
    )
)


def _new_message_text(data: dict) -> str:
    return gettext("%(sender)s vous a écrit : %(subject)s") % {
        "sender": data.get("sender", ""),
        "subject": data.get("subject", ""),
    }


register_kind(
    EventKind(
        code="messaging.new_message",
        label=_("Nouveau message"),
        text=_new_message_text,
        default_channel=Channel.IMMEDIATE,
        icon="messaging",
        app_code="messaging",
    )
)


register_kind(
    EventKind(
        code="messaging.reported",
        label=_("Message signalé (direction et vie scolaire)"),
        text=reported_line,
        default_channel=Channel.IMMEDIATE,
        icon="messaging",
        for_person=access.hears_of_reports,
        # No app_code: a threat reported must reach the school's staff even where the messaging is switched
        # off for their profile (their reports page stays open too).
    )
)


def reports_link(user, schools: tuple[SchoolRef, ...]) -> list[tuple[str, str]]:
    return (
        [(reverse("messaging:reports"), gettext("Messages signalés"))] if access.may_see_reports(user) else []
    )


registry.register_school_link(SchoolLink("messaging.reports", reports_link, order=20))
