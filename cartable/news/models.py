"""The school's news (actualités): what its direction, vie scolaire, ENT admin or documentalist publish to
the whole school, to some profiles (pupils, parents, staff) or to some classes, between a publication and
an expiry date. A school may also show the news it marks public on a page open without login.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Group, Person, School
from cartable.files.models import StoredFile
from cartable.lib.html import plain_text


class Audience(models.TextChoices):
    SCHOOL = "school", _("Tout l'établissement")
    PROFILES = "profiles", _("Certains profils")
    CLASSES = "classes", _("Certaines classes")


class News(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    # The school's voice rather than its author's: kept under "Ancien compte" when the author's account goes.
    author = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), blank=True)  # sanitized HTML
    audience = models.CharField(_("destinataires"), max_length=10, choices=Audience, default=Audience.SCHOOL)
    # With Audience.PROFILES: who reads it. Staff always includes teachers and personnel.
    for_pupils = models.BooleanField(_("élèves"), default=False)
    for_relatives = models.BooleanField(_("parents"), default=False)
    for_staff = models.BooleanField(_("personnels"), default=False)
    # With Audience.CLASSES: their pupils, the pupils' guardians and the classes' teachers.
    classes = models.ManyToManyField(Group, blank=True, related_name="+", verbose_name=_("classes"))
    publish_at = models.DateTimeField(_("publiée le"), default=timezone.now)
    expire_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    pinned = models.BooleanField(_("épinglée"), default=False)
    # Shown on the school's public page too (only news to the whole school may be).
    public = models.BooleanField(_("publique"), default=False)
    # Named reverse relations: cartable.files.actions.release() finds the files still used through them.
    image = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="news_images"
    )
    image_web = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="news_web_images"
    )
    image_alt = models.CharField(_("description de l'image"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When its audience was told of its publication (news.published): once, at the publication date.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-pinned", "-publish_at", "-pk"]
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")
        indexes = [models.Index(fields=["school", "publish_at"], name="news_school_publish")]

    def __str__(self) -> str:
        return self.title

    def is_current(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.publish_at <= now and (self.expire_at is None or self.expire_at > now)

    @property
    def summary(self) -> str:
        return plain_text(self.body)


class NewsAttachment(models.Model):
    news = models.ForeignKey(News, on_delete=models.CASCADE, related_name="attachments")
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="news_attachments")
    name = models.CharField(_("nom du fichier"), max_length=200)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.name


class PublicPage(models.Model):
    """Whether the school shows its public news to anyone (off until its ENT admin switches it on)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(_("page publique des actualités"), default=False)
    changed_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("page publique des actualités")
        verbose_name_plural = _("pages publiques des actualités")

    def __str__(self) -> str:
        return f"{self.school_id}: {self.enabled}"
