"""The news: who reads what (audience by school, profile and class), who publishes, dates with a frozen
clock, the home widget, images checked with Pillow, the public page, the nightly purge."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from cartable.lib.errors import Refused
from cartable.news import access, actions, lifecycle
from cartable.news.models import Audience, News, PublicPage

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def publish(world, by="paul", **fields) -> News:
    school = world.school_b if by in ("bruno",) else world.school_a
    data = actions.NewsInput(school_id=school.pk, title=fields.pop("title", "Nouvelle"), **fields)
    return actions.publish_news(world.fresh_user(by), data)


def readers(world, news: News) -> set[str]:
    return {
        name for name in world.users if access.news_for(world.fresh_user(name)).filter(pk=news.pk).exists()
    }


def image_upload(name="photo.jpg", size=(1600, 1200), fmt="JPEG") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue())


# --- Who reads ---------------------------------------------------------------------------------------

PUBLISHERS_A = {"paul", "vera", "ada"}


def test_news_to_the_school_reaches_its_members_only(world):
    news = publish(world)
    assert readers(world, news) == {
        "alice", "bob", "carl", "marie", "marc", "beatrice", "gino", "tom", "tess", "vera", "paul", "ada",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("for_relatives", {"marie", "marc", "beatrice", "gino"}),
        ("for_pupils", {"alice", "bob", "carl"}),
        ("for_staff", {"tom", "tess", "vera", "paul", "ada"}),
    ],
)
def test_news_to_a_profile(world, flag, expected):
    news = publish(world, audience=Audience.PROFILES, **{flag: True})
    assert readers(world, news) == expected | PUBLISHERS_A


def test_news_to_a_class_reaches_its_pupils_their_guardians_and_teachers(world):
    news = publish(world, audience=Audience.CLASSES, class_ids=[world.class_5b.pk])
    assert readers(world, news) == {"carl", "gino", "tess"} | PUBLISHERS_A
    news_6a = publish(world, audience=Audience.CLASSES, class_ids=[world.class_6a.pk])
    assert readers(world, news_6a) == {"alice", "bob", "marie", "marc", "beatrice", "tom"} | PUBLISHERS_A


def test_a_guardian_without_membership_reads_the_news_of_their_childs_school(
    world, as_user, django_capture_on_commit_callbacks, run_tasks
):
    """Marie's son Léo is in school B; a feed listed him and not her: no membership of hers there."""
    from cartable.directory import versions as directory_versions
    from cartable.directory.models import Membership

    Membership.objects.filter(person=world.person("marie"), school=world.school_b).delete()
    directory_versions.bump_platform()
    with django_capture_on_commit_callbacks(execute=True):
        to_school = publish(world, by="bruno", title="Fête de Lumière")
        to_parents = publish(world, by="bruno", title="Élections des parents", audience=Audience.PROFILES,
                             for_relatives=True)  # fmt: skip
        to_6c = publish(world, by="bruno", title="Sortie des 6C", audience=Audience.CLASSES,
                        class_ids=[world.class_6c.pk])  # fmt: skip
    run_tasks()
    for news in (to_school, to_parents, to_6c):
        assert "marie" in readers(world, news) and "marc" not in readers(world, news)
        assert "marie" in told_names(world, news) and "marc" not in told_names(world, news)
    marie = as_user("marie")
    home = marie.get("/").content.decode()
    assert "Fête de Lumière" in home and "Élections des parents" in home and "Sortie des 6C" in home
    assert marie.get(f"/actualites/{to_parents.pk}/").status_code == 200
    assert as_user("marc").get(f"/actualites/{to_parents.pk}/").status_code == 404


def test_only_the_schools_publishers_publish(world):
    for name in ("tom", "tess", "alice", "marie", "bruno", "xavier"):
        with pytest.raises(Refused):
            actions.publish_news(
                world.fresh_user(name), actions.NewsInput(school_id=world.school_a.pk, title="x")
            )
    assert not News.objects.exists()


def test_adml_of_a_sees_nothing_of_b_and_cannot_touch_it(world, as_user):
    news_b = publish(world, by="bruno", title="Sortie à Lyon")
    ada = as_user("ada")
    assert ada.get(f"/actualites/{news_b.pk}/").status_code == 404
    assert ada.get(f"/actualites/{news_b.pk}/modifier").status_code == 404
    assert ada.post(f"/actualites/{news_b.pk}/supprimer").status_code == 404
    # A forged form naming school B: not a school she may choose.
    response = ada.post(
        "/actualites/nouvelle", {"school": world.school_b.pk, "title": "Piège", "audience": "school"}
    )
    assert response.status_code == 200 and not News.objects.filter(title="Piège").exists()
    assert "Sortie à Lyon" not in ada.get("/actualites/").content.decode()
    assert News.objects.filter(pk=news_b.pk).exists()


def test_forged_posts_of_non_publishers_are_refused(world, as_user):
    news = publish(world)
    for name in ("tom", "marie", "alice"):
        client = as_user(name)
        assert (
            client.post("/actualites/nouvelle", {"school": world.school_a.pk, "title": "x"}).status_code
            == 404
        )
        assert client.post(f"/actualites/{news.pk}/modifier", {"title": "x"}).status_code == 404
        assert client.post(f"/actualites/{news.pk}/supprimer").status_code == 404
    assert News.objects.get(pk=news.pk).title == "Nouvelle"
    assert News.objects.count() == 1


def test_a_publisher_publishes_to_classes_through_the_form(world, as_user):
    response = as_user("vera").post(
        "/actualites/nouvelle",
        {"school": world.school_a.pk, "title": "Photo de classe", "body": "Lundi", "audience": "classes",
         "classes": [world.class_6a.pk]},
    )  # fmt: skip
    news = News.objects.get(title="Photo de classe")
    assert response.status_code == 302
    assert list(news.classes.all()) == [world.class_6a]
    assert news.author == world.person("vera")


def test_a_news_to_no_profile_or_a_public_news_to_a_class_is_refused_and_the_form_kept(world, as_user):
    vera = as_user("vera")
    response = vera.post(
        "/actualites/nouvelle", {"school": world.school_a.pk, "title": "Gardée", "audience": "profiles"}
    )
    assert response.status_code == 200 and "Choisissez au moins un profil" in response.content.decode()
    assert 'value="Gardée"' in response.content.decode()
    response = vera.post(
        "/actualites/nouvelle",
        {"school": world.school_a.pk, "title": "Gardée", "audience": "classes",
         "classes": [world.class_6a.pk], "public": "on"},
    )  # fmt: skip
    assert "Seule une actualité adressée à tout l’établissement" in response.content.decode()
    assert not News.objects.exists()


# --- Dates, with a frozen clock ------------------------------------------------------------------------


def test_publication_and_expiry_dates(world, as_user):
    with time_machine.travel(NOW, tick=False):
        news = publish(world, title="Réunion", publish_at=NOW + dt.timedelta(days=1),
                       expire_at=NOW + dt.timedelta(days=3))  # fmt: skip
        alice = as_user("alice")
        assert "Réunion" not in alice.get("/").content.decode()
        assert alice.get(f"/actualites/{news.pk}/").status_code == 404
        # The publisher sees it among the news prepared ahead.
        assert "Réunion" in as_user("paul").get("/actualites/").content.decode()
    with time_machine.travel(NOW + dt.timedelta(days=1, minutes=1), tick=False):
        alice = as_user("alice")  # a day later: a new session
        assert "Réunion" in alice.get("/").content.decode()  # the cached widget renews itself
        assert alice.get(f"/actualites/{news.pk}/").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(days=3, minutes=1), tick=False):
        alice = as_user("alice")
        assert "Réunion" not in alice.get("/").content.decode()
        assert alice.get(f"/actualites/{news.pk}/").status_code == 404


def test_expiry_before_publication_is_refused(world):
    with pytest.raises(Refused):
        publish(world, publish_at=NOW, expire_at=NOW - dt.timedelta(hours=1))


def test_the_nightly_work_deletes_long_withdrawn_news(world):
    with time_machine.travel(NOW, tick=False):
        old = publish(world, title="Ancienne", publish_at=NOW - dt.timedelta(days=500),
                      expire_at=NOW - dt.timedelta(days=400))  # fmt: skip
        recent = publish(world, title="Récente", publish_at=NOW - dt.timedelta(days=20),
                         expire_at=NOW - dt.timedelta(days=10))  # fmt: skip
        assert lifecycle.nightly(timezone.now()) == {
            "actualités retirées supprimées": 1,
            "actualités annoncées en retard": 0,
        }
    assert not News.objects.filter(pk=old.pk).exists() and News.objects.filter(pk=recent.pk).exists()


# --- Telling the audience of a publication ------------------------------------------------------------


def test_a_publication_is_told_to_its_audience_only(
    world, as_user, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        to_5b = publish(
            world, title="Sortie au musée", audience=Audience.CLASSES, class_ids=[world.class_5b.pk]
        )
        to_parents = publish(world, title="Réunion", audience=Audience.PROFILES, for_relatives=True)
        to_school = publish(world, title="Kermesse", by="vera")
    run_tasks()
    assert told_names(world, to_5b) == {"carl", "gino", "tess"}
    assert told_names(world, to_parents) == {"marie", "marc", "beatrice", "gino"}
    # The whole school: every member but its author; nobody of school B, nor the platform admin.
    assert told_names(world, to_school) == {
        "alice", "bob", "carl", "marie", "marc", "beatrice", "gino", "tom", "tess", "paul", "ada",
    }  # fmt: skip
    # Told once: an edit does not tell again.
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_news(
            world.fresh_user("paul"), to_parents,
            actions.NewsInput(school_id=world.school_a.pk, title="Réunion (salle 3)",
                              audience=Audience.PROFILES, for_relatives=True),
        )  # fmt: skip
    run_tasks()
    assert told_count(to_parents) == 4
    # The timeline line, in the reader's words.
    gino = as_user("gino").get("/notifications/").content.decode()
    assert "Nouvelle actualité de Collège Jean Moulin : « Sortie au musée »" in gino


def test_a_news_item_for_later_is_told_at_its_publication_date(
    world, django_capture_on_commit_callbacks, run_tasks
):
    with time_machine.travel(NOW, tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            later = publish(world, title="Portes ouvertes", audience=Audience.CLASSES,
                            class_ids=[world.class_6a.pk], publish_at=NOW + dt.timedelta(days=2))  # fmt: skip
        run_tasks()
        assert told_names(world, later) == set()
    with time_machine.travel(NOW + dt.timedelta(days=2, minutes=5), tick=True):
        run_tasks()
    assert told_names(world, later) == {"alice", "bob", "marie", "marc", "beatrice", "tom"}


def test_the_nightly_work_tells_what_a_stopped_worker_missed(world):
    with time_machine.travel(NOW, tick=False):
        missed = publish(world, title="Cantine", audience=Audience.CLASSES, class_ids=[world.class_5b.pk],
                         publish_at=NOW - dt.timedelta(hours=3))  # fmt: skip
        later = publish(world, title="Plus tard", publish_at=NOW + dt.timedelta(days=1))
        assert lifecycle.nightly(timezone.now())["actualités annoncées en retard"] == 1
        assert lifecycle.nightly(timezone.now())["actualités annoncées en retard"] == 0
    assert told_names(world, missed) == {"carl", "gino", "tess"}
    assert told_names(world, later) == set()


def told_names(world, news: News) -> set[str]:
    from cartable.notifications.models import Notification

    ids = set(
        Notification.objects.filter(
            event__kind="news.published", event__url=f"/actualites/{news.pk}/"
        ).values_list("recipient_id", flat=True)
    )
    return {name for name, person in world.people.items() if person.pk in ids}


def told_count(news: News) -> int:
    from cartable.notifications.models import Notification

    return Notification.objects.filter(
        event__kind="news.published", event__url=f"/actualites/{news.pk}/"
    ).count()


# --- Home widget and list ------------------------------------------------------------------------------


def test_home_shows_my_news_and_my_childrens(world, as_user):
    publish(world, title="Pour les 6A", audience=Audience.CLASSES, class_ids=[world.class_6a.pk], pinned=True)
    publish(world, title="Pour les 5B", audience=Audience.CLASSES, class_ids=[world.class_5b.pk])
    publish(world, title="Pour les personnels", audience=Audience.PROFILES, for_staff=True)
    body = as_user("marie").get("/").content.decode()
    assert "Pour les 6A" in body and "Pour les 5B" not in body and "Pour les personnels" not in body
    body = as_user("tess").get("/").content.decode()
    assert "Pour les 5B" in body and "Pour les personnels" in body and "Pour les 6A" not in body


def test_the_widget_costs_no_query_once_cached(world, as_user, django_assert_max_num_queries):
    publish(world, title="Kermesse")
    marie = as_user("marie")
    marie.get("/")
    # The session and the user, as the portal's own pinned count: the news come from the cache.
    with django_assert_max_num_queries(2):
        assert "Kermesse" in marie.get("/").content.decode()


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_news_list_query_count_is_pinned(world, as_user, django_assert_max_num_queries):
    publish(world, title="Première", audience=Audience.CLASSES, class_ids=[world.class_6a.pk])
    paul = as_user("paul")
    paul.get("/actualites/")
    # Session (with database sessions), user, the second-factor device, the count, the news, their files and
    # classes, the publisher's waiting list.
    with django_assert_max_num_queries(8):
        paul.get("/actualites/")
    before = count(paul, "/actualites/")
    for n in range(6):
        publish(
            world,
            title=f"Autre {n}",
            audience=Audience.CLASSES,
            class_ids=[world.class_6a.pk, world.class_5b.pk],
        )
    publish(world, title="Plus tard", publish_at=timezone.now() + dt.timedelta(days=2))
    assert count(paul, "/actualites/") == before
    marie = as_user("marie")
    marie.get("/actualites/")
    with django_assert_max_num_queries(6):
        marie.get("/actualites/")


# --- Images --------------------------------------------------------------------------------------------


def post_news(client, world, **files):
    data = {"school": world.school_a.pk, "title": "Avec image", "audience": "school", "image_alt": "Le préau"}
    return client.post("/actualites/nouvelle", {**data, **files})


def test_a_real_jpeg_is_stored_in_quarantine_and_copied_at_web_size(
    world, as_user, django_capture_on_commit_callbacks, run_tasks
):
    from cartable.files.tests.helpers import mark_all_clean

    with django_capture_on_commit_callbacks(execute=True):
        response = post_news(as_user("paul"), world, image=image_upload(size=(3000, 2000)))
    assert response.status_code == 302
    news = News.objects.get(title="Avec image")
    assert news.image is not None and news.image.content_type == "image/jpeg" and news.image.is_pending
    run_tasks()
    news.refresh_from_db()
    assert news.image_web is not None
    with news.image_web.file.open("rb") as handle, Image.open(handle) as copy:
        assert max(copy.size) == 1280
    alice = as_user("alice")
    # Not shown inline before the antivirus found it clean.
    assert "<img" not in alice.get(f"/actualites/{news.pk}/").content.decode()
    assert alice.get(f"/actualites/{news.pk}/image").status_code == 409
    mark_all_clean()
    assert 'alt="Le préau"' in alice.get(f"/actualites/{news.pk}/").content.decode()
    served = alice.get(f"/actualites/{news.pk}/image")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert as_user("zoe").get(f"/actualites/{news.pk}/image").status_code == 404


def test_a_png_is_accepted(world, as_user):
    assert (
        post_news(as_user("paul"), world, image=image_upload("plan.png", (400, 300), "PNG")).status_code
        == 302
    )


def test_a_huge_image_is_refused_clearly_and_nothing_is_lost(world, as_user):
    # 10,000 × 8,000 pixels: a small file (one colour) that would decode to 240 MB.
    huge = image_upload("geante.png", (10_000, 8_000), "PNG")
    response = post_news(as_user("paul"), world, image=huge)
    body = response.content.decode()
    assert response.status_code == 200
    assert "est trop grande (10000 × 8000 pixels)" in body
    assert 'value="Avec image"' in body  # what was typed is kept
    assert not News.objects.exists()


def test_a_decompression_bomb_is_refused(world, as_user, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow's own guard, lowered for a small file
    response = post_news(as_user("paul"), world, image=image_upload("bombe.png", (100, 100), "PNG"))
    assert "bien trop grande en pixels" in response.content.decode()
    assert not News.objects.exists()


def test_a_corrupt_image_is_refused_clearly(world, as_user):
    whole = image_upload().read()
    for broken in (
        SimpleUploadedFile("coupee.jpg", whole[: len(whole) // 3]),
        SimpleUploadedFile("faux.png", b"Ceci n'est pas une image"),
    ):
        response = post_news(as_user("paul"), world, image=broken)
        assert "n’est pas une image lisible" in response.content.decode()
    assert not News.objects.exists()


def test_an_image_needs_a_description(world, as_user):
    response = as_user("paul").post(
        "/actualites/nouvelle",
        {"school": world.school_a.pk, "title": "Sans texte", "audience": "school", "image": image_upload()},
    )
    assert "Décrivez l’image" in response.content.decode()
    assert not News.objects.exists()


# --- The public page -----------------------------------------------------------------------------------


def test_the_public_page_is_off_by_default_and_opened_by_the_adml(world, client, as_user):
    publish(world, title="Portes ouvertes", public=True)
    publish(world, title="Interne")
    url = f"/actualites/etablissement/{world.school_a.uai}/"
    assert client.get(url).status_code == 404
    settings_url = f"/actualites/etablissement/{world.school_a.uai}/reglage"
    assert as_user("paul").post(settings_url, {"enabled": "on"}).status_code == 404
    assert as_user("bruno").post(settings_url, {"enabled": "on"}).status_code == 404
    assert not PublicPage.objects.filter(enabled=True).exists()
    assert as_user("ada").post(settings_url, {"enabled": "on"}).status_code == 302
    body = client.get(url).content.decode()
    assert "Portes ouvertes" in body and "Interne" not in body and "Fournier" not in body
    assert client.get(f"/actualites/etablissement/{world.school_b.uai}/").status_code == 404


def test_a_replaced_image_and_a_deleted_news_item_let_their_files_go(
    world, django_capture_on_commit_callbacks
):
    from cartable.files.models import StoredFile

    with django_capture_on_commit_callbacks(execute=True):
        news = publish(world, image=image_upload(), image_alt="Le préau", files=[image_upload("plan.jpg")])
    first = news.image_id
    assert first is not None
    assert StoredFile.objects.count() == 2
    data = actions.NewsInput(
        school_id=world.school_a.pk, title="Nouvelle", image=image_upload("autre.jpg"), image_alt="La cour"
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_news(world.fresh_user("vera"), news, data)
    news.refresh_from_db()
    # The attachment was kept (not removed), the first image went.
    assert not StoredFile.objects.filter(pk=first).exists()
    assert StoredFile.objects.count() == 2 and news.attachments.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_news(world.fresh_user("paul"), news)
    assert not StoredFile.objects.exists()
