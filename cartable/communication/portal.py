"""The communication app's entries in the school admin console, and the kill-switch in the school's staff
home."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartable.access.policy import schools_pausing_messaging
from cartable.portal.registry import ConsoleLink, SchoolLink, SchoolRef, for_school, registry

registry.register_console_link(
    ConsoleLink("communication_rules", _("Règles de communication"), "communication:rules", 40)
)
registry.register_console_link(
    ConsoleLink("communication_kill_switch", _("Coupure de la messagerie"), "communication:kill_switch", 41)
)


def kill_switch_links(user, schools: tuple[SchoolRef, ...]) -> list[tuple[str, str]]:
    """The direction and vie scolaire reach the kill-switch from their home, not from the console."""
    held = schools_pausing_messaging(user)
    return [
        (
            reverse("communication:kill_switch", args=[school.uai]),
            for_school(gettext("Coupure de la messagerie"), school, schools),
        )
        for school in schools
        if school.pk in held
    ]


registry.register_school_link(SchoolLink("communication.kill_switch", kill_switch_links, order=30))
