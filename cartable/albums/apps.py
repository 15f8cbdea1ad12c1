from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlbumsConfig(AppConfig):
    name = "cartable.albums"
    label = "albums"
    verbose_name = _("Albums photo")

    def ready(self) -> None:
        from cartable.albums import portal  # noqa: F401  (registers the app's tile)
