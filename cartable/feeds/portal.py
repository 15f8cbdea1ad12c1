"""The feeds app's entry in the school admin console: importing a spreadsheet of people."""

from django.utils.translation import gettext_lazy as _

from cartable.portal.registry import ConsoleLink, registry

registry.register_console_link(
    ConsoleLink(code="feeds.import", name=_("Importer un fichier"), url_name="feeds:import_upload", order=50)
)
