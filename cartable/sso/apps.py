from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "cartable.sso"
    label = "sso"
    verbose_name = _("Applications connectées")

    def ready(self) -> None:
        from cartable.accounts import logout_hooks
        from cartable.sso import (
            actions,
            portal,  # noqa: F401  (registers the tiles and the console link)
        )

        # Logging out of Cartable logs out of the applications the session opened (single logout).
        logout_hooks.register("sso", actions.tell_services)
