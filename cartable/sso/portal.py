"""The connected applications in the portal: a tile for each one the person may use (a tile source, since
they are rows, not code), the platform admin's tile for registering them, the console's menu entry; and the
single logout when someone logs out of Cartable itself (accounts.logout_hooks)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cartable.access.policy import is_platform_admin
from cartable.accounts import logout_hooks
from cartable.portal.registry import ConsoleLink, PortalApp, TileSource, registry
from cartable.sso import access, actions


def connected_tiles(user: Any) -> list[tuple[PortalApp, str]]:
    """No query while the applications and the person's directory facts are unchanged (cached facts)."""
    return [
        (
            PortalApp(
                code=f"sso-{app.pk}",
                name=app.name,
                url_name="",
                icon=app.icon,
                description=app.description,
                order=200,
                switchable=False,
            ),
            app.opening_url,
        )
        for app in access.apps_usable_by(user)
        if app.opening_url
    ]


registry.register_tile_source(TileSource(code="sso", tiles=connected_tiles, order=200))
registry.register_app(
    PortalApp(
        code="sso_admin",
        name=_("Applications connectées"),
        url_name="sso:apps",
        icon="console",
        description=_("Enregistrer les applications ouvertes depuis Cartable sans second mot de passe"),
        order=95,
        switchable=False,
        visible=is_platform_admin,
    )
)
registry.register_console_link(ConsoleLink("sso_apps", _("Applications connectées"), "sso:school_apps", 30))
# Logging out of Cartable logs out of the applications the session opened (single logout).
logout_hooks.register("sso", actions.tell_services)
