"""Access matrix of the class blog (cartable.blog)."""

from __future__ import annotations

from django.core.files.base import ContentFile

from cartable.blog.models import Comment, Post, PostFile, Status
from cartable.files import actions as files
from cartable.files.tests.helpers import mark_all_clean
from tests.matrix import Route, expect
from tests.matrix.news import png_bytes
from tests.world import World


def _post(world: World) -> Post:
    """Tom's published post on 6A's blog, with an image (and its web copy), a file and Marie's comment
    waiting for validation (made again if a persona deleted it)."""
    post = Post.objects.filter(group=world.class_6a, title="Sortie au musée").first()
    if post is None:
        tom = world.person("tom")
        post = Post.objects.create(
            school=world.school_a,
            group=world.class_6a,
            author=tom,
            title="Sortie au musée",
            status=Status.PUBLISHED,
        )
        school = world.school_a.pk
        image = files.store_upload(ContentFile(png_bytes(), name="musee.png"), owner=tom, school_id=school)
        web = files.store_upload(ContentFile(png_bytes(), name="musee-web.png"), owner=tom, school_id=school)
        PostFile.objects.create(
            post=post, stored=image, web=web, name="musee.png", is_image=True, alt="Le musée"
        )
        text = files.store_upload(ContentFile(b"Liste", name="liste.txt"), owner=tom, school_id=school)
        PostFile.objects.create(post=post, stored=text, name="liste.txt")
        Comment.objects.create(school=world.school_a, post=post, author=world.person("marie"), body="Merci !")
        mark_all_clean()  # the matrix is about access: the antivirus has its own tests (cartable/files)
    return post


def _file(world: World, image: bool) -> int:
    return _post(world).files.get(is_image=image).pk


def _comment(world: World) -> int:
    return _post(world).comments.get().pk


# 6A's blog: its pupils, their guardians, the staff of school A.
READERS_OF_6A = dict.fromkeys(
    ("alice", "bob", "marie", "marc", "beatrice", "tom", "tess", "vera", "paul", "ada"), 200
)
# Its teacher and the school's direction.
MODERATORS = {"tom": 302, "paul": 302}

ROUTES: dict[str, Route] = {
    "blog:index": Route(lambda w: "/blog/"),
    "blog:group": Route(lambda w: f"/blog/classe/{w.class_6a.pk}/"),
    "blog:post_new": Route(lambda w: f"/blog/classe/{w.class_6a.pk}/nouveau"),
    "blog:settings": Route(lambda w: f"/blog/classe/{w.class_6a.pk}/reglages", "post"),
    "blog:post_edit": Route(lambda w: f"/blog/billet/{_post(w).pk}/modifier"),
    "blog:post_delete": Route(lambda w: f"/blog/billet/{_post(w).pk}/supprimer", "post"),
    "blog:post_moderate": Route(lambda w: f"/blog/billet/{_post(w).pk}/moderer", "post"),
    "blog:comment": Route(lambda w: f"/blog/billet/{_post(w).pk}/commenter", "post"),
    "blog:comment_moderate": Route(lambda w: f"/blog/commentaire/{_comment(w)}/moderer", "post"),
    "blog:file": Route(lambda w: f"/blog/fichier/{_file(w, image=False)}"),
    "blog:image": Route(lambda w: f"/blog/image/{_file(w, image=True)}"),
}

MATRIX: dict[str, dict[str, int]] = {
    # One class's blog opens at once; the list for those who read several, or none.
    "blog:index": expect(302, anon=302, marie=200, tom=200, tess=200, vera=200, paul=200, ada=200, root=200),
    "blog:group": expect(404, anon=302, **READERS_OF_6A),
    # Pupils propose posts only when the teacher allows it (off here).
    "blog:post_new": expect(404, anon=302, tom=200, paul=200),
    "blog:settings": expect(404, anon=302, **MODERATORS),
    "blog:post_edit": expect(404, anon=302, tom=200, paul=200),
    "blog:post_delete": expect(404, anon=302, **MODERATORS),
    "blog:post_moderate": expect(404, anon=302, **MODERATORS),
    # Comments are closed here: only the moderators comment.
    "blog:comment": expect(404, anon=302, **MODERATORS),
    "blog:comment_moderate": expect(404, anon=302, **MODERATORS),
    "blog:file": expect(404, anon=302, **READERS_OF_6A),
    "blog:image": expect(404, anon=302, **READERS_OF_6A),
}
