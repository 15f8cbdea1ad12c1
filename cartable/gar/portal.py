"""The GAR app in the portal: the Médiacentre's tile (pupils, teachers and staff: the GAR serves no parents),
the link to the school's own resources on the home page of those who keep them, and the console's entry
(the responsables d'affectation)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.gar import access
from cartable.gar.models import MEDIACENTRE_PROFILES
from cartable.portal.registry import ConsoleLink, PortalApp, SchoolLink, SchoolRef, for_school, registry

registry.register_app(
    PortalApp(
        code="mediacentre",
        name=gettext_lazy("Médiacentre"),
        url_name="mediacentre:index",
        icon="mediacentre",
        description=gettext_lazy("Manuels numériques et ressources de l’établissement"),
        order=45,
        profiles=frozenset(MEDIACENTRE_PROFILES),
        visible=access.uses_mediacentre,
    )
)


def _school_links(user, schools: tuple[SchoolRef, ...]) -> list[tuple[str, str]]:
    keeping = access.link_keeping_school_ids(user)
    return [
        (
            reverse("mediacentre:links", args=[school.uai]),
            for_school(_("Liens du Médiacentre"), school, schools),
        )
        for school in schools
        if school.pk in keeping
    ]


registry.register_school_link(SchoolLink("mediacentre.links", _school_links, order=80))

registry.register_console_link(
    ConsoleLink("gar.assignment_managers", gettext_lazy("Responsables d’affectation GAR"), "gar:managers", 60)
)
