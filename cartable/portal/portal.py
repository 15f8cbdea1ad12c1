"""The portal's own launcher entries: "Mes données" for everyone, "Administration" for school admins."""

from django.utils.translation import gettext_lazy as _

from cartable.access.policy import schools_administered_by, viewer_for
from cartable.directory.models import Function
from cartable.portal.registry import PortalApp, registry


def administers_a_school(user) -> bool:
    # The console follows the ADML function, not a profile: ask the policy rather than list profiles.
    viewer = viewer_for(user)
    if not (viewer.is_platform_admin or viewer.schools_with_function(Function.ADML)):
        return False  # the policy's answer is then an empty queryset: spare building it on every home page
    return schools_administered_by(user).exists()


registry.register_app(
    PortalApp(
        code="me",
        name=_("Mes données"),
        url_name="portal:me",
        icon="me",
        description=_("Ce que l'annuaire sait de moi, et demander une correction"),
        order=900,
        switchable=False,
    )
)
registry.register_app(
    PortalApp(
        code="console",
        name=_("Administration"),
        url_name="console:home",
        icon="console",
        description=_("Comptes, lettres d'activation et applications de l'établissement"),
        visible=administers_a_school,
        order=950,
        switchable=False,
    )
)
