from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "cartable.sso"
    label = "sso"
    verbose_name = _("Applications connectées")

    def ready(self) -> None:
        # Registers the tiles, the console link and the single logout of Cartable's own logout.
        from cartable.sso import portal  # noqa: F401
