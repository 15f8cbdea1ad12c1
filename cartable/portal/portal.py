"""The portal's own launcher entries: "Mes données" for everyone, "Administration" for school admins; and the
"Mon établissement" box of the home page, where the direction, vie scolaire and ENT admin find the school's
pages each app registers (visas, reported messages, timetable management, settings…)."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartable.access.policy import admin_of, schools_administered_by, viewer_for
from cartable.directory import versions
from cartable.directory.models import Function, School
from cartable.portal.registry import PortalApp, SchoolLink, SchoolRef, Widget, for_school, registry

SCHOOL_BOX_FUNCTIONS = (Function.DIRECTION, Function.VIE_SCOLAIRE, Function.ADML)


def administers_a_school(user) -> bool:
    # The console follows the ADML function, not a profile: ask the policy rather than list profiles.
    viewer = viewer_for(user)
    if not (viewer.is_platform_admin or viewer.schools_with_function(Function.ADML)):
        return False  # the policy's answer is then an empty queryset: spare building it on every home page
    return schools_administered_by(user).exists()


registry.register_app(
    PortalApp(
        code="me",
        name=_("Mes données"),
        url_name="portal:me",
        icon="me",
        description=_("Ce que l'annuaire sait de moi, et demander une correction"),
        order=900,
        switchable=False,
    )
)
registry.register_app(
    PortalApp(
        code="console",
        name=_("Administration"),
        url_name="console:home",
        icon="console",
        description=_("Comptes, lettres d'activation et applications de l'établissement"),
        visible=administers_a_school,
        order=950,
        switchable=False,
    )
)


def school_refs(school_ids: frozenset[int]) -> tuple[SchoolRef, ...]:
    """The schools' UAI and name, by name: from the shared cache while the directory is unchanged."""
    key = ",".join(str(pk) for pk in sorted(school_ids))
    return versions.cached(
        f"school-refs:{key}",
        lambda: tuple(
            School.objects.filter(pk__in=school_ids).order_by("name").values_list("pk", "uai", "name")
        ),
        lambda rows: tuple(SchoolRef(*row) for row in rows),
        keys=[versions.SCHOOLS_KEY],
    )


def school_box(request, child):
    """The links to the school's pages for its direction, vie scolaire and ENT admin (no query for others)."""
    held = viewer_for(request.user).schools_with_function(*SCHOOL_BOX_FUNCTIONS)
    if not held:
        return None
    schools = school_refs(held)
    links = [link for entry in registry.sorted_school_links() for link in entry.links(request.user, schools)]
    return {"links": links} if links else None


registry.register_widget(
    Widget(code="portal.school", template="portal/widgets/school.html", context=school_box, order=1)
)


def settings_links(user, schools: tuple[SchoolRef, ...]) -> list[tuple[str, str]]:
    """The school's settings page is the console's, its ENT admin's: the direction reaches it when they are
    the ENT admin too (often, in an école); otherwise the settings they use are the timetable's calendar."""
    return [
        (
            reverse("console:settings", args=[school.uai]),
            for_school(gettext("Réglages de l'établissement"), school, schools),
        )
        for school in schools
        if admin_of(user, school.pk)
    ]


registry.register_school_link(SchoolLink("console.settings", settings_links, order=90))
