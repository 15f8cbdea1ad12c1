"""What Cartable keeps for the GAR (Gestionnaire d'accès aux ressources, the national access to digital
textbooks and resources): each person's opaque identifier, and who assigns the resources in each school.

The GAR never sees a login nor an AAF identifier: it knows people by their IDO, a random identifier made here
the first time a person is exported and kept for as long as the person is, so that their resources follow them
from one year to the next."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Person, Profile, School


def new_ido() -> str:
    """32 hexadecimal digits from the system's random source: nothing about the person can be read in it."""
    return secrets.token_hex(16)


class GarIdentity(models.Model):
    """A person's IDO (GARPersonIdentifiant), stable across exports; forgotten at the purge."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="gar_identity")
    ido = models.CharField(_("identifiant GAR"), max_length=64, unique=True, default=new_ido)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("identifiant GAR")
        verbose_name_plural = _("identifiants GAR")

    def __str__(self) -> str:
        return self.ido


class AssignmentManager(models.Model):
    """A "responsable d'affectation" of a school: a member of its staff who assigns the GAR's resources
    (textbooks bought by the school) to classes and pupils in the GAR's own console. Set by the school's ADML;
    exported in the GAR-ENT-RespAff file."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="gar_assignments")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person__last_name", "person__first_name"]
        verbose_name = _("responsable d'affectation GAR")
        verbose_name_plural = _("responsables d'affectation GAR")
        constraints = [
            models.UniqueConstraint(fields=["school", "person"], name="unique_gar_assignment_manager")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.school.uai}"


# The profiles the Médiacentre serves: those the GAR serves (pupils, teachers, other staff). The GAR knows no
# parents, and the export sends none.
MEDIACENTRE_PROFILES = (Profile.STUDENT, Profile.TEACHER, Profile.PERSONNEL)


class SchoolResource(models.Model):
    """One of the school's own links in the Médiacentre, beside the GAR's resources: a free resource, the
    CDI's catalogue. Kept by the school's documentalist, direction and ADML; shown to the profiles it
    names."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("titre"), max_length=200)
    url = models.URLField(_("adresse"), max_length=1000)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    # Profile values among MEDIACENTRE_PROFILES.
    profiles = models.JSONField(_("montré aux"), default=list)
    # The school's record: kept under "Ancien compte" when its author's account goes.
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("ressource de l'établissement")
        verbose_name_plural = _("ressources de l'établissement")

    def __str__(self) -> str:
        return self.title


class Favourite(models.Model):
    """A resource a person put first in their Médiacentre: a GAR resource (its idRessource, in one school) or
    one of the school's links. Forgotten at the purge."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    resource_id = models.CharField(_("identifiant de la ressource GAR"), max_length=255, blank=True)
    link = models.ForeignKey(
        SchoolResource, on_delete=models.CASCADE, null=True, blank=True, related_name="favourites"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("favori du Médiacentre")
        verbose_name_plural = _("favoris du Médiacentre")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(link__isnull=True) & ~models.Q(resource_id=""))
                | (models.Q(link__isnull=False) & models.Q(resource_id="")),
                name="gar_favourite_one_target",
            ),
            models.UniqueConstraint(
                fields=["person", "school", "resource_id"],
                condition=models.Q(link__isnull=True),
                name="unique_gar_favourite_resource",
            ),
            models.UniqueConstraint(
                fields=["person", "link"],
                condition=models.Q(link__isnull=False),
                name="unique_gar_favourite_link",
            ),
        ]

    def __str__(self) -> str:
        return self.resource_id or str(self.link_id)
