from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "cartable.liaison"
    label = "liaison"
    verbose_name = _("Cahier de liaison")

    def ready(self) -> None:
        from cartable.liaison import portal  # noqa: F401  (registers the app, its widget and its event kinds)
