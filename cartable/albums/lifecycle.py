"""The albums in a person's lifecycle (cartable.lib.lifecycle). An album and a photo name who made them:
kept under "Ancien compte". A photo showing a purged pupil is their personal data: it goes, with its files and
its other tags; the trace of the pupil's image-rights answers goes too."""

from __future__ import annotations

from cartable.albums.actions import forget_pupils
from cartable.albums.models import Album, ConsentChange, Photo, PhotoTag
from cartable.lib.lifecycle import Fate, Forgetting

PERSONAL_DATA = {
    Album: Fate.RECORD,
    Photo: Fate.RECORD,
    PhotoTag: Fate.FORGOTTEN,
    ConsentChange: Fate.FORGOTTEN,
}


def forget(people: Forgetting) -> None:
    forget_pupils(people.person_ids)
    ConsentChange.objects.filter(pupil_id__in=people.person_ids).delete()
