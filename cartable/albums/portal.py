"""The photo albums in the portal: the launcher tile."""

from django.utils.translation import gettext_lazy as _

from cartable.access.policy import viewer_for
from cartable.directory.models import STAFF_PROFILES
from cartable.portal.registry import PortalApp, registry


def sees_albums(user) -> bool:
    """Pupils of a class, guardians and the staff of a school (no query: the cached viewer)."""
    viewer = viewer_for(user)
    return bool(viewer.class_ids or viewer.child_ids or viewer.schools_with_profile(*STAFF_PROFILES))


registry.register_app(
    PortalApp(
        code="albums",
        name=_("Albums photo"),
        url_name="albums:index",
        icon="albums",
        description=_("Les photos de la classe et des événements de l’école"),
        order=40,
        visible=sees_albums,
    )
)
