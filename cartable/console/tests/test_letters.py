"""Activation letters: one A4 page per letter, a code that really activates, old codes dropped on reprint."""

import io
import re

import pytest
from django.contrib.auth.hashers import make_password
from pypdf import PdfReader

from cartable.accounts import actions as accounts
from cartable.accounts.models import User
from cartable.directory import actions as directory

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def not_activated(world, *names):
    User.objects.filter(pk__in=[world.users[n].pk for n in names]).update(
        activated_at=None, password=make_password(None)
    )


def pages_of(response) -> list[str]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def code_on(page: str) -> str:
    found = CODE.search(page)
    assert found, page
    return found.group(0)


def page_of(pages: list[str], login: str) -> str:
    matching = [p for p in pages if login in p]
    assert len(matching) == 1, login
    return matching[0]


@pytest.fixture
def class_6a_to_print(world):
    """6A with Alice, Bob, their guardians of school A only not activated yet (Marie has activated); Marc also
    guards Bob."""
    not_activated(world, "alice", "bob", "marc", "beatrice")
    directory.link_guardian(world.people["marc"], world.people["bob"])
    return world.class_6a


def test_class_letters_one_page_per_pupil_and_guardian(world, client, url_a, class_6a_to_print):
    world.login(client, "ada")
    response = client.post(url_a("letters"), {"classe": class_6a_to_print.pk})
    assert response["Content-Disposition"] == 'attachment; filename="lettres-activation-6a-0750001A.pdf"'
    assert "no-store" in response["Cache-Control"]
    pages = pages_of(response)
    # Alice, Bob, Marc (one letter for his two children), Béatrice; Marie has activated: no letter.
    assert len(pages) == 4
    assert not any("marie.martin" in p for p in pages)
    marc = page_of(pages, "marc.martin")
    assert "Responsable de" in marc and "Alice MARTIN" in marc and "Bob DURAND" in marc
    assert "Responsable de" in page_of(pages, "beatrice.durand")
    assert all("Classe : 6A" in p for p in pages)
    for name in ("alice", "bob", "marc", "beatrice"):
        user = User.objects.get(pk=world.users[name].pk)
        page = page_of(pages, user.username)
        assert accounts.check_activation_code(user, code_on(page)), name
        assert "Collège Jean Moulin" in page and "0750001A" in page
        assert "http://127.0.0.1:8000/auth/activate" in page.replace("\n", "")
        assert "charte" in page.lower()


def test_reprinting_drops_the_old_codes(world, client, url_a, class_6a_to_print):
    world.login(client, "ada")
    first = pages_of(client.post(url_a("letters"), {"classe": class_6a_to_print.pk}))
    old_code = code_on(page_of(first, "alice.martin"))
    second = pages_of(client.post(url_a("letters"), {"classe": class_6a_to_print.pk}))
    alice = User.objects.get(pk=world.users["alice"].pk)
    assert not accounts.check_activation_code(alice, old_code)
    assert accounts.check_activation_code(alice, code_on(page_of(second, "alice.martin")))


def test_a_class_where_everyone_is_active_gets_a_message(world, client, url_a):
    world.login(client, "ada")
    response = client.post(url_a("letters"), {"classe": world.class_6a.pk}, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "déjà activés" in response.text


def test_class_screen_explains_and_lists_who_gets_a_letter(world, client, url_a, class_6a_to_print):
    world.login(client, "ada")
    page = client.get(url_a("letters")).text
    assert "ne fonctionnent plus" in page
    assert "Classe 6A :" in page and "Classe 5B :" in page and "Classe 6C :" not in page
    detail = client.get(url_a("letters"), {"classe": class_6a_to_print.pk}).text
    assert "4 lettres à imprimer" in detail and "Marie MARTIN" in detail


def test_one_persons_letter(world, client, url_a):
    not_activated(world, "marc")
    world.login(client, "ada")
    marc = world.people["marc"]
    assert "NOUVEAU code" in client.get(url_a("letters"), {"person": marc.pk}).text
    response = client.post(url_a("letters"), {"person": marc.pk})
    assert (
        response["Content-Disposition"] == 'attachment; filename="lettre-activation-marcmartin-0750001A.pdf"'
    )
    pages = pages_of(response)
    assert len(pages) == 1
    assert "marc.martin" in pages[0] and "Alice MARTIN" in pages[0]
    assert "Classe : 6A" in pages[0]
    assert accounts.check_activation_code(User.objects.get(pk=marc.user_id), code_on(pages[0]))


def test_no_letter_from_one_school_for_a_parent_of_two_schools(world, client, url_a):
    """Marie also has a child in school B: a code from school A's console would open school B to Ada."""
    not_activated(world, "alice", "marie")
    marie = world.people["marie"]
    world.login(client, "ada")
    assert "Collège Lumière" in client.get(url_a("letters"), {"person": marie.pk}).text
    response = client.post(url_a("letters"), {"person": marie.pk}, follow=True)
    assert response["Content-Type"].startswith("text/html") and "Pas de lettre" in response.text
    detail = client.get(url_a("letters"), {"classe": world.class_6a.pk}).text
    assert "1 lettre à imprimer" in detail and "aussi à un autre établissement" in detail
    pages = pages_of(client.post(url_a("letters"), {"classe": world.class_6a.pk}))
    assert len(pages) == 1 and "alice.martin" in pages[0]
    assert not User.objects.get(pk=marie.user_id).activation_code_hash

    world.login(client, "root")
    pages = pages_of(client.post(url_a("letters"), {"person": marie.pk}))
    assert "marie.martin" in pages[0]
    assert accounts.check_activation_code(User.objects.get(pk=marie.user_id), code_on(pages[0]))


def test_letter_after_a_new_code_reuses_the_code_just_shown(world, client, url_a):
    world.login(client, "ada")
    bob = world.people["bob"]
    page = client.post(url_a("person_reset", bob.pk), follow=True).text
    found = re.search(r'id="fresh-code">([^<]+)<', page)
    assert found
    shown = found.group(1)
    pages = pages_of(client.post(url_a("letters"), {"person": bob.pk, "code": shown}))
    assert code_on(pages[0]) == shown
    assert accounts.check_activation_code(User.objects.get(pk=bob.user_id), shown)


def test_an_active_account_gets_no_letter(world, client, url_a):
    world.login(client, "ada")
    alice = world.people["alice"]
    assert "déjà activé" in client.get(url_a("letters"), {"person": alice.pk}).text
    response = client.post(url_a("letters"), {"person": alice.pk}, follow=True)
    assert response["Content-Type"].startswith("text/html") and "Pas de lettre" in response.text
    assert not User.objects.get(pk=alice.user_id).activation_code_hash


def test_a_forged_code_does_not_print(world, client, url_a):
    world.login(client, "ada")
    alice = world.people["alice"]
    response = client.post(url_a("letters"), {"person": alice.pk, "code": "AAAA-BBBB-CCCC"}, follow=True)
    assert "Pas de lettre" in response.text


def test_a_long_letter_still_fits_one_page(world, client, url_a):
    world.school_a.name = (
        "Lycée polyvalent régional Jean-Baptiste de La Salle et lycée des métiers du bâtiment"
    )
    world.school_a.save()
    not_activated(world, "marc")
    for first in ("Anne-Charlotte", "Jean-Christophe", "Marie-Bernadette"):
        child = directory.create_person(
            directory.NewPerson(
                first_name=first,
                last_name="Martin-Delacroix de Saint-Exupéry",
                school=world.school_a,
                profile="Student",
                groups=[world.class_6a],
            )
        )
        directory.link_guardian(world.people["marc"], child)
    world.login(client, "ada")
    pages = pages_of(client.post(url_a("letters"), {"person": world.people["marc"].pk}))
    assert len(pages) == 1


def add_pupils_with_guardians(world, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        pupil = directory.create_person(
            directory.NewPerson(
                first_name=f"Élève{i}",
                last_name="Lettre",
                school=world.school_a,
                profile="Student",
                groups=[world.class_5b],
            )
        )
        parent = directory.create_person(
            directory.NewPerson(
                first_name=f"Parent{i}", last_name="Lettre", school=world.school_a, profile="Relative"
            )
        )
        directory.link_guardian(parent, pupil)


def test_class_letters_cost_the_same_queries_and_one_pdf_render_whatever_the_class_size(
    world, client, url_a, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cartable.console import letters

    renders: list[dict] = []

    def fake_render(template: str, context: dict) -> bytes:
        renders.append(context)
        return b"%PDF-"

    monkeypatch.setattr(letters, "render_pdf", fake_render)
    world.login(client, "ada")
    client.get(url_a("letters"))
    add_pupils_with_guardians(world, 2)
    with CaptureQueriesContext(connection) as small:
        client.post(url_a("letters"), {"classe": world.class_5b.pk})
    add_pupils_with_guardians(world, 8, start=2)
    with CaptureQueriesContext(connection) as large:
        client.post(url_a("letters"), {"classe": world.class_5b.pk})
    assert len(small) == len(large)
    assert [len(r["letters"]) for r in renders] == [4, 20]  # reprinting: every account not activated again
