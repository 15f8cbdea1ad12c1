from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeworkConfig(AppConfig):
    name = "cartable.homework"
    label = "homework"
    verbose_name = _("Cahier de textes")

    def ready(self) -> None:
        from cartable.homework import portal  # noqa: F401  (registers the app, its widget and its event kind)
