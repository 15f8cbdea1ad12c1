from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "cartable.files"
    label = "files"
    verbose_name = _("Fichiers déposés")

    def ready(self) -> None:
        from cartable.files import portal  # noqa: F401  (registers the event kind of an infected file)
