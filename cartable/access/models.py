"""The trace of who read a pupil's records (rule C8: sensitive reads leave a trace).

The services that keep records about a pupil for the school's staff (attendance, punishments, grades…)
write here, through `cartable.access.reads`, each time a member of staff opens one: one table for all of
them, so that the school (and a family exercising its right of access) can ask « who opened this pupil's
records? » in one place, and each new service traces its reads the same way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Person, School

# What each kind of record is called on the pages listing the reads, filled by the services
# (`reads.describe`).
RECORD_LABELS: dict[str, Any] = {}


class RecordRead(models.Model):
    """A member of staff opened a record about a pupil: what (`what`, e.g. « attendance.record »), when."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    pupil = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    # "<app>.<record>": the service and what of it was read (its page, a letter, an export).
    what = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["pupil", "-at"], name="access_read_pupil"),
            models.Index(fields=["at"], name="access_read_age"),
        ]
        verbose_name = _("consultation d'un dossier")
        verbose_name_plural = _("consultations de dossiers")

    def __str__(self) -> str:
        return f"{self.reader_id} → {self.pupil_id} ({self.what})"

    @property
    def label(self) -> str:
        return str(RECORD_LABELS.get(self.what, self.what))
