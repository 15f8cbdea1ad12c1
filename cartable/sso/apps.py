from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "cartable.sso"
    label = "sso"
    verbose_name = _("Applications connectées")

    def ready(self) -> None:
        from cartable.sso import portal  # noqa: F401  (registers the tiles and the console link)
