from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "cartable.feeds"
    label = "feeds"
    verbose_name = _("Alimentation de l'annuaire")

    def ready(self) -> None:
        from cartable.feeds import portal  # noqa: F401  (registers the console's import entry)
