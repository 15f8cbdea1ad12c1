"""The GAR app's entry in the school admin console: the responsables d'affectation."""

from django.utils.translation import gettext_lazy as _

from cartable.portal.registry import ConsoleLink, registry

registry.register_console_link(
    ConsoleLink("gar.assignment_managers", _("Responsables d’affectation GAR"), "gar:managers", 60)
)
