"""Every file a person uploads to Cartable, whatever the service it is joined to (a message, a session of the
cahier de textes, later the workspace): one row per stored file, written by cartable.files.actions only.

A file is served only once the antivirus has found it clean (`status == CLEAN`); until then it sits in
quarantine (PENDING). An infected file's content is deleted at once; its row stays, as the trace of what was
found, from whom, and when.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Person, School


class StoredFile(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En cours d'analyse")
        CLEAN = "clean", _("Sain")
        INFECTED = "infected", _("Infecté")

    # The school the file was uploaded in; null only for the platform admin, who has none.
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # Who uploaded it; the file outlives their account when it is joined to something that does (a cahier).
    owner = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The name in the storage backend: random, it reveals nothing and never collides. Empty once the content
    # of an infected file has been deleted.
    file = models.FileField(max_length=300, blank=True)
    name = models.CharField(_("nom du fichier"), max_length=200)  # as the uploader named it
    size = models.PositiveBigIntegerField()
    # Sniffed from the first bytes of the content, never what the uploader's browser claimed.
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    scanned_at = models.DateTimeField(null=True, blank=True)
    # What the antivirus found (its signature name), for an infected file.
    signature = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("fichier déposé")
        verbose_name_plural = _("fichiers déposés")
        indexes = [
            models.Index(fields=["status", "created_at"], name="storedfile_status"),
            models.Index(fields=["sha256"], name="storedfile_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_clean(self) -> bool:
        return self.status == self.Status.CLEAN

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
