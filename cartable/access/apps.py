from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "cartable.access"
    label = "access"
    verbose_name = _("Politique d'accès")
