"""Access matrix of the photo albums (cartable.albums)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from PIL import Image

from cartable.albums.models import Album, Photo
from cartable.files import actions as files
from cartable.files.tests.helpers import mark_all_clean
from tests.matrix import Route, expect, logged_in
from tests.world import World


def _album(world: World) -> Album:
    """Tom's album of 6A with one photo naming nobody (made again if deleted)."""
    album = Album.objects.filter(group=world.class_6a, title="Classe verte").first()
    if album is None:
        album = Album.objects.create(school=world.school_a, group=world.class_6a, title="Classe verte")
        out = io.BytesIO()
        Image.new("RGB", (40, 30), (20, 160, 60)).save(out, "JPEG")
        stored = files.store_upload(
            ContentFile(out.getvalue(), name="lac.jpg"), owner=None, school_id=world.school_a.pk
        )
        Photo.objects.create(album=album, original=stored, thumbnail=stored, web=stored, name="lac.jpg")
        mark_all_clean()  # the matrix is about access: the antivirus has its own tests (cartable/files)
    return album


def _photo(world: World) -> int:
    photo = _album(world).photos.first()
    if photo is None:
        Album.objects.filter(pk=_album(world).pk).delete()
        photo = _album(world).photos.get()
    return photo.pk


SEES_6A = dict.fromkeys(
    ("alice", "bob", "marie", "marc", "beatrice", "tom", "tess", "vera", "paul", "ada"), 200
)
MANAGES_6A = ("tom", "paul", "ada")

ROUTES: dict[str, Route] = {
    "albums:index": Route(lambda w: "/albums/"),
    "albums:new": Route(lambda w: "/albums/nouveau"),
    "albums:detail": Route(lambda w: f"/albums/{_album(w).pk}/"),
    "albums:upload": Route(lambda w: f"/albums/{_album(w).pk}/photos", "post"),
    "albums:delete": Route(lambda w: f"/albums/{_album(w).pk}/supprimer", "post"),
    "albums:download": Route(lambda w: f"/albums/{_album(w).pk}/album.zip"),
    "albums:photo": Route(lambda w: f"/albums/photo/{_photo(w)}/"),
    "albums:photo_file": Route(lambda w: f"/albums/photo/{_photo(w)}/vignette"),
    "albums:tag": Route(lambda w: f"/albums/photo/{_photo(w)}/eleves", "post"),
    "albums:delete_photo": Route(lambda w: f"/albums/photo/{_photo(w)}/supprimer", "post"),
    "albums:consents": Route(lambda w: "/albums/droit-a-l-image/"),
    "albums:consent": Route(lambda w: f"/albums/droit-a-l-image/{w.person('alice').pk}"),
}

MATRIX: dict[str, dict[str, int]] = {
    "albums:index": logged_in(200),
    # The teachers of a class (Tom, Tess for 5B, Xavier for 6C), the direction and ADML of a school
    # (Paul, Ada, Bruno).
    "albums:new": expect(404, anon=302, tom=200, tess=200, paul=200, ada=200, xavier=200, bruno=200),
    "albums:detail": expect(404, anon=302, **SEES_6A),
    # An empty form sent back: the page again with the form's error.
    "albums:upload": expect(404, anon=302, **dict.fromkeys(MANAGES_6A, 200)),
    "albums:delete": expect(404, anon=302, **dict.fromkeys(MANAGES_6A, 302)),
    "albums:download": expect(404, anon=302, **SEES_6A),
    "albums:photo": expect(404, anon=302, **SEES_6A),
    "albums:photo_file": expect(404, anon=302, **SEES_6A),
    "albums:tag": expect(404, anon=302, **dict.fromkeys(MANAGES_6A, 302)),
    "albums:delete_photo": expect(404, anon=302, **dict.fromkeys(MANAGES_6A, 302)),
    # A guardian's children; every pupil of the schools one manages (direction, ADML).
    "albums:consents": expect(
        404, anon=302, marie=200, marc=200, beatrice=200, gino=200, zack=200, paul=200, ada=200, bruno=200
    ),
    "albums:consent": expect(404, anon=302, marie=200, marc=200, paul=200, ada=200),
}
