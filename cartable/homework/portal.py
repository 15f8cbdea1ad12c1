"""The cahier de textes in the portal: its launcher tile, the "homework to do" widget, its timeline event."""

from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cartable.access.policy import viewer_for
from cartable.directory.models import Function, Profile
from cartable.homework import access, queries
from cartable.notifications.kinds import Channel, EventKind, register_kind
from cartable.portal.registry import PortalApp, SchoolLink, SchoolRef, Widget, registry


def uses_the_cahier(user) -> bool:
    """Pupils, guardians and teachers of a class this year; the direction and vie scolaire (no query)."""
    viewer = viewer_for(user)
    return bool(
        viewer.group_ids
        or viewer.child_ids
        or viewer.taught_group_ids
        or viewer.schools_with_function(Function.DIRECTION, Function.VIE_SCOLAIRE)
    )


registry.register_app(
    PortalApp(
        code="homework",
        follows_child=True,
        name=_("Cahier de textes"),
        url_name="homework:index",
        icon="homework",
        description=_("Le contenu des séances et le travail à faire"),
        profiles=frozenset({Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL}),
        order=30,
        visible=uses_the_cahier,
    )
)


def homework_text(data: dict) -> str:
    due = parse_date(data.get("due") or "")
    count = int(data.get("count") or 1)
    values = {
        "subject": data.get("subject", ""),
        "group": data.get("group", ""),
        "date": date_format(due, "l j F") if due else "",
    }
    if not values["subject"]:  # a primary class: one teacher for every subject
        return (
            ngettext(
                "Nouveau travail en %(group)s pour le %(date)s",
                "Nouveaux travaux en %(group)s, le premier pour le %(date)s",
                count,
            )
            % values
        )
    return (
        ngettext(
            "Nouveau travail en %(subject)s (%(group)s) pour le %(date)s",
            "Nouveaux travaux en %(subject)s (%(group)s), le premier pour le %(date)s",
            count,
        )
        % values
    )


register_kind(
    EventKind(
        code="homework.added",
        label=_("Nouveau travail à faire"),
        text=homework_text,
        default_channel=Channel.DIGEST,
        icon="homework",
        app_code="homework",
    )
)


registry.register_widget(
    Widget(
        code="homework.todo",
        template="homework/widgets/todo.html",
        context=queries.todo_widget,
        app_code="homework",
        order=20,
    )
)


def visas_link(user, schools: tuple[SchoolRef, ...]) -> list[tuple[str, str]]:
    """The direction signs the cahiers de textes; vie scolaire reads them."""
    if not access.inspecting_schools(user):
        return []
    name = (
        gettext("Viser les cahiers de textes")
        if access.directed_schools(user)
        else gettext("Cahiers de textes")
    )
    return [(reverse("homework:visas"), name)]


registry.register_school_link(SchoolLink("homework.visas", visas_link, order=10))
