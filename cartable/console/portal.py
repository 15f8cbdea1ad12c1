"""The console's own entries registered by the console (the other pages of its menu are in its layout)."""

from django.utils.translation import gettext_lazy as _

from cartable.portal.registry import ConsoleLink, registry

registry.register_console_link(
    ConsoleLink("pupils_reset", _("Réinitialiser les élèves"), "console:pupils_reset", 42)
)
