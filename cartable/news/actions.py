"""Every write of the news: publish, edit, delete a news item; the web-size copy of its image; the school's
public page switch. Each action checks the permission itself (views only parse) and writes in one
transaction; the school's cached list of news is renewed (versions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.access import policy
from cartable.directory.models import Group, GroupKind, Person, School
from cartable.files import actions as files_actions
from cartable.files import images
from cartable.lib.errors import Refused
from cartable.lib.rich_text import rich_text
from cartable.news import access, versions
from cartable.news.models import Audience, News, NewsAttachment, PublicPage
from cartable.notifications.actions import publish


@dataclass
class NewsInput:
    school_id: int
    title: str
    body: str = ""
    audience: str = Audience.SCHOOL
    for_pupils: bool = False
    for_relatives: bool = False
    for_staff: bool = False
    class_ids: list[int] = field(default_factory=list)
    publish_at: dt.datetime | None = None
    expire_at: dt.datetime | None = None
    pinned: bool = False
    public: bool = False
    image: UploadedFile[bytes] | None = None
    image_alt: str = ""
    remove_image: bool = False
    files: list[UploadedFile[bytes]] = field(default_factory=list)
    remove_attachments: list[int] = field(default_factory=list)


def _publisher(user: Any, school_id: int) -> Person:
    person_id = policy.viewer_for(user).person_id
    if school_id not in access.publishing_schools(user) or person_id is None:
        raise Refused(
            _("Seules la direction, la vie scolaire, la documentation et l’administrateur ENT de "
              "l’établissement publient ses actualités."),
            field="school",
        )  # fmt: skip
    return Person.objects.get(pk=person_id)


def _check(data: NewsInput) -> list[Group]:
    if not data.title.strip():
        raise Refused(_("Donnez un titre à l’actualité."), field="title")
    if data.expire_at is not None:
        start = data.publish_at or timezone.now()
        if data.expire_at <= start:
            raise Refused(_("La date de retrait doit suivre la date de publication."), field="expire_at")
    classes: list[Group] = []
    if data.audience == Audience.PROFILES and not (data.for_pupils or data.for_relatives or data.for_staff):
        raise Refused(_("Choisissez au moins un profil : élèves, parents ou personnels."), field="profiles")
    if data.audience == Audience.CLASSES:
        classes = list(
            Group.objects.filter(
                pk__in=data.class_ids, school_id=data.school_id, kind=GroupKind.CLASS, year__is_current=True
            )
        )
        if not classes or len(classes) != len(set(data.class_ids)):
            raise Refused(_("Choisissez au moins une classe de l’établissement."), field="classes")
    if data.public and data.audience != Audience.SCHOOL:
        raise Refused(
            _("Seule une actualité adressée à tout l’établissement peut être publique."), field="public"
        )
    if data.image is not None and not data.image_alt.strip():
        raise Refused(
            _("Décrivez l’image en quelques mots pour ceux qui ne la voient pas."), field="image_alt"
        )
    return classes


def _fill(news: News, data: NewsInput, now: dt.datetime) -> None:
    news.title = data.title.strip()[:200]
    news.body = rich_text(data.body)
    news.audience = data.audience
    profiles = data.audience == Audience.PROFILES
    news.for_pupils = profiles and data.for_pupils
    news.for_relatives = profiles and data.for_relatives
    news.for_staff = profiles and data.for_staff
    news.publish_at = data.publish_at or news.publish_at or now
    news.expire_at = data.expire_at
    news.pinned = data.pinned
    news.public = data.public
    news.image_alt = data.image_alt.strip()[:300]
    news.updated_at = now


def _release(stored_ids: Iterable[int | None]) -> None:
    ids = [pk for pk in stored_ids if pk is not None]
    if ids:
        transaction.on_commit(lambda: files_actions.release(ids))


def _store(news: News, author: Person, data: NewsInput) -> None:
    if data.image is not None:
        news.image = files_actions.store_upload(data.image, owner=author, school_id=news.school_id)
        news.image_web = None
        news.save(update_fields=["image", "image_web"])
        news_id = news.pk

        def copy_soon() -> None:
            from cartable.news.tasks import make_web_image

            make_web_image.enqueue(news_id)

        transaction.on_commit(copy_soon)
    NewsAttachment.objects.bulk_create(
        NewsAttachment(
            news=news,
            stored=files_actions.store_upload(upload, owner=author, school_id=news.school_id),
            name=(upload.name or "fichier")[:200],
        )
        for upload in data.files
    )


@transaction.atomic
def publish_news(user: Any, data: NewsInput) -> News:
    author = _publisher(user, data.school_id)
    classes = _check(data)
    now = timezone.now()
    news = News(school_id=data.school_id, author=author, created_at=now)
    _fill(news, data, now)
    news.save()
    news.classes.set(classes)
    _store(news, author, data)
    _plan_notification(news)
    versions.bump_schools([news.school_id])
    return news


@transaction.atomic
def update_news(user: Any, news: News, data: NewsInput) -> News:
    news = access.managed_news_or_404(user, news.pk)
    data.school_id = news.school_id  # a news item stays in its school
    author = _publisher(user, news.school_id)
    classes = _check(data)
    old_images = [news.image_id, news.image_web_id] if data.image is not None or data.remove_image else []
    if data.remove_image and data.image is None:
        news.image, news.image_web = None, None
    _fill(news, data, timezone.now())
    news.save()
    news.classes.set(classes)
    removed = list(news.attachments.filter(pk__in=data.remove_attachments))
    _release(a.stored_id for a in removed)
    news.attachments.filter(pk__in=[a.pk for a in removed]).delete()
    _store(news, author, data)
    _release(old_images)
    _plan_notification(news)
    versions.bump_schools([news.school_id])
    return news


def _plan_notification(news: News) -> None:
    """Its audience is told at the publication date, by the background worker (at once when that date has
    come): a news item published for next Monday is told on Monday. An item already told is not told again
    when edited; one whose date moves is told at its new date (the task planned for the old one finds it
    not yet published and does nothing). The nightly work catches up whatever a stopped worker missed."""
    if news.notified_at is not None:
        return
    news_id, moment = news.pk, news.publish_at

    def plan() -> None:
        from cartable.news.tasks import notify_publication as task

        if moment > timezone.now():
            task.using(run_after=moment).enqueue(news_id)
        else:
            task.enqueue(news_id)

    transaction.on_commit(plan)


@transaction.atomic
def notify_publication(news_id: int, now: dt.datetime | None = None) -> bool:
    """Tell a news item's audience that it is published, once its publication date has come (a task, or
    the nightly catch-up): a timeline entry each, emails by each person's choice and quiet hours. Nobody
    twice, nothing for a news item not yet published or already withdrawn. Returns whether it was told now."""
    now = now or timezone.now()
    news = (
        News.objects.select_for_update(of=("self",))
        .select_related("school", "author")
        .filter(pk=news_id, notified_at__isnull=True)
        .first()
    )
    if news is None or not news.is_current(now):
        return False
    news.notified_at = now
    news.save(update_fields=["notified_at"])
    # The cached lists hold the row (not this column): one reread of the school's list, at its publication.
    versions.bump_schools([news.school_id])
    publish(
        "news.published",
        recipients=access.audience_ids(news),
        school=news.school,
        actor=news.author,
        data={"title": news.title, "school": news.school.name},
        url=reverse("news:detail", args=[news.pk]),
    )
    return True


def notify_due(now: dt.datetime) -> int:
    """The nightly catch-up: news published in the last days whose audience was not told (the worker was
    down at the publication date). Returns how many news items were told."""
    due = list(
        News.objects.filter(access.current_q(now), notified_at__isnull=True).values_list("pk", flat=True)
    )
    return sum(1 for pk in due if notify_publication(pk, now))


@transaction.atomic
def delete_news(user: Any, news: News) -> None:
    news = access.managed_news_or_404(user, news.pk)
    stored = [news.image_id, news.image_web_id, *news.attachments.values_list("stored_id", flat=True)]
    versions.bump_schools([news.school_id])
    news.delete()
    _release(stored)


@transaction.atomic
def make_web_image(news_id: int) -> bool:
    """The background worker's copy of a news item's image at web size (see cartable.files.images)."""
    news = News.objects.select_for_update(of=("self",)).select_related("image").filter(pk=news_id).first()
    if news is None or news.image is None or news.image_web_id is not None:
        return False
    copy = images.web_copy(news.image, news.image.owner)
    if copy is None:
        return False
    news.image_web = copy
    news.save(update_fields=["image_web"])
    versions.bump_schools([news.school_id])
    return True


@transaction.atomic
def set_public_page(user: Any, school: School, enabled: bool) -> PublicPage:
    """The school's ENT admin (or the platform admin) opens or closes its public news page."""
    if not policy.admin_of(user, school):
        raise Refused(_("Seul l’administrateur ENT de l’établissement ouvre sa page publique."))
    page, _created = PublicPage.objects.get_or_create(school=school)
    page.enabled = enabled
    page.changed_by_id = policy.viewer_for(user).person_id
    page.changed_at = timezone.now()
    page.save()
    return page


def purge_expired(before: dt.datetime) -> int:
    """News withdrawn before `before`, and their files (the nightly work, see lifecycle)."""
    old = News.objects.filter(expire_at__lt=before)
    rows = list(old.values_list("pk", "school_id", "image_id", "image_web_id"))
    if not rows:
        return 0
    with transaction.atomic():
        stored = [pk for row in rows for pk in row[2:]]
        stored += list(NewsAttachment.objects.filter(news__in=old).values_list("stored_id", flat=True))
        count = len(rows)
        News.objects.filter(pk__in=[row[0] for row in rows]).delete()
        _release(stored)
        versions.bump_schools({row[1] for row in rows})
    return count
