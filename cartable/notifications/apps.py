from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "cartable.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Registering the timeline widget, the preferences section and the section of "Mes données".
        from cartable.notifications import mydata, portal  # noqa: F401
