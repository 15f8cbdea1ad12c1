"""Every write of the class blog: posts and their files, comments, moderation, the blog's settings.

Each action checks the permission itself (views only parse) and writes in one transaction. What waits for
a teacher's validation is told to the class's teachers on their timeline (after commit, like every event).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.access import policy
from cartable.access.policy import current_teaching_assignments
from cartable.blog import access, versions
from cartable.blog.models import Blog, Comment, Post, PostFile, Status
from cartable.directory.models import Group, Person
from cartable.files import actions as files_actions
from cartable.files import images
from cartable.lib.errors import Refused
from cartable.lib.rich_text import rich_text
from cartable.notifications.actions import publish

TO_MODERATE = "blog.to_moderate"
COMMENT_MAX = 2000


@dataclass
class PostInput:
    title: str
    body: str = ""
    images: list[UploadedFile[bytes]] = field(default_factory=list)
    image_alt: str = ""
    files: list[UploadedFile[bytes]] = field(default_factory=list)
    remove_files: list[int] = field(default_factory=list)


def _person(user: Any) -> Person:
    person_id = policy.viewer_for(user).person_id
    if person_id is None:
        raise Refused(_("Seuls les membres de la classe écrivent dans son blog."))
    return Person.objects.get(pk=person_id)


def _tell_moderators(group: Group, actor: Person, what: str, url: str) -> None:
    teachers = current_teaching_assignments().filter(group=group).values_list("teacher_id", flat=True)
    publish(
        TO_MODERATE,
        recipients=set(teachers),
        school=group.school,
        actor=actor,
        data={"group": group.name, "what": what},
        url=url,
    )


def _class_url(group: Group) -> str:
    return reverse("blog:group", args=[group.pk])


def _check_post(data: PostInput) -> None:
    if not data.title.strip():
        raise Refused(_("Donnez un titre au billet."), field="title")
    if data.images and not data.image_alt.strip():
        raise Refused(
            _("Décrivez les images en quelques mots pour ceux qui ne les voient pas."), field="image_alt"
        )


def _store_files(post: Post, author: Person, data: PostInput) -> None:
    rows = [
        PostFile(
            post=post,
            stored=files_actions.store_upload(upload, owner=author, school_id=post.school_id),
            name=(upload.name or "image")[:200],
            is_image=True,
            alt=data.image_alt.strip()[:300],
        )
        for upload in data.images
    ]
    rows += [
        PostFile(
            post=post,
            stored=files_actions.store_upload(upload, owner=author, school_id=post.school_id),
            name=(upload.name or "fichier")[:200],
        )
        for upload in data.files
    ]
    PostFile.objects.bulk_create(rows)
    if data.images:
        post_id = post.pk

        def copy_soon() -> None:
            from cartable.blog.tasks import make_web_images

            make_web_images.enqueue(post_id)

        transaction.on_commit(copy_soon)


def _release(stored_ids: Iterable[int | None]) -> None:
    ids = [pk for pk in stored_ids if pk is not None]
    if ids:
        transaction.on_commit(lambda: files_actions.release(ids))


def _files_of(posts: Iterable[PostFile]) -> list[int | None]:
    return [pk for f in posts for pk in (f.stored_id, f.web_id)]


@transaction.atomic
def write_post(user: Any, group: Group, data: PostInput) -> Post:
    """A teacher's post is published at once; a pupil's waits for a teacher (if pupils may post at all)."""
    group = access.readable_group_or_404(user, group.pk)
    if not access.may_post(user, group):
        raise Refused(_("Votre enseignant n’a pas ouvert ce blog aux billets des élèves."))
    _check_post(data)
    author = _person(user)
    now = timezone.now()
    moderator = access.moderates(user, group)
    post = Post.objects.create(
        school_id=group.school_id,
        group=group,
        author=author,
        title=data.title.strip()[:200],
        body=rich_text(data.body),
        status=Status.PUBLISHED if moderator else Status.PENDING,
        created_at=now,
        updated_at=now,
        published_at=now if moderator else None,
    )
    _store_files(post, author, data)
    if not moderator:
        _tell_moderators(group, author, "post", _class_url(group))
    versions.bump_groups([group.pk])
    return post


@transaction.atomic
def update_post(user: Any, post: Post, data: PostInput) -> Post:
    post = access.editable_post_or_404(user, post.pk)
    _check_post(data)
    post.title = data.title.strip()[:200]
    post.body = rich_text(data.body)
    post.updated_at = timezone.now()
    post.save(update_fields=["title", "body", "updated_at"])
    removed = list(post.files.filter(pk__in=data.remove_files))
    post.files.filter(pk__in=[f.pk for f in removed]).delete()
    _release(_files_of(removed))
    _store_files(post, _person(user), data)
    versions.bump_groups([post.group_id])
    return post


@transaction.atomic
def delete_post(user: Any, post: Post) -> None:
    post = access.editable_post_or_404(user, post.pk)
    stored = _files_of(post.files.all())
    versions.bump_groups([post.group_id])
    post.delete()
    _release(stored)


@transaction.atomic
def moderate_post(user: Any, post: Post, accept: bool) -> Post | None:
    """A teacher accepts a pupil's post (published now) or refuses it (deleted with its files)."""
    post = access.moderated_post_or_404(user, post.pk)
    versions.bump_groups([post.group_id])
    if not accept:
        stored = _files_of(post.files.all())
        post.delete()
        _release(stored)
        return None
    if post.status != Status.PUBLISHED:
        post.status = Status.PUBLISHED
        post.published_at = timezone.now()
        post.save(update_fields=["status", "published_at"])
    return post


@transaction.atomic
def add_comment(user: Any, post: Post, body: str) -> Comment:
    """Pupils and families of the class comment when the teachers allow it; a teacher validates each one."""
    post = access.post_or_404(user, post.pk)
    if not post.is_published or not access.may_comment(user, post.group):
        raise Refused(_("Les commentaires ne sont pas ouverts sur ce blog."), field="body")
    text = body.strip()
    if not text:
        raise Refused(_("Écrivez votre commentaire."), field="body")
    if len(text) > COMMENT_MAX:
        raise Refused(
            _("Un commentaire tient en %(most)d caractères au plus.") % {"most": COMMENT_MAX}, field="body"
        )
    author = _person(user)
    moderator = access.moderates(user, post.group)
    comment = Comment.objects.create(
        school_id=post.school_id,
        post=post,
        author=author,
        body=text,
        status=Status.PUBLISHED if moderator else Status.PENDING,
    )
    if not moderator:
        _tell_moderators(post.group, author, "comment", _class_url(post.group))
    return comment


@transaction.atomic
def moderate_comment(user: Any, comment: Comment, accept: bool) -> Comment | None:
    comment = access.moderated_comment_or_404(user, comment.pk)
    if not accept:
        comment.delete()
        return None
    comment.status = Status.PUBLISHED
    comment.save(update_fields=["status"])
    return comment


@transaction.atomic
def save_settings(user: Any, group: Group, *, pupils_may_post: bool, comments_open: bool) -> Blog:
    group = access.readable_group_or_404(user, group.pk)
    if not access.moderates(user, group):
        raise Refused(_("Seuls les enseignants de la classe règlent son blog."))
    blog, _created = Blog.objects.get_or_create(group=group, defaults={"school_id": group.school_id})
    blog.pupils_may_post = pupils_may_post
    blog.comments_open = comments_open
    blog.changed_at = timezone.now()
    blog.save()
    return blog


@transaction.atomic
def make_web_images(post_id: int) -> int:
    """The background worker's web-size copies of a post's images (see cartable.files.images)."""
    made = 0
    for found in (
        PostFile.objects.select_for_update(of=("self",))
        .select_related("stored", "post__author")
        .filter(post_id=post_id, is_image=True, web__isnull=True)
    ):
        copy = images.web_copy(found.stored, found.post.author)
        if copy is not None:
            found.web = copy
            found.save(update_fields=["web"])
            made += 1
    return made
