from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "cartable.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from cartable.notifications import portal  # noqa: F401  (registers the timeline widget and preferences)
