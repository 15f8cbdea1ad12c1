"""The teacher of an école class resets a pupil's password and prints new cards; nobody else may, and never
for a pupil who also belongs elsewhere."""

import io
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader

from cartable.accounts import actions as accounts
from cartable.accounts.models import User
from cartable.accounts.tests.helpers import text
from cartable.console import actions
from cartable.console.models import AdminAction
from cartable.directory import actions as directory
from cartable.directory.models import Profile, SchoolKind
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture
def ecole(world):
    """School A as an école: Tom teaches 6A (Alice, Bob), Tess teaches 5B (Carl)."""
    world.school_a.kind = SchoolKind.PRIMARY
    world.school_a.save()
    return world


def class_url(world, group=None) -> str:
    return reverse("pupil_accounts:class", args=[(group or world.class_6a).pk])


def reset_url(world, name: str, group=None) -> str:
    return reverse("pupil_accounts:reset", args=[(group or world.class_6a).pk, world.person(name).pk])


def cards_url(world, group=None) -> str:
    return reverse("pupil_accounts:cards", args=[(group or world.class_6a).pk])


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_the_teacher_resets_a_pupils_password_and_prints_the_card(ecole, client):
    world = ecole
    world.login(client, "tom")
    page = text(client.get(class_url(world)))
    assert "Alice MARTIN" in page or "Alice Martin" in page
    assert reset_url(world, "alice") in page

    assert client.get(reset_url(world, "alice")).status_code == 200  # asks first
    alice_session = type(client)()
    world.login(alice_session, "alice")
    response = client.post(reset_url(world, "alice"))
    assert response.status_code == 302 and response.url == class_url(world)

    alice = User.objects.get(pk=world.alice.pk)
    assert not alice.check_password(PASSWORD)
    assert not alice.is_activated
    # Her open sessions end.
    assert alice_session.get("/").status_code == 302
    assert AdminAction.objects.filter(
        actor=world.tom, target=alice, school=world.school_a, kind=AdminAction.Kind.RESET_PASSWORD
    ).exists()

    # Her card, with a code that activates her account.
    response = client.post(cards_url(world), {"eleve": world.person("alice").pk})
    filename = "cartes-cartable-alicemartin-0750001A.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    (card,) = pdf_pages(response)
    assert "alice.martin" in card and "6A" in card
    assert "8 signes" in card  # the pupils' rule, told on the card
    found = CODE.search(card)
    assert found, card
    code = found.group(0)
    assert accounts.check_activation_code(User.objects.get(pk=alice.pk), code)
    assert AdminAction.objects.filter(actor=world.tom, target=alice, kind=AdminAction.Kind.LETTER).exists()


def test_class_cards_for_the_pupils_waiting_and_for_the_whole_class(ecole, client):
    world = ecole
    world.login(client, "tom")
    # Nobody waits: nothing to print.
    response = client.post(cards_url(world))
    assert response.status_code == 302
    assert User.objects.get(pk=world.bob.pk).check_password(PASSWORD)

    # Everyone: every pupil of 6A is reset, one page of cards for the two.
    response = client.post(cards_url(world), {"tous": "1"})
    (page,) = pdf_pages(response)
    assert "alice.martin" in page and "bob.durand" in page
    assert "carl.petit" not in page
    assert len(CODE.findall(page)) == 2
    for name in ("alice", "bob"):
        assert not User.objects.get(pk=world.users[name].pk).is_activated
    assert User.objects.get(pk=world.carl.pk).check_password(PASSWORD)

    # Printing again gives new codes: the first cards stop working.
    first = CODE.findall(page)
    (again,) = pdf_pages(client.post(cards_url(world)))
    assert set(CODE.findall(again)).isdisjoint(first)


def test_a_pupil_who_also_belongs_elsewhere_is_left_to_the_admin(ecole, client):
    world = ecole
    directory.add_membership(world.person("alice"), world.school_b, Profile.STUDENT)
    world.login(client, "tom")
    page = text(client.get(class_url(world)))
    assert "Géré par l'administrateur ENT" in page
    assert reset_url(world, "alice") not in page
    response = client.post(reset_url(world, "alice"))
    assert response.status_code == 302
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    # Nor through the class's cards.
    pdf_pages(client.post(cards_url(world), {"tous": "1"}))
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    assert not User.objects.get(pk=world.bob.pk).is_activated
    with pytest.raises(PermissionDenied):
        actions.reset_pupil_password_by_teacher(world.tom, world.class_6a, world.person("alice"))


def test_a_blocked_pupil_stays_the_admins_business(ecole, client):
    world = ecole
    accounts.block_user(world.bob)
    world.login(client, "tom")
    assert "Bloqué : voir l'administrateur ENT" in text(client.get(class_url(world)))
    client.post(reset_url(world, "bob"))
    bob = User.objects.get(pk=world.bob.pk)
    assert bob.check_password(PASSWORD) and bob.is_blocked


@pytest.mark.parametrize("name", ["tess", "xavier", "marie", "alice", "ada", "paul", "vera", "root", "zack"])
def test_who_must_not(ecole, client, name):
    """Tess teaches another class of the école, Xavier another school; parents, pupils, and even the
    school's admin and direction (they have the console) have no such page."""
    world = ecole
    world.login(client, name)
    assert client.get(class_url(world)).status_code == 404
    assert client.get(reset_url(world, "alice")).status_code == 404
    assert client.post(reset_url(world, "alice")).status_code == 404
    assert client.post(cards_url(world), {"tous": "1"}).status_code == 404
    assert client.post(cards_url(world), {"eleve": world.person("alice").pk}).status_code == 404
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    assert not AdminAction.objects.exists()


def test_not_in_a_college(world, client):
    """The class's teacher of a collège has no such page: pupils there ask the ENT admin."""
    world.login(client, "tom")
    assert client.get(class_url(world)).status_code == 404
    assert client.post(reset_url(world, "alice")).status_code == 404
    assert client.post(cards_url(world), {"tous": "1"}).status_code == 404
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    with pytest.raises(PermissionDenied):
        actions.reset_pupil_password_by_teacher(world.tom, world.class_6a, world.person("alice"))


def test_only_pupils_of_the_class_in_the_url(ecole, client):
    world = ecole
    world.login(client, "tom")
    # Carl is in 5B, taught by Tess: not through Tom's class, nor his own class's address.
    assert client.post(reset_url(world, "carl")).status_code == 404
    assert client.post(reset_url(world, "carl", world.class_5b)).status_code == 404
    assert client.post(cards_url(world), {"eleve": world.person("carl").pk}).status_code == 404
    assert client.post(cards_url(world), {"eleve": "²"}).status_code == 404
    assert User.objects.get(pk=world.carl.pk).check_password(PASSWORD)


def test_the_teachers_home_links_to_the_page_in_an_ecole_only(ecole, client):
    world = ecole
    world.login(client, "tom")
    assert class_url(world) in text(client.get("/"))
    world.login(client, "xavier")  # a collège's teacher
    assert "comptes-eleves" not in text(client.get("/"))


def test_activation_letters_tell_each_person_their_password_rule(world, client):
    """The admin's letters: a pupil's says 8 characters, a parent's 12. (Marc, Alice's father, belongs to
    this school only; Marie, her mother, also to the other collège, whose admin prints her letter.)"""
    User.objects.filter(pk__in=[world.alice.pk, world.marc.pk]).update(
        activated_at=None, password=make_password(None)
    )
    world.login(client, "ada")
    response = client.post(
        reverse("console:letters", args=[world.school_a.uai]), {"classe": world.class_6a.pk}
    )
    pages = pdf_pages(response)
    alice = next(page for page in pages if "alice.martin" in page)
    marc = next(page for page in pages if "marc.martin" in page)
    assert "au moins 8 signes" in alice and "au moins 12 signes" in marc
