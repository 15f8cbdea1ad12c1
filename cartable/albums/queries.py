"""Read helpers of the album pages: an album's photos as tiles, in one query whatever their number."""

from __future__ import annotations

from typing import Any, TypedDict

from cartable.albums import access
from cartable.albums.models import Album
from cartable.files.models import StoredFile
from cartable.lib.urls import url_format

CLEAN, INFECTED = StoredFile.Status.CLEAN.value, StoredFile.Status.INFECTED.value


class Tile(TypedDict):
    """One photo of an album page. A dict rather than an object: the template reads each value at the first
    try (an attribute costs it a failed key lookup first), and a page may hold hundreds of photos."""

    href: str
    thumbnail: str  # the thumbnail's address; "" while it cannot be shown, `state` says why
    label: str  # the image's text alternative: the caption, else the file name
    name: str
    state: str  # "infected", "unreadable", "scanning" (thumbnail made, not found clean yet), "preparing"
    restricted: bool  # shows a pupil without image-rights consent: hidden from families (staff pages only)


def album_tiles(user: Any, album: Album, *, sees_all: bool) -> list[Tile]:
    """The photos of `album` the user may see, oldest first, with their addresses worked out once for the
    page (no reverse() per photo) and, for the staff, which ones families do not see: one query, with the
    files' scan status and the consent as a subquery; only the columns the page shows, no model objects."""
    photos = access.photos_visible_to(user, album)
    columns = ["pk", "name", "caption", "unreadable", "thumbnail_id", "thumbnail__status", "original__status"]
    if sees_all:
        photos = photos.annotate(restricted=access.without_consent())
        columns.append("restricted")
    page_url, thumbnail_url = (
        url_format("albums:photo", None),
        url_format("albums:photo_file", None, "vignette"),
    )
    tiles: list[Tile] = []
    for (
        pk,
        name,
        caption,
        unreadable,
        thumbnail_id,
        thumbnail_status,
        original_status,
        *restricted,
    ) in photos.order_by("pk").values_list(*columns):
        shown = thumbnail_id is not None and thumbnail_status == CLEAN and original_status == CLEAN
        if shown:
            state = ""
        elif original_status == INFECTED:
            state = "infected"
        elif unreadable:
            state = "unreadable"
        else:
            state = "scanning" if thumbnail_id is not None else "preparing"
        tiles.append(
            {
                "href": page_url(pk),
                "thumbnail": thumbnail_url(pk) if shown else "",
                "label": caption or name,
                "name": name,
                "state": state,
                "restricted": bool(restricted and restricted[0]),
            }
        )
    return tiles
