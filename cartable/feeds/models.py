"""What the feeds know that the directory has no field for yet."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Person, School, SchoolYear


class ConsentSource(models.TextChoices):
    ONDE = "onde", _("ONDE")
    SCHOOL = "school", _("l'établissement")
    GUARDIAN = "guardian", _("un responsable légal")


class ImageRightsConsent(models.Model):
    """A pupil's image-rights consent ("droit à l'image"), from the ONDE "Autorisations photos" column, or
    recorded by the school, or given or withdrawn by a guardian in "Mes données" (cartable.albums.actions,
    which keeps the trace of each change).

    Photo albums read it before showing a pupil's picture; no row means nobody recorded an answer.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="image_rights_consent")
    granted = models.BooleanField(_("droit à l'image accordé"))
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    # An answer given by the school or a guardian is not overwritten by the next ONDE import.
    source = models.CharField(_("source"), max_length=10, choices=ConsentSource, default=ConsentSource.ONDE)

    class Meta:
        verbose_name = _("autorisation de droit à l'image")
        verbose_name_plural = _("autorisations de droit à l'image")

    def __str__(self) -> str:
        return f"{self.person} — {'oui' if self.granted else 'non'}"


STOPPED_AFTER = timedelta(hours=1)


class ImportJob(models.Model):
    """A spreadsheet an ADML imports into their school from the console, from upload to report.

    The file itself is kept only while it is needed: from the upload to the end of the import (then the
    content is emptied). What stays is the report: one line per row of the file, with what happened to it.
    """

    class Kind(models.TextChoices):
        PUPILS = "pupils", _("Élèves")
        GUARDIANS = "guardians", _("Responsables d’élèves")
        STAFF = "staff", _("Enseignants et personnels")

    class Status(models.TextChoices):
        DRAFT = "draft", _("À vérifier")
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    kind = models.CharField(_("contenu du fichier"), max_length=16, choices=Kind.choices)
    filename = models.CharField(_("nom du fichier"), max_length=255)
    # In the database rather than in media storage: any worker on any machine reads it, and it is emptied
    # as soon as the import is over.
    content = models.BinaryField(_("contenu"), blank=True, editable=False)
    size = models.PositiveIntegerField(_("taille"), default=0)
    # {field code: column index}
    mapping = models.JSONField(_("correspondance des colonnes"), default=dict, blank=True)
    status = models.CharField(_("état"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    total_rows = models.PositiveIntegerField(_("lignes"), default=0)
    processed_rows = models.PositiveIntegerField(_("lignes traitées"), default=0)
    # {"created": n, "updated": n, "unchanged": n, "rejected": n}
    counts = models.JSONField(_("résultat"), default=dict, blank=True)
    # [[line, name, outcome, detail, login], …] for the downloadable report
    report_rows = models.JSONField(_("rapport"), default=list, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "-created_at"])]
        verbose_name = _("import de fichier")
        verbose_name_plural = _("imports de fichiers")

    def __str__(self) -> str:
        return f"{self.filename} ({self.school_id}, {self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def seems_stopped(self) -> bool:
        """Still queued or running an hour after the upload: a file of at most 10,000 lines takes a few
        seconds, so the worker was stopped or is not running."""
        return self.is_running and self.created_at < timezone.now() - STOPPED_AFTER

    @property
    def is_over(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_over else 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class FeedImport(models.Model):
    """One import of a national feed (AAF) that wrote to the directory: when, what, and the fingerprint of
    its files. A full feed identical to the last one imported, with no import of any kind since, has
    nothing to teach the directory: it is recognised by its fingerprint and not read again."""

    class Source(models.TextChoices):
        AAF = "aaf", _("AAF")
        AAF_DELTA = "aaf_delta", _("AAF (modifications)")
        ONDE = "onde", _("ONDE")

    source = models.CharField(_("flux"), max_length=16, choices=Source.choices)
    # sha256 of every file of the feed (name, size, content), in reading order.
    digest = models.CharField(_("empreinte"), max_length=64)
    files = models.PositiveIntegerField(_("fichiers"), default=0)
    counts = models.JSONField(_("résultat"), default=dict, blank=True)
    # The school year that was current: after a rollover the same feed must fill the new year again.
    year = models.ForeignKey(SchoolYear, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("import de flux")
        verbose_name_plural = _("imports de flux")

    def __str__(self) -> str:
        return f"{self.source} {self.imported_at:%Y-%m-%d %H:%M}"
