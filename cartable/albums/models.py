"""Photo albums: albums of a class or of a school event, their photos (the original, a thumbnail and a
web-size copy, all stored through cartable.files) and the pupils each photo shows.

Image rights: a photo is shown to families (pupils and guardians) only when every pupil tagged on it has an
image-rights consent granted (cartable.feeds.models.ImageRightsConsent); the school's staff see every photo
of the albums they see. The consent is read in the same query as the photos, never cached: withdrawing it
hides the photos at the next request.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Group, Person, School
from cartable.feeds.models import ConsentSource
from cartable.files.models import StoredFile


class Album(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    # A class's album (its pupils, their guardians, its teachers); none: a school event, for all the school.
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("classe")
    )
    title = models.CharField(_("titre"), max_length=200)
    event_date = models.DateField(_("date"), null=True, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-event_date", "-pk"]
        verbose_name = _("album photo")
        verbose_name_plural = _("albums photo")
        indexes = [models.Index(fields=["school", "group"], name="albums_school_group")]

    def __str__(self) -> str:
        return self.title


class Photo(models.Model):
    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="photos")
    # Named reverse relations: cartable.files.actions.release() finds the files still used through them.
    original = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="album_originals")
    thumbnail = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="album_thumbnails"
    )
    web = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="album_web_copies"
    )
    name = models.CharField(_("nom du fichier"), max_length=200)
    caption = models.CharField(_("légende"), max_length=300, blank=True)
    # The worker could not read the original: kept (nothing lost), shown as such to the staff.
    unreadable = models.BooleanField(default=False)
    added_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    pupils = models.ManyToManyField(Person, through="PhotoTag", related_name="+")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.name


class PhotoTag(models.Model):
    """A pupil who appears on a photo."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="tags")
    pupil = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("élève sur une photo")
        verbose_name_plural = _("élèves sur les photos")
        constraints = [models.UniqueConstraint(fields=["photo", "pupil"], name="albums_one_tag_per_pupil")]
        indexes = [models.Index(fields=["pupil"], name="albums_tag_pupil")]

    def __str__(self) -> str:
        return f"{self.photo_id}: {self.pupil_id}"


class ConsentChange(models.Model):
    """The trace of each image-rights answer given in Cartable: who, for which pupil, which answer, when."""

    pupil = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    granted = models.BooleanField(_("droit à l'image accordé"))
    source = models.CharField(_("source"), max_length=10, choices=ConsentSource)
    recorded_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("changement du droit à l'image")
        verbose_name_plural = _("changements du droit à l'image")

    def __str__(self) -> str:
        return f"{self.pupil_id}: {self.granted}"
