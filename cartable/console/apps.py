from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "cartable.console"
    label = "console"
    verbose_name = _("Console d'administration de l'établissement")

    def ready(self) -> None:
        from cartable.console import portal  # noqa: F401  (registers the bulk reset in the console menu)
