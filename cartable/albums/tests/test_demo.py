"""The demo albums: in both demo schools, an album whose photos include a pupil without image-rights
consent, hidden from the families."""

import pytest

from cartable.albums import demo as albums_demo
from cartable.albums.models import Album, PhotoTag
from cartable.directory import demo
from cartable.directory.models import School
from cartable.feeds.models import ImageRightsConsent

pytestmark = pytest.mark.django_db


def test_both_demo_schools_get_an_album_with_a_pupil_without_consent():
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    for school in School.objects.all():
        album = Album.objects.get(school=school)
        assert album.photos.count() == 6
        assert all(p.thumbnail_id and p.web_id and p.original.is_pending for p in album.photos.all())
        tagged = PhotoTag.objects.filter(photo__album=album).values_list("pupil_id", flat=True)
        assert ImageRightsConsent.objects.filter(person_id__in=tagged, granted=False).count() == 1
    albums_demo.seed_demo(demo.Plan(schools=2, pupils_per_class=2))  # idempotent
    assert Album.objects.count() == 2
