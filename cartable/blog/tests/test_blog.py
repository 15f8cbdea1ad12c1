"""The class blog: who reads which class's blog, who posts, moderation of pupils' posts and of comments,
sanitized text, images checked with Pillow and copied at web size, the pinned query count of the page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from PIL import Image

from cartable.blog import actions
from cartable.blog.models import Blog, Comment, Post, Status
from cartable.lib.errors import Refused
from cartable.notifications.models import Notification


def upload(name="photo.jpg", size=(2000, 1500), fmt="JPEG") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 160, 90)).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue())


def blog_url(group) -> str:
    return f"/blog/classe/{group.pk}/"


def open_blog(world, group=None, **settings) -> Blog:
    group = group or world.class_6a
    return Blog.objects.create(school=group.school, group=group, **settings)


def post_of(world, by="tom", group=None, title="Notre sortie", **fields) -> Post:
    group = group or world.class_6a
    return actions.write_post(world.fresh_user(by), group, actions.PostInput(title=title, **fields))


# --- Who reads ---------------------------------------------------------------------------------------


def test_6a_families_see_6a_blog_and_not_5b(world, as_user):
    post_of(world, title="Billet de 6A")
    post_of(world, by="tess", group=world.class_5b, title="Billet de 5B")
    for name in ("alice", "marie", "marc", "beatrice", "bob"):
        client = as_user(name)
        assert "Billet de 6A" in client.get(blog_url(world.class_6a)).content.decode()
        assert client.get(blog_url(world.class_5b)).status_code == 404
    assert as_user("gino").get(blog_url(world.class_6a)).status_code == 404
    assert "Billet de 5B" in as_user("gino").get(blog_url(world.class_5b)).content.decode()


def test_the_schools_staff_read_and_nobody_from_school_b(world, as_user):
    post_of(world)
    for name in ("tess", "vera", "ada", "paul"):
        assert as_user(name).get(blog_url(world.class_6a)).status_code == 200
    for name in ("xavier", "bruno", "zack", "zoe"):
        assert as_user(name).get(blog_url(world.class_6a)).status_code == 404
    # The ADML of school A reads nothing in school B.
    assert as_user("ada").get(blog_url(world.class_6c)).status_code == 404


def test_teachers_of_the_class_and_the_direction_post_others_do_not(world, as_user):
    post_of(world, by="tom", title="De Tom")
    post_of(world, by="paul", title="De Paul")
    assert Post.objects.filter(status=Status.PUBLISHED).count() == 2
    for name in ("tess", "vera", "ada", "marie"):
        with pytest.raises(Refused):
            post_of(world, by=name)
        response = as_user(name).post(f"/blog/classe/{world.class_6a.pk}/nouveau", {"title": "Forgé"})
        assert response.status_code == 404
    assert not Post.objects.filter(title="Forgé").exists()


# --- Pupils' posts --------------------------------------------------------------------------------------


def test_a_pupil_cannot_publish_unless_the_teacher_allows(world, as_user):
    alice = as_user("alice")
    assert alice.post(f"/blog/classe/{world.class_6a.pk}/nouveau", {"title": "Mon billet"}).status_code == 404
    with pytest.raises(Refused):
        post_of(world, by="alice")
    assert not Post.objects.exists()
    # Tess teaches 5B, not 6A: she cannot open 6A's blog to pupils.
    assert (
        as_user("tess")
        .post(f"/blog/classe/{world.class_6a.pk}/reglages", {"pupils_may_post": "on"})
        .status_code
        == 404
    )
    assert (
        as_user("tom")
        .post(f"/blog/classe/{world.class_6a.pk}/reglages", {"pupils_may_post": "on"})
        .status_code
        == 302
    )
    assert alice.post(f"/blog/classe/{world.class_6a.pk}/nouveau", {"title": "Mon billet"}).status_code == 302
    post = Post.objects.get(title="Mon billet")
    assert post.status == Status.PENDING
    # Told to the class's teacher.
    assert Notification.objects.filter(recipient=world.person("tom"), event__kind="blog.to_moderate").exists()
    # Waiting: seen by its author and the moderators only.
    assert "Mon billet" in alice.get(blog_url(world.class_6a)).content.decode()
    assert "Mon billet" in as_user("tom").get(blog_url(world.class_6a)).content.decode()
    for name in ("bob", "marie", "tess"):
        assert "Mon billet" not in as_user(name).get(blog_url(world.class_6a)).content.decode()
    # Bob cannot accept it; Tom does.
    assert as_user("bob").post(f"/blog/billet/{post.pk}/moderer", {"decision": "accepter"}).status_code == 404
    assert as_user("tom").post(f"/blog/billet/{post.pk}/moderer", {"decision": "accepter"}).status_code == 302
    assert "Mon billet" in as_user("bob").get(blog_url(world.class_6a)).content.decode()
    # Published: its pupil author no longer edits it.
    assert alice.get(f"/blog/billet/{post.pk}/modifier").status_code == 404


def test_a_refused_post_is_deleted(world, as_user):
    open_blog(world, pupils_may_post=True)
    post = post_of(world, by="bob", title="À refuser")
    assert as_user("paul").post(f"/blog/billet/{post.pk}/moderer", {"decision": "refuser"}).status_code == 302
    assert not Post.objects.exists()


def test_the_text_is_sanitized(world, as_user):
    post = post_of(
        world, body='<p onclick="x()">Bonjour <script>alert(1)</script><strong>la classe</strong></p>'
    )
    assert (
        "script" not in post.body and "onclick" not in post.body and "<strong>la classe</strong>" in post.body
    )
    assert "<script>alert" not in as_user("alice").get(blog_url(world.class_6a)).content.decode()


# --- Comments -------------------------------------------------------------------------------------------


def test_comments_are_closed_unless_the_teacher_opens_them(world, as_user):
    post = post_of(world)
    assert as_user("marie").post(f"/blog/billet/{post.pk}/commenter", {"body": "Bravo"}).status_code == 404
    assert not Comment.objects.exists()


def test_an_unmoderated_comment_is_seen_by_its_author_and_the_moderators_only(world, as_user):
    open_blog(world, comments_open=True)
    post = post_of(world)
    marie = as_user("marie")
    assert marie.post(f"/blog/billet/{post.pk}/commenter", {"body": "Quelle belle sortie"}).status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    assert "Quelle belle sortie" in marie.get(blog_url(world.class_6a)).content.decode()
    assert "Quelle belle sortie" in as_user("tom").get(blog_url(world.class_6a)).content.decode()
    assert "Quelle belle sortie" in as_user("paul").get(blog_url(world.class_6a)).content.decode()
    for name in ("marc", "alice", "bob", "beatrice", "tess", "vera"):
        assert "Quelle belle sortie" not in as_user(name).get(blog_url(world.class_6a)).content.decode(), name
    # Not a moderator: 404; a 5B parent cannot comment on 6A.
    assert marie.post(f"/blog/commentaire/{comment.pk}/moderer", {"decision": "accepter"}).status_code == 404
    assert as_user("gino").post(f"/blog/billet/{post.pk}/commenter", {"body": "Moi"}).status_code == 404
    assert (
        as_user("tom").post(f"/blog/commentaire/{comment.pk}/moderer", {"decision": "accepter"}).status_code
        == 302
    )
    assert "Quelle belle sortie" in as_user("marc").get(blog_url(world.class_6a)).content.decode()


def test_a_comment_on_a_post_waiting_for_validation_is_refused(world):
    open_blog(world, comments_open=True, pupils_may_post=True)
    post = post_of(world, by="alice")
    with pytest.raises(Http404):  # not even readable by Marie yet
        actions.add_comment(world.fresh_user("marie"), post, "Bravo")
    with pytest.raises(Refused):
        actions.add_comment(world.fresh_user("alice"), post, "Bravo")


# --- Images ---------------------------------------------------------------------------------------------


def test_real_jpeg_and_png_images_are_stored_and_copied_at_web_size(
    world, as_user, django_capture_on_commit_callbacks, run_tasks
):
    from cartable.files.tests.helpers import mark_all_clean

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user("tom").post(
            f"/blog/classe/{world.class_6a.pk}/nouveau",
            {"title": "Photos", "image_alt": "La classe au musée",
             "images": [upload(), upload("dessin.png", (300, 200), "PNG")]},
        )  # fmt: skip
    assert response.status_code == 302
    run_tasks()
    post = Post.objects.get()
    files = list(post.files.select_related("web"))
    assert all(f.is_image and f.web is not None for f in files)
    sizes = []
    for f in files:
        assert f.web is not None
        with f.web.file.open("rb") as handle, Image.open(handle) as copy:
            sizes.append(copy.size)
    assert sorted(sizes) == [(300, 200), (1280, 960)]
    alice = as_user("alice")
    assert "<img" not in alice.get(blog_url(world.class_6a)).content.decode()  # not scanned yet
    mark_all_clean()
    assert 'alt="La classe au musée"' in alice.get(blog_url(world.class_6a)).content.decode()
    served = alice.get(f"/blog/image/{files[0].pk}")
    assert served.status_code == 200 and served["Content-Type"] in ("image/jpeg", "image/png")
    assert as_user("gino").get(f"/blog/image/{files[0].pk}").status_code == 404


def test_a_corrupt_or_huge_image_is_refused_clearly_and_nothing_is_lost(world, as_user):
    whole = upload().read()
    tom = as_user("tom")
    for broken, message in (
        (SimpleUploadedFile("coupee.jpg", whole[: len(whole) // 2]), "n’est pas une image lisible"),
        (upload("immense.png", (9_000, 9_000), "PNG"), "est trop grande (9000 × 9000 pixels)"),
    ):
        response = tom.post(
            f"/blog/classe/{world.class_6a.pk}/nouveau",
            {"title": "Gardé", "body": "Mon texte", "image_alt": "x", "images": [broken]},
        )
        body = response.content.decode()
        assert response.status_code == 200 and message in body
        assert 'value="Gardé"' in body and "Mon texte" in body
    assert not Post.objects.exists()


# --- Query count ----------------------------------------------------------------------------------------


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_blog_page_query_count_is_pinned_and_does_not_grow(world, as_user, django_assert_max_num_queries):
    open_blog(world, comments_open=True, pupils_may_post=True)
    post = post_of(world)
    actions.add_comment(world.fresh_user("marie"), post, "Bravo")
    marie = as_user("marie")
    marie.get(blog_url(world.class_6a))
    # Session, user, class, settings, the children's classes, the count, posts, files, comments.
    with django_assert_max_num_queries(9):
        marie.get(blog_url(world.class_6a))
    before = count(marie, blog_url(world.class_6a))
    for n in range(5):
        more = post_of(world, title=f"Billet {n}", images=[upload(size=(20, 20))], image_alt="x")
        actions.add_comment(world.fresh_user("marc"), more, "Super")
        actions.add_comment(world.fresh_user("tom"), more, "Merci")
    post_of(world, by="alice", title="En attente")
    assert count(marie, blog_url(world.class_6a)) == before, before
    tom = as_user("tom")
    tom.get(blog_url(world.class_6a))
    # As for Marie, with the second-factor device of a member of staff instead of the children's classes.
    with django_assert_max_num_queries(9):
        tom.get(blog_url(world.class_6a))


# --- Home widget --------------------------------------------------------------------------------------


def test_home_shows_the_latest_posts_of_my_classes_and_my_childrens(world, as_user):
    post_of(world, title="Billet de 6A")
    post_of(world, by="tess", group=world.class_5b, title="Billet de 5B")
    post_of(world, by="xavier", group=world.class_6c, title="Billet de 6C")
    open_blog(world, pupils_may_post=True)
    post_of(world, by="alice", title="Billet en attente")
    seen = {
        name: as_user(name).get("/").content.decode()
        for name in ("alice", "marie", "marc", "tom", "gino", "tess", "zack", "vera")
    }
    for name in ("alice", "marie", "marc", "tom"):
        assert "Billet de 6A" in seen[name] and "Billet de 5B" not in seen[name], name
    for name in ("gino", "tess"):
        assert "Billet de 5B" in seen[name] and "Billet de 6A" not in seen[name], name
    assert "Billet de 6C" in seen["zack"] and "Billet de 6A" not in seen["zack"]
    assert all("Billet de 6C" not in seen[name] for name in ("marie", "marc", "alice", "tom"))
    # The home page follows one child at a time: Léo's class when Marie picks Léo.
    for_leo = as_user("marie").get(f"/?enfant={world.person('leo').pk}").content.decode()
    assert "Billet de 6C" in for_leo and "Billet de 6A" not in for_leo
    # A post waiting for validation is in nobody's widget, not even its author's or the teacher's.
    assert all("Billet en attente" not in body for body in seen.values())
    # Vie scolaire reads every class's blog but teaches none: no widget.
    assert 'id="widget-blog-title"' not in seen["vera"]


def test_the_blog_widget_costs_no_query_once_cached(world, as_user, django_assert_max_num_queries):
    post_of(world, title="Premier billet")
    marie = as_user("marie")
    marie.get("/")
    # The session and the user, as the portal's own pinned count: the posts come from the cache.
    with django_assert_max_num_queries(2):
        assert "Premier billet" in marie.get("/").content.decode()
    for n in range(8):
        post_of(world, title=f"Billet {n}")
        post_of(world, by="xavier", group=world.class_6c, title=f"Billet 6C {n}")
    marie.get("/")
    with django_assert_max_num_queries(2):
        body = marie.get("/").content.decode()
    assert "Billet 7" in body and "Premier billet" not in body  # the latest five only
    # A deleted post leaves the widget at once.
    latest = Post.objects.get(title="Billet 7")
    actions.delete_post(world.fresh_user("tom"), latest)
    assert "Billet 7" not in marie.get("/").content.decode()
