"""Photo albums: who sees which album, image rights enforced on every family (consent read at each request),
who manages and tags, real JPEG and PNG files through Pillow and the worker, the ZIP of what one may see,
pinned query counts, the purge."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from cartable.albums import access, actions
from cartable.albums.models import Album, ConsentChange, Photo, PhotoTag
from cartable.albums.tests.conftest import image_bytes, make_album
from cartable.feeds.models import ConsentSource, ImageRightsConsent
from cartable.files.models import StoredFile
from cartable.files.tests.helpers import mark_all_clean
from cartable.lib.errors import Refused
from cartable.lib.lifecycle import Forgetting

STAFF_A = {"tom", "tess", "vera", "paul", "ada"}
FAMILIES_6A = {"alice", "bob", "marie", "marc", "beatrice"}


def seen_photos(world, name, album) -> set[str]:
    user = world.fresh_user(name)
    if not access.albums_visible_to(user).filter(pk=album.pk).exists():
        return set()
    return set(access.photos_visible_to(user, album).values_list("name", flat=True))


# --- Who sees what ----------------------------------------------------------------------------------------


def test_a_photo_of_a_pupil_without_image_rights_is_hidden_from_every_family(world, album_6a):
    for name in FAMILIES_6A:  # Alice's own family too: every tagged pupil's consent is needed
        assert seen_photos(world, name, album_6a) == {"photo-0.jpg", "photo-1.jpg"}, name
    for name in STAFF_A:
        assert seen_photos(world, name, album_6a) == {"photo-0.jpg", "photo-1.jpg", "photo-2.jpg"}, name
    for name in ("carl", "gino", "zoe", "zack", "xavier", "bruno", "leo"):
        assert seen_photos(world, name, album_6a) == set(), name


def test_the_hidden_photo_answers_404_to_families_through_every_route(world, as_user, album_6a):
    hidden = album_6a.photos.get(name="photo-2.jpg")
    for name in ("marie", "bob", "alice"):
        client = as_user(name)
        assert client.get(f"/albums/photo/{hidden.pk}/").status_code == 404
        for size in ("vignette", "web", "original"):
            assert client.get(f"/albums/photo/{hidden.pk}/{size}").status_code == 404
        assert f"/albums/photo/{hidden.pk}/" not in client.get(f"/albums/{album_6a.pk}/").content.decode()
    tom = as_user("tom")
    page = tom.get(f"/albums/{album_6a.pk}/").content.decode()
    assert f"/albums/photo/{hidden.pk}/" in page and "Réservée aux personnels" in page
    assert tom.get(f"/albums/photo/{hidden.pk}/web").status_code == 200


def test_no_answer_is_no_consent(world, album_6a):
    ImageRightsConsent.objects.filter(person=world.person("bob")).delete()
    assert seen_photos(world, "beatrice", album_6a) == {"photo-0.jpg"}


def test_withdrawing_consent_hides_the_photos_at_once_and_is_traced(world, as_user, album_6a):
    marie, beatrice = as_user("marie"), as_user("beatrice")
    bob_photo = album_6a.photos.get(name="photo-1.jpg")
    url = f"/albums/photo/{bob_photo.pk}/"
    assert marie.get(url).status_code == 200 and marie.get(f"/albums/{album_6a.pk}/").status_code == 200
    response = beatrice.post(f"/albums/droit-a-l-image/{world.person('bob').pk}", {"granted": "0"})
    assert response.status_code == 302
    assert marie.get(url).status_code == 404
    assert url not in marie.get(f"/albums/{album_6a.pk}/").content.decode()
    change = ConsentChange.objects.get(pupil=world.person("bob"))
    assert (change.granted, change.source, change.recorded_by_id) == (
        False, ConsentSource.GUARDIAN, world.person("beatrice").pk,
    )  # fmt: skip
    # The school records the paper answer it received: the photo is back at once.
    as_user("paul").post(f"/albums/droit-a-l-image/{world.person('bob').pk}", {"granted": "1"})
    assert ImageRightsConsent.objects.get(person=world.person("bob")).source == ConsentSource.SCHOOL
    assert marie.get(url).status_code == 200


def test_a_guardian_answers_for_their_own_children_only(world, as_user, album_6a):
    marie = as_user("marie")
    assert (
        marie.post(f"/albums/droit-a-l-image/{world.person('bob').pk}", {"granted": "0"}).status_code == 404
    )
    assert ImageRightsConsent.objects.get(person=world.person("bob")).granted is True
    assert as_user("tom").get(f"/albums/droit-a-l-image/{world.person('bob').pk}").status_code == 404
    assert as_user("bruno").get(f"/albums/droit-a-l-image/{world.person('bob').pk}").status_code == 404
    page = marie.get("/albums/droit-a-l-image/").content.decode()
    assert "Alice" in page and "Bob" not in page


def test_6a_families_see_6a_albums_not_5b(world, as_user):
    album_6a = make_album(world, group=world.class_6a, title="Album de 6A")
    album_5b = make_album(world, group=world.class_5b, title="Album de 5B")
    event = make_album(world, title="Fête de l'école")
    for name in ("marie", "alice"):
        page = as_user(name).get("/albums/").content.decode()
        assert "Album de 6A" in page and "Album de 5B" not in page and "Fête de l" in page
        assert as_user(name).get(f"/albums/{album_5b.pk}/").status_code == 404
    assert as_user("gino").get(f"/albums/{album_6a.pk}/").status_code == 404
    assert as_user("gino").get(f"/albums/{album_5b.pk}/").status_code == 200
    assert as_user("zack").get(f"/albums/{event.pk}/").status_code == 404


def test_an_album_of_last_year_stays_with_the_families_of_its_class(world, as_user):
    """Last year Alice was in CM2 at school A, with Carl; Bob arrived this year. The rollover keeps the
    enrolments (until a pupil's data is purged, rule C5): the album of their CM2 is still theirs."""
    import datetime as dt

    from cartable.directory.models import Enrolment, Group, SchoolYear

    last_year = SchoolYear.objects.create(
        name="2025-2026", start=dt.date(2025, 9, 1), end=dt.date(2026, 7, 4), is_current=False
    )
    cm2 = Group.objects.create(school=world.school_a, year=last_year, name="CM2", level="CM2")
    for name in ("alice", "carl"):
        Enrolment.objects.create(student=world.person(name), group=cm2)
    album = make_album(world, group=cm2, title="Classe verte de CM2")
    event = make_album(world, title="Kermesse de juin")
    Album.objects.filter(pk=event.pk).update(created_at=dt.datetime(2026, 6, 20, 10, tzinfo=dt.UTC))
    event_b = make_album(world, school=world.school_b, title="Kermesse de Lumière")
    Album.objects.filter(pk=event_b.pk).update(created_at=dt.datetime(2026, 6, 20, 10, tzinfo=dt.UTC))
    for name in ("alice", "marie", "marc", "carl", "gino"):
        client = as_user(name)
        assert client.get(f"/albums/{album.pk}/").status_code == 200, name
        assert "Classe verte de CM2" in client.get("/albums/").content.decode(), name
        assert seen_photos(world, name, album) == {"photo-0.jpg", "photo-1.jpg", "photo-2.jpg"}
    for name in ("bob", "beatrice", "zoe", "zack", "leo", "xavier", "bruno"):
        assert as_user(name).get(f"/albums/{album.pk}/").status_code == 404, name
    # The school's staff see it, as every album of their school.
    assert as_user("tess").get(f"/albums/{album.pk}/").status_code == 200
    # Last year's school event of school B: Zack's daughter was not there last year (no class there then).
    assert as_user("zack").get(f"/albums/{event_b.pk}/").status_code == 200  # she is there this year
    Enrolment.objects.filter(student=world.person("zoe")).delete()
    from cartable.directory import versions

    versions.bump_platform()
    assert as_user("zack").get(f"/albums/{event_b.pk}/").status_code == 404
    assert as_user("zack").get(f"/albums/{album.pk}/").status_code == 404


def test_the_adml_of_school_a_sees_nothing_of_b(world, as_user):
    album_b = make_album(world, group=world.class_6c, title="Album de 6C")
    photo = album_b.photos.earliest("pk")
    ada = as_user("ada")
    assert "Album de 6C" not in ada.get("/albums/").content.decode()
    for url in (f"/albums/{album_b.pk}/", f"/albums/{album_b.pk}/album.zip", f"/albums/photo/{photo.pk}/",
                f"/albums/photo/{photo.pk}/original"):  # fmt: skip
        assert ada.get(url).status_code == 404, url
    assert ada.post(f"/albums/{album_b.pk}/supprimer").status_code == 404
    assert ada.post(f"/albums/photo/{photo.pk}/supprimer").status_code == 404
    assert ada.post(f"/albums/droit-a-l-image/{world.person('zoe').pk}", {"granted": "1"}).status_code == 404
    assert Album.objects.filter(pk=album_b.pk).exists() and not ImageRightsConsent.objects.exists()
    assert as_user("bruno").get(f"/albums/{album_b.pk}/").status_code == 200


def test_forged_posts_are_refused(world, as_user, album_6a):
    photo = album_6a.photos.earliest("pk")
    upload = {"photos": SimpleUploadedFile("x.jpg", image_bytes())}
    for name in ("marie", "alice", "tess", "gino", "vera"):  # families, a teacher of another class, the CPE
        client = as_user(name)
        assert client.post(f"/albums/{album_6a.pk}/photos", upload).status_code == 404, name
        assert client.post(f"/albums/{album_6a.pk}/supprimer").status_code == 404, name
        assert (
            client.post(f"/albums/photo/{photo.pk}/eleves", {"pupils": [world.person("bob").pk]}).status_code
            == 404
        )
        assert client.post(f"/albums/photo/{photo.pk}/supprimer").status_code == 404, name
    assert album_6a.photos.count() == 3 and not photo.tags.exists()
    # Tom teaches 6A: he may not name a pupil of 5B on its photo, nor make an album of the school's events.
    with pytest.raises(Refused):
        actions.tag_photo(world.fresh_user("tom"), photo, [world.person("carl").pk])
    response = as_user("tom").post(f"/albums/photo/{photo.pk}/eleves", {"pupils": [world.person("carl").pk]})
    assert response.status_code == 302 and not photo.tags.exists()
    response = as_user("tom").post("/albums/nouveau", {"title": "x", "where": f"s{world.school_a.pk}"})
    assert response.status_code == 200 and not Album.objects.filter(title="x").exists()
    response = as_user("tom").post("/albums/nouveau", {"title": "x", "where": f"c{world.class_5b.pk}"})
    assert response.status_code == 200 and not Album.objects.filter(title="x").exists()


def test_the_class_teacher_makes_an_album_and_names_the_pupils(world, as_user):
    tom = as_user("tom")
    response = tom.post("/albums/nouveau", {"title": "Classe verte", "where": f"c{world.class_6a.pk}"})
    album = Album.objects.get(title="Classe verte")
    assert response.status_code == 302 and album.group == world.class_6a and album.school == world.school_a
    assert (
        as_user("paul")
        .post("/albums/nouveau", {"title": "Kermesse", "where": f"s{world.school_a.pk}"})
        .status_code
        == 302
    )
    make_album(world, group=world.class_6a, photos=1)
    photo = Photo.objects.filter(album__group=world.class_6a).earliest("pk")
    alice, bob = world.person("alice").pk, world.person("bob").pk
    assert (
        tom.post(
            f"/albums/photo/{photo.pk}/eleves", {"pupils": [alice, bob], "caption": "Au lac"}
        ).status_code
        == 302
    )
    assert set(photo.tags.values_list("pupil_id", flat=True)) == {alice, bob}
    assert "sans autorisation" in tom.get(f"/albums/photo/{photo.pk}/").content.decode()
    # Families do not see who is named.
    ImageRightsConsent.objects.bulk_create(
        [ImageRightsConsent(person_id=alice, granted=True), ImageRightsConsent(person_id=bob, granted=True)]
    )
    assert "Martin" not in as_user("beatrice").get(f"/albums/photo/{photo.pk}/").content.decode()


# --- Real images ----------------------------------------------------------------------------------------


def upload(name, size, fmt) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(size, fmt))


def test_real_jpeg_and_png_get_a_thumbnail_and_a_web_copy_in_the_background(
    world, as_user, django_capture_on_commit_callbacks, run_tasks
):
    album = Album.objects.create(school=world.school_a, group=world.class_6a, title="Vraies photos")
    files = [upload("grande.jpg", (4000, 3000), "JPEG"), upload("plan.png", (800, 600), "PNG")]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user("tom").post(f"/albums/{album.pk}/photos", {"photos": files})
    assert response.status_code == 302
    run_tasks()
    big, png = album.photos.order_by("name")
    for photo, longest in ((big, 1280), (png, 800)):
        photo.refresh_from_db()
        assert photo.original.size > 0 and photo.thumbnail and photo.web
        with photo.web.file.open("rb") as handle, Image.open(handle) as copy:
            assert max(copy.size) == longest
        with photo.thumbnail.file.open("rb") as handle, Image.open(handle) as copy:
            assert max(copy.size) == 320
    with big.original.file.open("rb") as handle, Image.open(handle) as original:
        assert original.size == (4000, 3000)  # the original is kept as sent
    # Quarantine first: no image in the page before the antivirus found them clean.
    assert "<img" not in as_user("marie").get(f"/albums/{album.pk}/").content.decode()
    mark_all_clean()
    assert as_user("marie").get(f"/albums/{album.pk}/").content.decode().count("<img") == 2


def test_a_huge_and_a_corrupt_image_are_refused_clearly_and_the_others_kept(world, as_user):
    album = Album.objects.create(school=world.school_a, group=world.class_6a, title="Mélange")
    good = upload("bonne.jpg", (640, 480), "JPEG")
    huge = upload("geante.png", (10_000, 8_000), "PNG")  # 80 megapixels: a small file, 240 MB decoded
    whole = image_bytes((640, 480))
    cut = SimpleUploadedFile("coupee.jpg", whole[: len(whole) // 3])
    response = as_user("tom").post(f"/albums/{album.pk}/photos", {"photos": [good, huge, cut]}, follow=True)
    body = response.content.decode()
    assert "est trop grande (10000 × 8000 pixels)" in body
    assert "« coupee.jpg » n’est pas une image lisible" in body
    assert list(album.photos.values_list("name", flat=True)) == ["bonne.jpg"]
    # Only bad files: the form says why and nothing is stored.
    response = as_user("tom").post(
        f"/albums/{album.pk}/photos", {"photos": [SimpleUploadedFile("faux.png", b"texte")]}
    )
    assert response.status_code == 200 and "n’est pas une image lisible" in response.content.decode()
    assert album.photos.count() == 1


def test_an_original_the_worker_cannot_read_is_kept_and_marked(world):
    album = make_album(world, group=world.class_6a, photos=0)
    from django.core.files.base import ContentFile

    from cartable.files import actions as files

    stored = files.store_upload(
        ContentFile(b"\xff\xd8abimee", name="x.jpg"), owner=None, school_id=world.school_a.pk
    )
    photo = Photo.objects.create(album=album, original=stored, name="x.jpg")
    assert actions.make_copies(photo.pk) is False
    photo.refresh_from_db()
    assert photo.unreadable and photo.thumbnail is None and StoredFile.objects.filter(pk=stored.pk).exists()


def test_the_album_page_says_why_a_photo_has_no_thumbnail(world, as_user):
    """Each photo links to its page; its thumbnail shows once it and the original are found clean."""
    album = make_album(world, group=world.class_6a, photos=5)
    shown, scanning, preparing, unreadable, infected = album.photos.order_by("pk")

    def copy_of(stored_id: int | None, status: str) -> StoredFile:
        """A file row of its own (the album's photos share theirs), in that status."""
        assert stored_id is not None
        copy = StoredFile.objects.get(pk=stored_id)
        copy.pk, copy.status = None, status
        copy.save()
        return copy

    Photo.objects.filter(pk=scanning.pk).update(
        thumbnail=copy_of(scanning.thumbnail_id, StoredFile.Status.PENDING)
    )
    Photo.objects.filter(pk__in=[preparing.pk, unreadable.pk, infected.pk]).update(thumbnail=None, web=None)
    Photo.objects.filter(pk=unreadable.pk).update(unreadable=True)
    Photo.objects.filter(pk=infected.pk).update(
        original=copy_of(shown.original_id, StoredFile.Status.INFECTED)
    )
    page = as_user("tom").get(f"/albums/{album.pk}/").content.decode()
    for photo in (shown, scanning, preparing, unreadable, infected):
        assert f'href="/albums/photo/{photo.pk}/"' in page
    assert f'<img src="/albums/photo/{shown.pk}/vignette"' in page and page.count("<img") == 1
    assert f"{scanning.name} (en cours d'analyse)" in page
    assert f"{preparing.name} (en préparation)" in page
    assert f"{unreadable.name} (illisible)" in page
    assert "Retirée : virus trouvé" in page


# --- ZIP, query counts, purge ----------------------------------------------------------------------------


def zip_names(client, album) -> list[str]:
    response = client.get(f"/albums/{album.pk}/album.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return sorted(
        name.split("-", 1)[1]
        for name in zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    )


def test_the_zip_holds_only_the_photos_the_requester_may_see(world, as_user, album_6a):
    assert zip_names(as_user("marie"), album_6a) == ["photo-0.jpg", "photo-1.jpg"]
    assert zip_names(as_user("tom"), album_6a) == ["photo-0.jpg", "photo-1.jpg", "photo-2.jpg"]
    assert as_user("gino").get(f"/albums/{album_6a.pk}/album.zip").status_code == 404


def count(client, url) -> int:
    """The page's queries, the session's left out (one with database sessions, none with the cache's)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len([q for q in queries if "django_session" not in q["sql"]])


def grow(album, world, n):
    """n more photos, half of them naming Alice (no consent)."""
    first = album.photos.earliest("pk")
    photos = Photo.objects.bulk_create(
        Photo(album=album, original_id=first.original_id, thumbnail_id=first.thumbnail_id,
              web_id=first.web_id, name=f"plus-{i}.jpg") for i in range(n)
    )  # fmt: skip
    PhotoTag.objects.bulk_create(PhotoTag(photo=p, pupil=world.person("alice")) for p in photos[::2])


# The user, the album, the photos with their files and consents (one query); for staff, also the
# second-factor device and whether they manage the album.
@pytest.mark.parametrize(("name", "queries"), [("marie", 3), ("tom", 5)])
def test_the_album_page_costs_the_same_queries_for_200_photos(world, as_user, album_6a, name, queries):
    client = as_user(name)
    url = f"/albums/{album_6a.pk}/"
    client.get(url)
    before = count(client, url)
    assert before == queries
    grow(album_6a, world, 197)
    assert count(client, url) == before
    body = client.get(url).content.decode()
    assert body.count("<img") == (200 if name == "tom" else 2 + 98)


def test_a_purged_pupil_takes_the_photos_showing_them_away(
    world, album_6a, django_capture_on_commit_callbacks
):
    from cartable.albums import lifecycle

    alice = world.person("alice")
    actions.set_image_rights(world.fresh_user("marie"), alice, True)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.forget(Forgetting(person_ids=[alice.pk], user_ids=[]))
    assert set(album_6a.photos.values_list("name", flat=True)) == {"photo-0.jpg", "photo-1.jpg"}
    assert not ConsentChange.objects.filter(pupil=alice).exists()


def test_mes_donnees_shows_each_childs_answer_and_the_console_records_the_schools(world, as_user, album_6a):
    page = as_user("marie").get("/me").content.decode()
    assert "Droit à l’image" in page and f"/albums/droit-a-l-image/{world.person('alice').pk}" in page
    assert "refusé" in page
    assert "Droit à l’image" in as_user("alice").get("/me").content.decode()
    assert "Droit à l’image" not in as_user("tom").get("/me").content.decode()
    console = as_user("ada").get(f"/admin-ecole/{world.school_a.uai}/personnes/{world.person('alice').pk}")
    assert f"/albums/droit-a-l-image/{world.person('alice').pk}" in console.content.decode()


def test_the_console_shows_the_image_rights_through_the_registry_only(world, as_user, album_6a, monkeypatch):
    """The console sits below the albums (tests/test_import_layers.py): its person page names no album
    route; the albums add the line through cartable.portal.registry."""
    from pathlib import Path

    import cartable.console
    from cartable.portal.registry import registry

    templates = Path(cartable.console.__file__).parent / "templates"
    for template in templates.rglob("*.html"):
        assert "albums" not in template.read_text() and "image_rights" not in template.read_text(), template
    alice_page = f"/admin-ecole/{world.school_a.uai}/personnes/{world.person('alice').pk}"
    tom_page = f"/admin-ecole/{world.school_a.uai}/personnes/{world.person('tom').pk}"
    body = as_user("ada").get(alice_page).content.decode()
    assert "Droit à l’image" in body and "refusé" in body and "/albums/droit-a-l-image/" in body
    assert "Droit à l’image" not in as_user("ada").get(tom_page).content.decode()  # no class: no answer
    monkeypatch.setattr(registry, "console_person_facts", {})
    body = as_user("ada").get(alice_page).content.decode()
    assert "Droit à l’image" not in body and "/albums/" not in body
