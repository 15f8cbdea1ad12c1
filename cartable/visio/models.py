"""Virtual classes: a BigBlueButton meeting a teacher schedules for one of their classes or groups, and the
trace of every join (rule C8).

The meeting on the BigBlueButton server is created only when the teacher opens it (BigBlueButton's `create`
is idempotent): a scheduled class costs the server nothing until then. Its id and passwords are random,
made here, and never shown to anyone: joining goes through Cartable, which signs each address.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Group, Person, School
from cartable.timetable.models import Course


def new_meeting_id() -> str:
    return f"cartable-{secrets.token_hex(16)}"


def new_password() -> str:
    return secrets.token_urlsafe(18)


class VirtualClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+", verbose_name=_("classe"))
    # The school's record of the lesson: kept under "Ancien compte" when the teacher's account goes.
    teacher = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(_("titre"), max_length=200)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    recording_allowed = models.BooleanField(_("enregistrement autorisé"), default=False)
    # The timetable's session it was made from, if any (its page shows the virtual class).
    course = models.ForeignKey(Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lesson_date = models.DateField(null=True, blank=True)
    meeting_id = models.CharField(max_length=64, unique=True, default=new_meeting_id)
    moderator_password = models.CharField(max_length=64, default=new_password)
    attendee_password = models.CharField(max_length=64, default=new_password)
    created_at = models.DateTimeField(default=timezone.now)
    # When the teacher first opened it on the server, and when they ended it.
    opened_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("classe virtuelle")
        verbose_name_plural = _("classes virtuelles")
        indexes = [models.Index(fields=["group", "starts_at"], name="visio_group_start")]

    def __str__(self) -> str:
        return self.title

    def opens_at(self, minutes_before: int) -> dt.datetime:
        return self.starts_at - dt.timedelta(minutes=minutes_before)

    def is_open(self, now: dt.datetime, minutes_before: int) -> bool:
        """Pupils may join from a few minutes before its start to its end, unless the teacher ended it."""
        return self.ended_at is None and self.opens_at(minutes_before) <= now < self.ends_at

    def is_over(self, now: dt.datetime) -> bool:
        return self.ended_at is not None or now >= self.ends_at


class Role(models.TextChoices):
    MODERATOR = "moderator", _("animateur")
    ATTENDEE = "attendee", _("participant")


class VirtualClassJoin(models.Model):
    """Who joined which virtual class, when, and as what (rule C8): kept TRACE_RETENTION_DAYS, and gone with
    the person's account at the purge (rule C5)."""

    virtual_class = models.ForeignKey(VirtualClass, on_delete=models.CASCADE, related_name="joins")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("entrée dans une classe virtuelle")
        verbose_name_plural = _("entrées dans les classes virtuelles")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.virtual_class_id} ({self.role})"
