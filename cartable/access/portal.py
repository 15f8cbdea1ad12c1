"""The access app's entries in the school admin console."""

from django.utils.translation import gettext_lazy as _

from cartable.portal.registry import ConsoleLink, registry

registry.register_console_link(
    ConsoleLink("communication_rules", _("Règles de communication"), "access:rules", 40)
)
registry.register_console_link(
    ConsoleLink("communication_kill_switch", _("Coupure de la messagerie"), "access:kill_switch", 41)
)
registry.register_console_link(
    ConsoleLink("pupils_reset", _("Réinitialiser les élèves"), "access:pupils_reset", 42)
)
