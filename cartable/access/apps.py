from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "cartable.access"
    label = "access"
    verbose_name = _("Politique d'accès")

    def ready(self) -> None:
        from cartable.access import portal  # noqa: F401  (registers the console menu entries)
