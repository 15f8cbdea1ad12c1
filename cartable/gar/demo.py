"""Demo data of the GAR app: the demo collège's documentalist is its responsable d'affectation, so that
`manage.py export_gar` on the demo gives a RespAff file with someone in it, and the collège's Médiacentre has
links of its own (the demo has no GAR: its page says so and shows these). Demo accounts have no email
address; the documentalist gets one at the reserved .localhost domain (nothing is ever sent there). Only the
demo pair of schools gets content (see cartable.homework.demo)."""

from __future__ import annotations

from cartable.directory.models import STAFF_PROFILES, Function, Membership, School, SchoolKind
from cartable.gar.models import MEDIACENTRE_PROFILES, AssignmentManager, SchoolResource

EVERYONE = list(MEDIACENTRE_PROFILES)
# Free resources every collège may point at, and the CDI's own catalogue.
LINKS = (
    (
        "Catalogue du CDI",
        "https://cdi.cartable.localhost/opac",
        "Les livres, revues et DVD du CDI : cherchez un document, voyez s’il est disponible.",
        EVERYONE,
    ),
    ("Lumni", "https://www.lumni.fr/college", "Vidéos et jeux éducatifs de l’audiovisuel public.", EVERYONE),
    (
        "Gallica",
        "https://gallica.bnf.fr",
        "La bibliothèque numérique de la BnF : livres, cartes, images, presse ancienne.",
        EVERYONE,
    ),
    (
        "Éduscol",
        "https://eduscol.education.fr",
        "Programmes et ressources d’accompagnement pour les enseignants.",
        ["Teacher", "Personnel"],
    ),
)


def _manager_of(school: School) -> None:
    if AssignmentManager.objects.filter(school=school).exists():
        return
    staff = Membership.objects.filter(
        school=school, profile__in=STAFF_PROFILES, person__left_at__isnull=True
    ).select_related("person__user")
    membership = next(
        (m for m in staff.order_by("person_id") if m.has_function(Function.DOCUMENTALIST)), None
    )
    if membership is None:
        return
    user = membership.person.user
    if not user.email:
        user.email = f"{user.username}@cartable.localhost"
        user.save(update_fields=["email"])
    AssignmentManager.objects.create(school=school, person=membership.person)


def _links_of(school: School) -> None:
    if SchoolResource.objects.filter(school=school).exists():
        return
    SchoolResource.objects.bulk_create(
        SchoolResource(school=school, title=title, url=url, description=description, profiles=profiles)
        for title, url, description, profiles in LINKS
    )


def seed_demo(plan) -> None:
    """Idempotent: a school with a responsable d'affectation, or links, already is left as it is."""
    if plan.schools > 2:
        return
    for school in School.objects.filter(kind=SchoolKind.SECONDARY).order_by("uai"):
        _manager_of(school)
        _links_of(school)
