"""The cahier de liaison in the portal: its launcher tile, the « mots à signer » widget, its event kinds."""

from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartable.access.policy import Viewer, viewer_for
from cartable.directory.models import Function, Profile
from cartable.liaison import queries
from cartable.notifications.kinds import Channel, EventKind, register_kind
from cartable.portal.registry import PortalApp, Widget, registry


def uses_the_liaison(user) -> bool:
    """Guardians, teachers of a class this year, the direction and vie scolaire (no query)."""
    viewer = viewer_for(user)
    return bool(
        viewer.child_ids
        or viewer.taught_group_ids
        or viewer.schools_with_function(Function.DIRECTION, Function.VIE_SCOLAIRE)
    )


registry.register_app(
    PortalApp(
        code="liaison",
        follows_child=True,
        name=_("Cahier de liaison"),
        url_name="liaison:index",
        icon="liaison",
        description=_("Les mots entre l'école et les familles, à lire et à signer"),
        profiles=frozenset({Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL}),
        order=25,
        visible=uses_the_liaison,
    )
)


def _is_guardian(viewer: Viewer) -> bool:
    return bool(viewer.child_ids)


def _is_teacher(viewer: Viewer) -> bool:
    return bool(viewer.taught_group_ids)


def new_mot_text(data: dict) -> str:
    values = {"author": data.get("author", ""), "title": data.get("title", "")}
    if data.get("asks"):
        return gettext("Mot à signer de %(author)s : « %(title)s »") % values
    return gettext("Nouveau mot de %(author)s : « %(title)s »") % values


def reminder_text(data: dict) -> str:
    deadline = parse_date(data.get("deadline") or "")
    values = {"title": data.get("title", ""), "date": date_format(deadline, "l j F") if deadline else ""}
    if deadline:
        return gettext("Rappel : le mot « %(title)s » attend votre signature avant le %(date)s") % values
    return gettext("Rappel : le mot « %(title)s » attend votre signature") % values


register_kind(
    EventKind(
        code="liaison.new_mot",
        label=_("Nouveau mot du cahier de liaison"),
        text=new_mot_text,
        default_channel=Channel.IMMEDIATE,
        icon="liaison",
        for_person=_is_guardian,
        app_code="liaison",
    )
)
register_kind(
    EventKind(
        code="liaison.reminder",
        label=_("Rappel d'un mot à signer"),
        text=reminder_text,
        default_channel=Channel.IMMEDIATE,
        icon="liaison",
        for_person=_is_guardian,
        app_code="liaison",
    )
)
register_kind(
    EventKind(
        code="liaison.family_mot",
        label=_("Mot d'une famille"),
        text=lambda data: (
            gettext("Mot de %(author)s : « %(title)s »")
            % {"author": data.get("author", ""), "title": data.get("title", "")}
        ),
        default_channel=Channel.IMMEDIATE,
        icon="liaison",
        for_person=_is_teacher,
        app_code="liaison",
    )
)
register_kind(
    EventKind(
        code="liaison.acknowledged",
        label=_("Mot lu par l'enseignant"),
        text=lambda data: (
            gettext("%(teacher)s a lu votre mot « %(title)s »")
            % {"teacher": data.get("teacher", ""), "title": data.get("title", "")}
        ),
        default_channel=Channel.DIGEST,
        icon="liaison",
        for_person=_is_guardian,
        app_code="liaison",
    )
)

registry.register_widget(
    Widget(
        code="liaison.to_sign",
        template="liaison/widgets/to_sign.html",
        context=queries.to_sign_widget,
        app_code="liaison",
        order=15,
    )
)
