"""Access matrix of the news (cartable.news)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from PIL import Image

from cartable.files import actions as files
from cartable.files.tests.helpers import mark_all_clean
from cartable.news.models import News, NewsAttachment, PublicPage
from tests.matrix import Route, console, expect, logged_in
from tests.world import World


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def _news(world: World) -> News:
    """Paul's news to the whole of school A, public, with an image and a file (made again if deleted)."""
    news = News.objects.filter(school=world.school_a, title="Fête de l'école").first()
    if news is None:
        paul = world.person("paul")
        news = News.objects.create(
            school=world.school_a, author=paul, title="Fête de l'école", body="<p>Samedi</p>", public=True
        )
        news.image = files.store_upload(
            ContentFile(png_bytes(), name="fete.png"), owner=paul, school_id=world.school_a.pk
        )
        news.image_alt = "Des ballons"
        news.save()
        stored = files.store_upload(
            ContentFile(b"Programme", name="programme.txt"), owner=paul, school_id=world.school_a.pk
        )
        NewsAttachment.objects.create(news=news, stored=stored, name="programme.txt")
        PublicPage.objects.update_or_create(school=world.school_a, defaults={"enabled": True})
        mark_all_clean()  # the matrix is about access: the antivirus has its own tests (cartable/files)
    return news


def _attachment(world: World) -> int:
    return _news(world).attachments.get().pk


MEMBERS_OF_A = (
    "alice",
    "bob",
    "marie",
    "marc",
    "beatrice",
    "tom",
    "tess",
    "vera",
    "paul",
    "ada",
    "carl",
    "gino",
)
READERS = dict.fromkeys(MEMBERS_OF_A, 200)
PUBLISHERS_OF_A = {"vera": 200, "paul": 200, "ada": 200}

ROUTES: dict[str, Route] = {
    "news:index": Route(lambda w: "/actualites/"),
    "news:new": Route(lambda w: "/actualites/nouvelle"),
    "news:detail": Route(lambda w: f"/actualites/{_news(w).pk}/"),
    "news:edit": Route(lambda w: f"/actualites/{_news(w).pk}/modifier"),
    "news:delete": Route(lambda w: f"/actualites/{_news(w).pk}/supprimer", "post"),
    "news:image": Route(lambda w: f"/actualites/{_news(w).pk}/image"),
    "news:attachment": Route(lambda w: f"/actualites/piece-jointe/{_attachment(w)}"),
    "news:public": Route(lambda w: f"/actualites/etablissement/{_news(w).school.uai}/"),
    "news:public_settings": Route(lambda w: f"/actualites/etablissement/{w.school_a.uai}/reglage"),
}

MATRIX: dict[str, dict[str, int]] = {
    "news:index": logged_in(200),
    # The direction, vie scolaire and ENT admin of a school publish (Bruno for school B).
    "news:new": expect(404, anon=302, bruno=200, **PUBLISHERS_OF_A),
    "news:detail": expect(404, anon=302, **READERS),
    "news:edit": expect(404, anon=302, **PUBLISHERS_OF_A),
    "news:delete": expect(404, anon=302, vera=302, paul=302, ada=302),
    "news:image": expect(404, anon=302, **READERS),
    "news:attachment": expect(404, anon=302, **READERS),
    # Open to anyone once the school's ENT admin switched it on.
    "news:public": expect(200),
    "news:public_settings": console(ada=200),
}
