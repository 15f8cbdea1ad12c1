"""Demo photo albums: in each demo school, the first class has an album of an outing whose photos name
pupils; one of them has no image-rights consent (refused on paper), so the families see fewer photos than the
staff. The images are drawn with Pillow at seed time and stored through cartable.files like any upload: in
quarantine, as every demo upload is (`make run` needs no antivirus; `manage.py run_clamd` then the periodic
scan make them servable). Their thumbnails and web copies are made at once, as the worker would. Only the
demo pair of schools gets content (see cartable.homework.demo)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from cartable.access.policy import current_enrolments
from cartable.albums.actions import make_copies
from cartable.albums.models import Album, Photo, PhotoTag
from cartable.directory.models import School
from cartable.directory.queries import first_class_and_teacher
from cartable.feeds.models import ConsentSource, ImageRightsConsent
from cartable.files import actions as files

COLOURS = [(46, 125, 50), (21, 101, 192), (239, 108, 0), (106, 27, 154), (0, 131, 143), (198, 40, 40)]


def _picture(number: int) -> bytes:
    """A small landscape: sky, a hill of the photo's colour and a sun."""
    image = Image.new("RGB", (640, 480), (179, 229, 252))
    draw = ImageDraw.Draw(image)
    draw.ellipse((-200, 260, 840, 900), fill=COLOURS[number % len(COLOURS)])
    draw.ellipse((480 - number * 40, 40, 560 - number * 40, 120), fill=(255, 213, 79))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _album_of(school: School) -> None:
    group, teacher_id = first_class_and_teacher(school)
    if group is None or Album.objects.filter(group=group).exists():
        return
    pupil_ids = list(
        current_enrolments().filter(group=group).order_by("pk").values_list("student_id", flat=True)[:3]
    )
    album = Album.objects.create(
        school=school,
        group=group,
        title="Sortie au parc",
        event_date=timezone.localdate() - dt.timedelta(days=5),
        created_by_id=teacher_id,
    )
    for number in range(6):
        stored = files.store_upload(
            ContentFile(_picture(number), name=f"parc-{number + 1}.jpg"), owner=None, school_id=school.pk
        )
        photo = Photo.objects.create(
            album=album, original=stored, name=f"parc-{number + 1}.jpg", added_by_id=teacher_id
        )
        make_copies(photo.pk)
        # Photo n names the class's n-th pupil (the first three photos).
        if number < len(pupil_ids):
            PhotoTag.objects.create(photo=photo, pupil_id=pupil_ids[number])
    # The last pupil named has no image-rights consent: the families do not see their photo.
    for pupil_id in pupil_ids:
        ImageRightsConsent.objects.update_or_create(
            person_id=pupil_id,
            defaults={"granted": pupil_id != pupil_ids[-1], "source": ConsentSource.SCHOOL},
        )


def seed_demo(plan) -> None:
    """Idempotent: a class with an album already is left as it is."""
    if plan.schools > 2:
        return
    for school in School.objects.order_by("uai"):
        _album_of(school)
