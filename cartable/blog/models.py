"""The class blog ("cahier multimédia" of the école): per class, posts by its teachers (and by its pupils
when the teacher allows, published once a teacher accepted them), with images and files, and comments by
the class's pupils and families when allowed, each accepted by a teacher before anyone else sees it.
Read only by the class's pupils, their legal guardians and the school's staff.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Group, Person, School
from cartable.files.models import StoredFile


class Status(models.TextChoices):
    PENDING = "pending", _("En attente de validation")
    PUBLISHED = "published", _("Publié")


class Blog(models.Model):
    """A class's blog settings, chosen by its teachers (a class without a row has the defaults)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="+")
    pupils_may_post = models.BooleanField(_("les élèves peuvent proposer des billets"), default=False)
    comments_open = models.BooleanField(_("les élèves et les familles peuvent commenter"), default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("blog de classe")
        verbose_name_plural = _("blogs de classe")

    def __str__(self) -> str:
        return str(self.group_id)


class Post(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    # A contribution (rule C5): kept under "Ancien compte", gone with its author if they objected at closure.
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), blank=True)  # sanitized HTML
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = _("billet")
        verbose_name_plural = _("billets")
        indexes = [models.Index(fields=["group", "status", "published_at"], name="blog_post_group")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class PostFile(models.Model):
    """An image or a file of a post; an image gets a web-size copy, made in the background."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="files")
    # Named reverse relations: cartable.files.actions.release() finds the files still used through them.
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="blog_files")
    web = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="blog_web_files"
    )
    name = models.CharField(_("nom du fichier"), max_length=200)
    is_image = models.BooleanField(default=False)
    alt = models.CharField(_("description de l'image"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("fichier du billet")
        verbose_name_plural = _("fichiers des billets")

    def __str__(self) -> str:
        return self.name

    @property
    def shows_inline(self) -> bool:
        """The page shows the image only once its copy and the original were both found clean."""
        return bool(self.is_image and self.web is not None and self.web.is_clean and self.stored.is_clean)


class Comment(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("commentaire"))  # plain text
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")

    def __str__(self) -> str:
        return f"{self.post_id}: {self.body[:40]}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED
