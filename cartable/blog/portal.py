"""The class blog in the portal: its launcher tile, its home widget (the latest posts of my classes and of my
children's) and its event kind (something waits for validation)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartable.access.policy import Viewer, viewer_for
from cartable.blog import queries
from cartable.directory.models import STAFF_PROFILES, Profile
from cartable.notifications.kinds import Channel, EventKind, register_kind
from cartable.portal.registry import PortalApp, Widget, registry


def reads_a_blog(user) -> bool:
    """Pupils of a class, their guardians, the staff of a school (no query: the cached viewer)."""
    viewer = viewer_for(user)
    return bool(viewer.class_ids or viewer.child_ids or viewer.schools_with_profile(*STAFF_PROFILES))


registry.register_app(
    PortalApp(
        code="blog",
        name=_("Blog de la classe"),
        url_name="blog:index",
        icon="blog",
        description=_("La vie de la classe en textes et en images"),
        profiles=frozenset({Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL}),
        order=35,
        visible=reads_a_blog,
    )
)


def to_moderate_text(data: dict) -> str:
    values = {"group": data.get("group", "")}
    if data.get("what") == "comment":
        return gettext("Un commentaire attend votre validation sur le blog de la classe %(group)s") % values
    return gettext("Un billet d’élève attend votre validation sur le blog de la classe %(group)s") % values


def teaches_somewhere(viewer: Viewer) -> bool:
    return bool(viewer.taught_group_ids)


register_kind(
    EventKind(
        code="blog.to_moderate",
        label=_("Billet ou commentaire à valider sur un blog de classe"),
        text=to_moderate_text,
        default_channel=Channel.DIGEST,
        icon="blog",
        for_person=teaches_somewhere,
        app_code="blog",
    )
)

registry.register_widget(
    Widget(
        code="blog.latest",
        template="blog/widgets/latest.html",
        context=queries.widget,
        app_code="blog",
        order=30,
    )
)
