from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "cartable.blog"
    label = "blog"
    verbose_name = _("Blog de la classe")

    def ready(self) -> None:
        from cartable.blog import portal  # noqa: F401  (registers the app and its event kind)
