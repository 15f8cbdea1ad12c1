"""Access matrix of the cahier de liaison (cartable.liaison)."""

from __future__ import annotations

from django.core.files.base import ContentFile

from cartable.files import actions as files
from cartable.files.tests.helpers import mark_all_clean
from cartable.liaison.models import FamilyMot, Mot, MotAttachment, MotPupil, Request
from tests.matrix import Route, expect
from tests.world import World


def _mot(world: World) -> int:
    """Tom's mot to 6A asking for a signature (written straight in: the matrix is about access)."""
    mot = Mot.objects.filter(author=world.person("tom")).first()
    if mot is None:
        mot = Mot.objects.create(
            school=world.school_a,
            author=world.person("tom"),
            title="Sortie au musée",
            body="Jeudi, musée d'Orsay.",
            request=Request.REPLY,
            question="Mon enfant participe",
            choices=["Oui", "Non"],
            audience="6A",
        )
        MotPupil.objects.bulk_create(
            MotPupil(mot=mot, school=world.school_a, pupil=world.person(name), group_name="6A")
            for name in ("alice", "bob")
        )
        stored = files.store_upload(
            ContentFile(b"Autorisation de sortie", name="autorisation.txt"),
            owner=world.person("tom"),
            school_id=world.school_a.pk,
        )
        MotAttachment.objects.create(mot=mot, stored=stored, name="autorisation.txt")
        mark_all_clean()  # the matrix is about access: the antivirus has its own tests (cartable/files)
    return mot.pk


def _attachment(world: World) -> int:
    _mot(world)
    return MotAttachment.objects.get(mot__author=world.person("tom")).pk


def _family_mot(world: World) -> int:
    """Marie's mot to Tom about Alice."""
    found = FamilyMot.objects.filter(author=world.person("marie")).first()
    if found is None:
        found = FamilyMot.objects.create(
            school=world.school_a,
            author=world.person("marie"),
            pupil=world.person("alice"),
            teacher=world.person("tom"),
            title="Absence jeudi",
            body="Rendez-vous chez le dentiste.",
        )
    return found.pk


# Who opens 6A's mot: its author, the direction and vie scolaire of school A, and 6A's legal guardians.
READERS = dict.fromkeys(("tom", "paul", "vera", "marie", "marc", "beatrice"), 200)
MANAGERS = ("tom", "paul", "vera")

ROUTES: dict[str, Route] = {
    "liaison:index": Route(lambda w: "/liaison/"),
    "liaison:mot_new": Route(lambda w: "/liaison/mot/nouveau"),
    "liaison:mot": Route(lambda w: f"/liaison/mot/{_mot(w)}/"),
    "liaison:mot_edit": Route(lambda w: f"/liaison/mot/{_mot(w)}/modifier"),
    "liaison:attachment": Route(lambda w: f"/liaison/mot/piece-jointe/{_attachment(w)}"),
    "liaison:sign": Route(lambda w: f"/liaison/mot/{_mot(w)}/signer", "post"),
    "liaison:remind": Route(lambda w: f"/liaison/mot/{_mot(w)}/relancer", "post"),
    "liaison:replies_csv": Route(lambda w: f"/liaison/mot/{_mot(w)}/reponses.csv"),
    "liaison:slips_pdf": Route(lambda w: f"/liaison/mot/{_mot(w)}/coupons.pdf"),
    "liaison:family_mot_new": Route(lambda w: "/liaison/famille/nouveau"),
    "liaison:family_mot": Route(lambda w: f"/liaison/famille/{_family_mot(w)}/"),
    "liaison:acknowledge": Route(lambda w: f"/liaison/famille/{_family_mot(w)}/lu", "post"),
}

MATRIX: dict[str, dict[str, int]] = {
    # Families, teachers of a class, the direction and vie scolaire; not pupils (mots go to their families).
    "liaison:index": expect(
        404,
        anon=302,
        **dict.fromkeys(
            ("marie", "marc", "beatrice", "gino", "zack", "tom", "tess", "xavier", "paul", "vera"), 200
        ),
    ),
    # Teachers of a class this year, the direction and vie scolaire.
    "liaison:mot_new": expect(404, anon=302, tom=200, tess=200, xavier=200, paul=200, vera=200),
    "liaison:mot": expect(404, anon=302, **READERS),
    # Its author only (nobody has signed yet); the direction and vie scolaire follow it but do not edit it.
    "liaison:mot_edit": expect(404, anon=302, tom=200),
    "liaison:attachment": expect(404, anon=302, **READERS),
    # An empty form: refused (400) for those who may open the mot, 404 for everyone else.
    "liaison:sign": expect(404, anon=302, **dict.fromkeys(READERS, 400)),
    "liaison:remind": expect(404, anon=302, **dict.fromkeys(MANAGERS, 302)),
    "liaison:replies_csv": expect(404, anon=302, **dict.fromkeys(MANAGERS, 200)),
    "liaison:slips_pdf": expect(404, anon=302, **dict.fromkeys(MANAGERS, 200)),
    # Legal guardians of a pupil.
    "liaison:family_mot_new": expect(404, anon=302, marie=200, marc=200, beatrice=200, gino=200, zack=200),
    "liaison:family_mot": expect(404, anon=302, marie=200, tom=200),
    "liaison:acknowledge": expect(404, anon=302, tom=302),
}
