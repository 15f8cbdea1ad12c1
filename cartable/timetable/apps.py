from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    name = "cartable.timetable"
    label = "timetable"
    verbose_name = _("Emploi du temps")

    def ready(self) -> None:
        from cartable.timetable import portal  # noqa: F401  (registers the app, widget, console link, event kind)
