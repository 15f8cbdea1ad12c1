"""The cahier de textes: what was done in each session of a course, the homework given, and the visas.

It is an official record of the school: the direction inspects it and signs it (Visa); every entry of a
class or group dated on or before its last visa is then locked.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Group, Person, School, Subject
from cartable.files.models import StoredFile
from cartable.lib.html import plain_text


class Entry(models.Model):
    """One session of a course: the lesson content written by its teacher."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="homework_entries")
    subject = models.ForeignKey(Subject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The cahier is an official record: it outlives its author's account (purged after they leave, rule C5).
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="homework_entries"
    )
    date = models.DateField(_("date de la séance"))
    start_time = models.TimeField(_("heure de début"), null=True, blank=True)
    # The timetable course the session belongs to, when the teacher picked it from their timetable.
    course_id = models.PositiveIntegerField(_("cours"), null=True, blank=True)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    content = models.TextField(_("contenu de la séance"), blank=True)  # sanitized HTML
    # Prepared ahead: pupils and guardians see it from then on (None: at once).
    visible_from = models.DateTimeField(_("visible à partir du"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-start_time", "-pk"]
        verbose_name = _("séance du cahier de textes")
        verbose_name_plural = _("séances du cahier de textes")
        indexes = [
            models.Index(fields=["group", "date"], name="homework_entry_group_date"),
            models.Index(fields=["author", "date"], name="homework_entry_author_date"),
        ]
        # One session per class or group, subject, day and start time (or one without a time per day): a
        # second one is a duplicate, even when two requests race. A session without a subject (a school
        # with no subject at all) is checked by the action only: a subject deleted from the directory must
        # not fail on sessions it leaves without one.
        constraints = [
            models.UniqueConstraint(
                fields=["group", "subject", "date", "start_time"],
                condition=Q(subject__isnull=False, start_time__isnull=False),
                name="homework_entry_one_per_slot",
            ),
            models.UniqueConstraint(
                fields=["group", "subject", "date"],
                condition=Q(subject__isnull=False, start_time__isnull=True),
                name="homework_entry_one_per_day_without_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.date:%Y-%m-%d} {self.subject or ''}"

    def is_visible(self, now: dt.datetime | None = None) -> bool:
        return self.visible_from is None or self.visible_from <= (now or timezone.now())


class Homework(models.Model):
    """Work to do for a date, given during a session."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="homework")
    due_date = models.DateField(_("pour le"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée estimée (minutes)"), null=True, blank=True)
    instructions = models.TextField(_("consignes"))  # sanitized HTML
    # When pupils and guardians were told on their timeline (None: not yet, e.g. prepared ahead).
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("travail à faire")
        verbose_name_plural = _("travaux à faire")
        indexes = [models.Index(fields=["due_date"], name="homework_due_date")]

    def __str__(self) -> str:
        return f"{self.entry} → {self.due_date:%Y-%m-%d}"

    @property
    def subject_name(self) -> str:
        return self.entry.subject.name if self.entry.subject_id and self.entry.subject else ""

    @property
    def group_name(self) -> str:
        return self.entry.group.name

    @property
    def summary(self) -> str:
        """The instructions as plain text (lists and previews)."""
        return plain_text(self.instructions)


def attachment_path(instance: object, filename: str) -> str:
    """Where attachments were stored before cartable.files (named by the first migration only)."""
    return f"cahier-de-textes/{timezone.now():%Y/%m}/{filename}"


class EntryAttachment(models.Model):
    """A file joined to a session's content, or to one of its homework items."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
    homework = models.ForeignKey(
        Homework, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    # Stored, sniffed and scanned by cartable.files; served only once clean.
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="homework_attachments")
    name = models.CharField(_("nom du fichier"), max_length=200)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.name


class HomeworkDone(models.Model):
    """A pupil ticked a homework item as done: their own state, seen by nobody else."""

    pupil = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="done_by")
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "homework"], name="homework_done_once")]

    def __str__(self) -> str:
        return f"{self.pupil_id} ✓ {self.homework_id}"


class Visa(models.Model):
    """The direction's dated sign-off of a class's or group's cahier: entries up to `date` are locked."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="homework_visas")
    signed_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)
    date = models.DateField(_("séances visées jusqu'au"))
    comment = models.TextField(_("observation"), blank=True)

    class Meta:
        ordering = ["-date", "-signed_at"]
        verbose_name = _("visa")
        verbose_name_plural = _("visas")
        indexes = [models.Index(fields=["group", "date"], name="homework_visa_group_date")]

    def __str__(self) -> str:
        return f"{self.group} {self.date:%Y-%m-%d}"
