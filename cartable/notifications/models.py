from django.db import models
from django.utils import timezone

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
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_timeline")]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}"
