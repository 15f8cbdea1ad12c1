"""Access matrix of the cahier de textes (cartable.homework)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from cartable.files import actions as files
from cartable.files.tests.helpers import mark_all_clean
from cartable.homework.models import Entry, EntryAttachment, Homework
from tests.matrix import Route, expect, logged_in
from tests.world import World


def _entry(world: World) -> Entry:
    """Tom's session in 6A with one homework item and one file (made again if a persona deleted it)."""
    today = timezone.localdate()
    entry = Entry.objects.filter(group=world.class_6a, author=world.person("tom")).first()
    if entry is None:
        entry = Entry.objects.create(
            school=world.school_a,
            group=world.class_6a,
            subject=world.maths,
            author=world.person("tom"),
            date=today,
            content="<p>Les fractions</p>",
        )
        Homework.objects.create(entry=entry, due_date=today, instructions="<p>Exercice 4 p. 52</p>")
        stored = files.store_upload(
            ContentFile(b"Exercice 4 p. 52", name="consignes.txt"),
            owner=world.person("tom"),
            school_id=world.school_a.pk,
        )
        EntryAttachment.objects.create(entry=entry, stored=stored, name="consignes.txt")
        mark_all_clean()  # the matrix is about access: the antivirus has its own tests (cartable/files)
    return entry


def _homework(world: World) -> int:
    return _entry(world).homework.get().pk


def _attachment(world: World) -> int:
    return _entry(world).attachments.get().pk


# Who reads 6A's cahier: its pupils, their guardians, its teacher, the direction and vie scolaire of school A.
READERS_OF_6A = dict.fromkeys(("alice", "bob", "marie", "marc", "beatrice", "tom", "paul", "vera"), 200)
PUPILS_AND_GUARDIANS = ("alice", "bob", "carl", "leo", "zoe", "marie", "marc", "beatrice", "gino", "zack")

ROUTES: dict[str, Route] = {
    "homework:index": Route(lambda w: "/cahier-de-textes/"),
    "homework:todo": Route(lambda w: "/cahier-de-textes/a-faire"),
    "homework:group": Route(lambda w: f"/cahier-de-textes/classe/{w.class_6a.pk}/"),
    "homework:visa_sign": Route(lambda w: f"/cahier-de-textes/classe/{w.class_6a.pk}/viser", "post"),
    "homework:entry_new": Route(lambda w: "/cahier-de-textes/seance/nouvelle"),
    "homework:entry_edit": Route(lambda w: f"/cahier-de-textes/seance/{_entry(w).pk}/modifier"),
    "homework:entry_delete": Route(lambda w: f"/cahier-de-textes/seance/{_entry(w).pk}/supprimer", "post"),
    "homework:done": Route(lambda w: f"/cahier-de-textes/travail/{_homework(w)}/fait", "post"),
    "homework:attachment": Route(lambda w: f"/cahier-de-textes/piece-jointe/{_attachment(w)}"),
    "homework:visas": Route(lambda w: "/cahier-de-textes/visas"),
}

MATRIX: dict[str, dict[str, int]] = {
    "homework:index": logged_in(200),
    # A pupil's own list, or a guardian's child's; nobody else has homework to do.
    "homework:todo": expect(404, anon=302, **dict.fromkeys(PUPILS_AND_GUARDIANS, 200)),
    "homework:group": expect(404, anon=302, **READERS_OF_6A),
    # The direction of school A only; vie scolaire consults without signing.
    "homework:visa_sign": expect(404, anon=302, paul=302),
    # Teachers of a class this year; Tess may open the form but only offers her own classes (tests).
    "homework:entry_new": expect(404, anon=302, tom=200, tess=200, xavier=200),
    "homework:entry_edit": expect(404, anon=302, tom=200),
    "homework:entry_delete": expect(404, anon=302, tom=302),
    # Ticking is a pupil's own state, for homework of their own class.
    "homework:done": expect(404, anon=302, alice=302, bob=302),
    "homework:attachment": expect(404, anon=302, **READERS_OF_6A),
    "homework:visas": expect(404, anon=302, paul=200, vera=200),
}
