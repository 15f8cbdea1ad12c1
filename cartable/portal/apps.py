from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "cartable.portal"
    label = "portal"
    verbose_name = _("Portail")

    def ready(self) -> None:
        from cartable.portal import portal  # noqa: F401  (registers "Mes données" and the console entry)
