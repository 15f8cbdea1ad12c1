"""Every write of the GAR app: the responsables d'affectation (the school's ADML), the persons' opaque
identifiers (made by the export, run by the command line or the background worker) and what the purge
forgets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.access import policy
from cartable.directory.models import Person, School
from cartable.gar import access
from cartable.gar.models import (
    MEDIACENTRE_PROFILES,
    AssignmentManager,
    Favourite,
    GarIdentity,
    SchoolResource,
    new_ido,
)
from cartable.lib.errors import Refused

BATCH_SIZE = 5000  # three parameters a row: far below PostgreSQL's 65,535


@transaction.atomic
def add_assignment_manager(actor: Any, school: School, person: Person) -> AssignmentManager:
    """Make a member of the school's staff one of its responsables d'affectation. The GAR writes to them:
    they need an email address."""
    if not access.can_set_managers(actor, school):
        raise PermissionDenied
    if not access.staff_of(school).filter(pk=person.pk).exists():
        raise PermissionDenied
    if not person.user.email:
        raise Refused(
            _(
                "%(name)s n’a pas d’adresse électronique : le GAR en demande une pour chaque responsable "
                "d’affectation. Ajoutez-la sur sa fiche, puis recommencez."
            )
            % {"name": person.full_name},
            field="person",
        )
    manager, created = AssignmentManager.objects.get_or_create(
        school=school, person=person, defaults={"set_by": actor if actor.is_authenticated else None}
    )
    if not created:
        raise Refused(
            _("%(name)s est déjà responsable d’affectation.") % {"name": person.full_name}, field="person"
        )
    return manager


@transaction.atomic
def remove_assignment_manager(actor: Any, school: School, manager: AssignmentManager) -> None:
    if not access.can_set_managers(actor, school) or manager.school_id != school.pk:
        raise PermissionDenied
    manager.delete()


def ensure_identities(actor: None, person_ids: Iterable[int]) -> dict[int, str]:
    """{person id: IDO} for these people, making the IDO of those who have none yet (the export runs it from
    the command line or the worker, the GAR's single sign-on (cartable.sso.saml) when a person opens the GAR
    before their first export: no acting user). Three queries at most, whatever the number of people."""
    assert actor is None, "identities are made by the export and the single sign-on only"
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    known = dict(GarIdentity.objects.filter(person_id__in=wanted).values_list("person_id", "ido"))
    missing = [pk for pk in wanted if pk not in known]
    if missing:
        GarIdentity.objects.bulk_create(
            [GarIdentity(person_id=pk, ido=new_ido()) for pk in missing],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,  # another export made some meanwhile: theirs are kept, read below
        )
        known.update(GarIdentity.objects.filter(person_id__in=missing).values_list("person_id", "ido"))
    return known


def forget_people(person_ids: list[int]) -> None:
    """At the purge (cartable.gar.lifecycle): the IDO goes with the person, any function they held and
    their Médiacentre favourites."""
    GarIdentity.objects.filter(person_id__in=person_ids).delete()
    AssignmentManager.objects.filter(person_id__in=person_ids).delete()
    Favourite.objects.filter(person_id__in=person_ids).delete()


# --- The Médiacentre ----------------------------------------------------------------------------------------


@transaction.atomic
def toggle_favourite(
    actor: Any, school: School, *, resource_id: str = "", link: SchoolResource | None = None
) -> bool:
    """Put a resource first in the actor's Médiacentre, or back among the others; True when it is now a
    favourite. The view found the resource in what the actor may see (their GAR list, a link shown to
    them); a forged request reaching this answers PermissionDenied."""
    person_id = policy.viewer_for(actor).person_id
    if person_id is None or school.pk not in access.mediacentre_school_ids(actor):
        raise PermissionDenied
    if (link is None) == (not resource_id) or (link is not None and link.school_id != school.pk):
        raise PermissionDenied
    mine = Favourite.objects.filter(person_id=person_id, school=school)
    mine = (
        mine.filter(link=link)
        if link is not None
        else mine.filter(link__isnull=True, resource_id=resource_id)
    )
    if mine.delete()[0]:
        return False
    Favourite.objects.create(person_id=person_id, school=school, resource_id=resource_id, link=link)
    return True


@dataclass(frozen=True)
class LinkInput:
    title: str
    url: str
    description: str
    profiles: tuple[str, ...]


def _check_link(data: LinkInput) -> None:
    if urlsplit(data.url).scheme.lower() not in ("http", "https"):
        raise Refused(_("Saisissez une adresse qui commence par https:// ou http://."), field="url")
    if not data.profiles or not set(data.profiles) <= set(MEDIACENTRE_PROFILES):
        raise Refused(_("Choisissez au moins un profil à qui montrer ce lien."), field="profiles")


@transaction.atomic
def save_link(
    actor: Any, school: School, data: LinkInput, link: SchoolResource | None = None
) -> SchoolResource:
    """Add one of the school's own links to its Médiacentre, or change one (its documentalist, direction or
    ADML)."""
    if not access.can_keep_links(actor, school) or (link is not None and link.school_id != school.pk):
        raise PermissionDenied
    _check_link(data)
    if link is None:
        link = SchoolResource(school=school, created_by_id=policy.viewer_for(actor).person_id)
    link.title = data.title.strip()
    link.url = data.url.strip()
    link.description = data.description.strip()
    link.profiles = [p for p in MEDIACENTRE_PROFILES if p in data.profiles]
    link.updated_at = timezone.now()
    link.save()
    return link


@transaction.atomic
def delete_link(actor: Any, link: SchoolResource) -> None:
    """Remove one of the school's links, and everyone's favourite of it."""
    if not access.can_keep_links(actor, link.school):
        raise PermissionDenied
    link.delete()
