"""Albums and photos of the permission world, written directly (the actions have their own tests)."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from cartable.albums.models import Album, Photo, PhotoTag
from cartable.feeds.models import ImageRightsConsent
from cartable.files import actions as files
from cartable.files.tests.helpers import mark_all_clean


def image_bytes(size=(60, 40), fmt="JPEG", colour=(10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def make_album(world, group=None, school=None, title="Sortie au musée", photos=3) -> Album:
    school = school or (group.school if group is not None else world.school_a)
    album = Album.objects.create(school=school, group=group, title=title)
    stored = files.store_upload(ContentFile(image_bytes(), name="p.jpg"), owner=None, school_id=school.pk)
    thumb = files.store_upload(
        ContentFile(image_bytes((30, 20)), name="t.jpg"), owner=None, school_id=school.pk
    )
    Photo.objects.bulk_create(
        Photo(album=album, original=stored, thumbnail=thumb, web=thumb, name=f"photo-{n}.jpg")
        for n in range(photos)
    )
    mark_all_clean()
    return album


@pytest.fixture
def album_6a(world):
    """6A's album: photo 0 shows nobody, photo 1 shows Bob (consent given), photo 2 Alice (no consent)."""
    album = make_album(world, group=world.class_6a)
    _first, bob_photo, alice_photo = album.photos.order_by("pk")
    PhotoTag.objects.create(photo=bob_photo, pupil=world.person("bob"))
    PhotoTag.objects.create(photo=alice_photo, pupil=world.person("alice"))
    ImageRightsConsent.objects.create(person=world.person("bob"), granted=True)
    ImageRightsConsent.objects.create(person=world.person("alice"), granted=False)
    return album
