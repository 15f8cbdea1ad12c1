from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GarConfig(AppConfig):
    name = "cartable.gar"
    label = "gar"
    verbose_name = _("GAR (ressources numériques)")

    def ready(self) -> None:
        from cartable.gar import portal  # noqa: F401  (registers the console's entry)
