from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "cartable.communication"
    label = "communication"
    verbose_name = _("Règles de communication")

    def ready(self) -> None:
        from cartable.communication import portal  # noqa: F401  (registers the console menu entries)
