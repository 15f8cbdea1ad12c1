"""The cahier de liaison: the school's *mots* to families, their signatures and reply slips, and the
families' mots to a teacher.

A mot is written to the families of some pupils (a class, a group, several classes, or one pupil); the
pupils concerned are written down when it is sent (`MotPupil`), so that its table stays the same when a
pupil changes class. Who may sign is read at each request: every current legal guardian of a pupil
concerned (both parents see every mot). Each guardian signs or replies for each child (`Signature`).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Person, School
from cartable.files.models import StoredFile


class Request(models.TextChoices):
    """What a mot asks of the families."""

    NONE = "none", _("Information seulement")
    SIGNATURE = "signature", _("Signature (« lu et pris connaissance »)")
    REPLY = "reply", _("Coupon-réponse (une question et des choix)")


class Mot(models.Model):
    """A mot of a teacher, the direction or vie scolaire to the families of some pupils."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    # What the author wrote is their contribution: kept under "Ancien compte" unless they objected (C5).
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="liaison_mots")
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte du mot"))  # plain text, shown with its line breaks
    request = models.CharField(_("demande"), max_length=16, choices=Request.choices, default=Request.NONE)
    question = models.CharField(_("question"), max_length=300, blank=True)
    choices = models.JSONField(_("choix proposés"), default=list, blank=True)  # list of strings
    allow_comment = models.BooleanField(_("commentaire possible"), default=False)
    # Unless asked, one signature per child is enough (either legal guardian).
    both_guardians = models.BooleanField(_("chaque responsable signe"), default=False)
    deadline = models.DateField(_("à signer avant le"), null=True, blank=True)  # inclusive
    # How the mot was addressed, as the author chose it: « 6A, 5B », « Alice Martin (6A) ».
    audience = models.CharField(_("destinataires"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    # Its author may correct it until a family signs or replies (cartable.liaison.access.can_edit); the
    # page then says « modifié le … ».
    edited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mot")
        verbose_name_plural = _("mots")
        indexes = [
            models.Index(fields=["school", "-created_at"], name="liaison_mot_school_recent"),
            models.Index(fields=["author", "-created_at"], name="liaison_mot_author_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def asks(self) -> bool:
        return self.request != Request.NONE

    @property
    def is_reply(self) -> bool:
        return self.request == Request.REPLY

    def is_open(self, today: dt.date | None = None) -> bool:
        """Families may still sign or reply: no deadline, or not passed yet (the deadline day included)."""
        return self.deadline is None or (today or timezone.localdate()) <= self.deadline


class MotAttachment(models.Model):
    """A file joined to a mot (an authorisation form, a programme), stored and scanned by cartable.files."""

    mot = models.ForeignKey(Mot, on_delete=models.CASCADE, related_name="attachments")
    # A named reverse relation: cartable.files.actions.release() finds the files still used through it.
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="liaison_attachments")
    name = models.CharField(_("nom du fichier"), max_length=200)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.name


class MotPupil(models.Model):
    """A pupil the mot concerns, and their class when it was sent (the table groups by it)."""

    mot = models.ForeignKey(Mot, on_delete=models.CASCADE, related_name="pupils")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    group_name = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mot", "pupil"], name="liaison_mot_pupil_once")]
        indexes = [models.Index(fields=["pupil", "mot"], name="liaison_pupil_mots")]

    def __str__(self) -> str:
        return f"{self.mot_id} → {self.pupil_id}"


class Signature(models.Model):
    """A legal guardian signed (or replied) for one child: « lu et pris connaissance »."""

    mot = models.ForeignKey(Mot, on_delete=models.CASCADE, related_name="signatures")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="liaison_signatures")
    choice = models.CharField(_("réponse"), max_length=100, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mot", "pupil", "guardian"], name="liaison_signed_once")
        ]

    def __str__(self) -> str:
        return f"{self.mot_id}: {self.guardian_id} for {self.pupil_id}"


class FamilyMot(models.Model):
    """A legal guardian's mot to a teacher of their child's class, which the teacher acknowledges."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="liaison_family_mots")
    pupil = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="liaison_received_mots")
    title = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte du mot"))
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mot d'une famille")
        verbose_name_plural = _("mots des familles")
        indexes = [models.Index(fields=["teacher", "-created_at"], name="liaison_family_teacher")]

    def __str__(self) -> str:
        return self.title
