from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "cartable.directory"
    label = "directory"
    verbose_name = _("Annuaire")

    def ready(self) -> None:
        from cartable.directory import portal  # noqa: F401  (registers the directory app and widgets)
