import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Person, School


class Event(models.Model):
    """Something happened that concerns some people (a message, homework, a timetable change…).

    Stored once; each person it concerns gets a Notification row (bulk insert)."""

    kind = models.CharField(max_length=64)  # an EventKind code (cartable.notifications.kinds)
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The pupil the event is about, so that a guardian sees it under that child.
    about = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.created_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One event for one person: read or not, emailed or not."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="one_notification_per_recipient")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_timeline"),
            # The unread count of the header: one index-only count per person.
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            ),
            # What is still to be emailed (immediate after quiet hours, daily digests).
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(emailed_at__isnull=True, read_at__isnull=True),
                name="notification_to_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}"


class Preference(models.Model):
    """How one person wants to hear of one kind of event by email, when it differs from the kind's default."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16)  # kinds.Channel

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}: {self.channel}"


class DeliverySettings(models.Model):
    """A person's quiet hours (no email then, in Europe/Paris time) and their "no email at all" switch.
    Without a row the defaults apply: quiet from 20:00 to 07:00, emails on."""

    DEFAULT_QUIET_START = datetime.time(20, 0)
    DEFAULT_QUIET_END = datetime.time(7, 0)

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+", primary_key=True)
    quiet_enabled = models.BooleanField(_("heures calmes"), default=True)
    quiet_start = models.TimeField(_("début des heures calmes"), default=DEFAULT_QUIET_START)
    quiet_end = models.TimeField(_("fin des heures calmes"), default=DEFAULT_QUIET_END)
    email_off = models.BooleanField(_("aucun courriel"), default=False)
    # Optional: the immediate notifications also go by text message to this number (international form).
    sms_phone = models.CharField(_("téléphone pour les SMS"), max_length=20, blank=True)

    def __str__(self) -> str:
        return f"{self.person_id}: {self.quiet_start}-{self.quiet_end}"


class DigestRun(models.Model):
    """One row per day a daily digest is planned: the unique day keeps two workers from planning it twice."""

    day = models.DateField(unique=True)
    planned_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"digest {self.day}"
