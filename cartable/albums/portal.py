"""The photo albums in the portal: the launcher tile, the image-rights section of "Mes données", a pupil's
image-rights answer on their page of the school admin console."""

from django.utils.translation import gettext_lazy as _

from cartable.access.policy import viewer_for
from cartable.albums.access import managing_schools
from cartable.directory.models import STAFF_PROFILES, Person
from cartable.feeds.models import ImageRightsConsent
from cartable.portal.registry import ConsolePersonFact, MyDataSection, PortalApp, registry


def sees_albums(user) -> bool:
    """Pupils of a class, guardians and the staff of a school (no query: the cached viewer)."""
    viewer = viewer_for(user)
    return bool(viewer.class_ids or viewer.child_ids or viewer.schools_with_profile(*STAFF_PROFILES))


registry.register_app(
    PortalApp(
        code="albums",
        name=_("Albums photo"),
        url_name="albums:index",
        icon="albums",
        description=_("Les photos de la classe et des événements de l’école"),
        order=40,
        visible=sees_albums,
    )
)


def my_image_rights(request) -> dict | None:
    """ "Mes données": the image-rights answer of a guardian's children (with the link to change it) or of
    the pupil themselves."""
    viewer = viewer_for(request.user)
    ids = set(viewer.child_ids)
    if viewer.class_ids and viewer.person_id is not None:
        ids.add(viewer.person_id)
    if not ids:
        return None
    pupils = list(
        Person.objects.filter(pk__in=ids).select_related("image_rights_consent").order_by("first_name")
    )
    return {"pupils": pupils, "child_ids": viewer.child_ids}


registry.register_my_data_section(
    MyDataSection(code="albums", template="albums/my_data_section.html", context=my_image_rights, order=40)
)


def console_image_rights(request, school, person) -> dict | None:
    """A pupil of this year's classes (the console's page read them): their answer, and the link to record
    the one the school received for the school's direction and ADML (who record it, albums.access)."""
    if not getattr(person, "current_classes", None):
        return None
    return {
        "pupil": person,
        "consent": ImageRightsConsent.objects.filter(person=person).first(),
        "records": school.pk in managing_schools(request.user),
    }


registry.register_console_person_fact(
    ConsolePersonFact(
        code="albums.image_rights",
        template="albums/console_person_fact.html",
        context=console_image_rights,
        order=40,
    )
)
