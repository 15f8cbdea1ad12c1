"""Every write of the photo albums: an album made or deleted, photos added (their thumbnail and web copy made
by the background worker), tagged with the pupils they show, removed; and the image-rights answer of a pupil,
recorded by the school or given and withdrawn by a guardian, with its trace. Each action checks the permission
itself (views only parse) and writes in one transaction. Nothing of the albums is cached: the photos and the
consents are read together at each request, so a consent withdrawn hides the photos at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.access import policy
from cartable.albums import access
from cartable.albums.models import Album, ConsentChange, Photo, PhotoTag
from cartable.directory.models import Person
from cartable.feeds.models import ConsentSource, ImageRightsConsent
from cartable.files import actions as files_actions
from cartable.files import images
from cartable.lib.errors import Refused


@dataclass
class AlbumInput:
    school_id: int
    title: str
    group_id: int | None = None  # None: a school event
    event_date: dt.date | None = None


def _acting_person(user: Any) -> Person:
    person_id = policy.viewer_for(user).person_id
    if person_id is None:
        raise Refused(_("Seul un membre de l’établissement gère ses albums."))
    return Person.objects.get(pk=person_id)


def _release(stored_ids: Iterable[int | None]) -> None:
    ids = [pk for pk in stored_ids if pk is not None]
    if ids:
        transaction.on_commit(lambda: files_actions.release(ids))


@transaction.atomic
def create_album(user: Any, data: AlbumInput) -> Album:
    """A class's album by its teachers or the school's direction and ADML; a school event's by the latter."""
    if not data.title.strip():
        raise Refused(_("Donnez un titre à l’album."), field="title")
    if data.group_id is None:
        if data.school_id not in access.managing_schools(user):
            raise Refused(
                _("Seules la direction et l’administrateur ENT font les albums des événements de l’école."),
                field="group",
            )
    else:
        group = access.creatable_classes(user).filter(pk=data.group_id).first()
        if group is None:
            raise Refused(_("Choisissez une classe que vous enseignez ou gérez."), field="group")
        data.school_id = group.school_id
    author = _acting_person(user)
    return Album.objects.create(
        school_id=data.school_id,
        group_id=data.group_id,
        title=data.title.strip()[:200],
        event_date=data.event_date,
        created_by=author,
    )


@transaction.atomic
def delete_album(user: Any, album: Album) -> None:
    album = access.managed_album_or_404(user, album.pk)
    stored = [pk for row in album.photos.values_list("original_id", "thumbnail_id", "web_id") for pk in row]
    album.delete()
    _release(stored)


@transaction.atomic
def add_photos(user: Any, album: Album, uploads: list[UploadedFile[bytes]]) -> list[Photo]:
    """Store the photos (in quarantine, scanned) and ask the worker for their thumbnail and web copy. The
    uploads were checked with Pillow in the form (cartable.files.images.check_image)."""
    album = access.managed_album_or_404(user, album.pk)
    if not uploads:
        raise Refused(_("Choisissez au moins une photo."), field="photos")
    author = _acting_person(user)
    photos = [
        Photo.objects.create(
            album=album,
            original=files_actions.store_upload(upload, owner=author, school_id=album.school_id),
            name=(upload.name or "photo")[:200],
            added_by=author,
        )
        for upload in uploads
    ]
    ids = [photo.pk for photo in photos]

    def copy_soon() -> None:
        from cartable.albums.tasks import make_copies

        for pk in ids:
            make_copies.enqueue(pk)

    transaction.on_commit(copy_soon)
    return photos


@transaction.atomic
def make_copies(photo_id: int) -> bool:
    """The background worker's thumbnail and web-size copy of a photo (see cartable.files.images). An original
    Pillow cannot read any more is kept and marked unreadable: nothing is lost, the staff see it."""
    photo = (
        Photo.objects.select_for_update(of=("self",)).select_related("original").filter(pk=photo_id).first()
    )
    if photo is None or (photo.thumbnail_id is not None and photo.web_id is not None):
        return False
    owner = photo.original.owner
    thumbnail = images.thumbnail_copy(photo.original, owner)
    web = images.web_copy(photo.original, owner) if thumbnail is not None else None
    if thumbnail is None or web is None:
        _release([thumbnail.pk] if thumbnail is not None else [])
        photo.unreadable = True
        photo.save(update_fields=["unreadable"])
        return False
    photo.thumbnail, photo.web, photo.unreadable = thumbnail, web, False
    photo.save(update_fields=["thumbnail", "web", "unreadable"])
    return True


@transaction.atomic
def tag_photo(user: Any, photo: Photo, pupil_ids: Iterable[int], caption: str = "") -> Photo:
    """Say who appears on the photo (pupils of the album's class, or of the school for an event)."""
    photo = access.managed_photo_or_404(user, photo.pk)
    wanted = set(pupil_ids)
    allowed = set(access.taggable_pupils(photo.album).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise Refused(_("Seuls les élèves de la classe de l’album peuvent y être nommés."), field="pupils")
    photo.tags.exclude(pupil_id__in=wanted).delete()
    known = set(photo.tags.values_list("pupil_id", flat=True))
    PhotoTag.objects.bulk_create(PhotoTag(photo=photo, pupil_id=pk) for pk in sorted(wanted - known))
    photo.caption = caption.strip()[:300]
    photo.save(update_fields=["caption"])
    return photo


@transaction.atomic
def delete_photo(user: Any, photo: Photo) -> None:
    photo = access.managed_photo_or_404(user, photo.pk)
    stored = [photo.original_id, photo.thumbnail_id, photo.web_id]
    photo.delete()
    _release(stored)


@transaction.atomic
def set_image_rights(user: Any, pupil: Person, granted: bool) -> ImageRightsConsent:
    """A guardian gives or withdraws the consent for their child ("Mes données"); the school's direction or
    ADML records the answer it received on paper. Each change is traced (ConsentChange). The albums read the
    consent at each request: a withdrawal hides the photos at once."""
    pupil = access.consent_pupil_or_404(user, pupil.pk)
    viewer = policy.viewer_for(user)
    source = ConsentSource.GUARDIAN if pupil.pk in viewer.child_ids else ConsentSource.SCHOOL
    now = timezone.now()
    consent, _created = ImageRightsConsent.objects.select_for_update().get_or_create(
        person=pupil, defaults={"granted": granted, "recorded_at": now, "source": source}
    )
    if not _created:
        consent.granted, consent.recorded_at, consent.source = granted, now, source
        consent.save(update_fields=["granted", "recorded_at", "source"])
    ConsentChange.objects.create(
        pupil=pupil, granted=granted, source=source, recorded_by_id=viewer.person_id, recorded_at=now
    )
    return consent


def forget_pupils(person_ids: list[int]) -> int:
    """At a pupil's purge: the photos that show them go (a photo of a person is their personal data), with
    their files; the photos' other tags go with them. Inside the purge's transaction."""
    photos = Photo.objects.filter(pk__in=PhotoTag.objects.filter(pupil_id__in=person_ids).values("photo_id"))
    stored = [pk for row in photos.values_list("original_id", "thumbnail_id", "web_id") for pk in row]
    count, _deleted = photos.delete()
    _release(stored)
    return count
