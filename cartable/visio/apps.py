from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisioConfig(AppConfig):
    name = "cartable.visio"
    label = "visio"
    verbose_name = _("Classes virtuelles")

    def ready(self) -> None:
        from cartable.visio import portal  # noqa: F401  (registers the tile and the timetable's lesson links)
