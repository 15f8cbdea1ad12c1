from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Person, Profile, School


class AppSwitch(models.Model):
    """A school admin switched an app off (or back on) for one profile in their school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="app_switches")
    app_code = models.CharField(max_length=40)
    profile = models.CharField(max_length=16, choices=Profile.choices)
    enabled = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "app_code", "profile"], name="unique_app_switch")
        ]

    def __str__(self) -> str:
        return f"{self.app_code} / {self.profile} @ {self.school_id}: {self.enabled}"


class CorrectionRequest(models.Model):
    """Right of rectification (rule C9): a person asks the school admin to correct their data."""

    class Status(models.TextChoices):
        OPEN = "open", _("En attente")
        DONE = "done", _("Traitée")
        REJECTED = "rejected", _("Refusée")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="correction_requests")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="correction_requests")
    message = models.TextField(_("correction demandée"), max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("réponse"), blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"
