"""People search: filters, columns, account states, and a query count that does not grow with the school."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.accounts import actions as accounts
from cartable.directory import actions as directory
from cartable.directory.models import Function, Profile


def names_in(response) -> str:
    return response.text


def test_lists_the_schools_people_only(world, client, url_a):
    world.login(client, "ada")
    page = client.get(url_a("people")).text
    for name in ("alice.martin", "bob.durand", "marie.martin", "tom.leroy", "ada.lambert"):
        assert name in page
    for name in ("zoe.bernard", "zack.bernard", "xavier.girard", "bruno.faure", "leo.martin"):
        assert name not in page


def test_filters_by_name_class_and_profile(world, client, url_a):
    world.login(client, "ada")
    by_name = client.get(url_a("people"), {"q": "mart"}).text
    assert "alice.martin" in by_name and "marie.martin" in by_name and "bob.durand" not in by_name
    by_two_words = client.get(url_a("people"), {"q": "alice martin"}).text
    assert "alice.martin" in by_two_words and "marie.martin" not in by_two_words
    by_class = client.get(url_a("people"), {"classe": world.class_5b.pk}).text
    assert "carl.petit" in by_class and "alice.martin" not in by_class
    by_profile = client.get(url_a("people"), {"profil": Profile.RELATIVE}).text
    assert "marie.martin" in by_profile and "gino.petit" in by_profile and "alice.martin" not in by_profile


def test_another_schools_class_is_not_a_filter(world, client, url_a):
    world.login(client, "ada")
    response = client.get(url_a("people"), {"classe": world.class_6c.pk})
    assert response.status_code == 200
    assert "zoe.bernard" not in response.text


def test_shows_profile_functions_classes_and_account_state(world, client, url_a):
    accounts.block_user(world.users["bob"])
    never_activated = directory.create_person(
        directory.NewPerson(
            first_name="Nina",
            last_name="Simon",
            school=world.school_a,
            profile=Profile.STUDENT,
            groups=[world.class_6a],
            birth_date=dt.date(2015, 1, 1),
        )
    )
    world.login(client, "ada")
    page = client.get(url_a("people")).text
    assert "Vie scolaire" in page and "Administrateur ENT" in page
    row_of = {
        login: page[page.index(login) : page.index("</tr>", page.index(login))]
        for login in ("alice.martin", "bob.durand", never_activated.user.username)
    }
    assert "6A" in row_of["alice.martin"] and "Actif" in row_of["alice.martin"]
    assert "Bloqué" in row_of["bob.durand"]
    assert "Non activé" in row_of[never_activated.user.username]


def test_htmx_search_answers_the_results_only(world, client, url_a):
    world.login(client, "ada")
    response = client.get(
        url_a("people"), {"q": "alice"}, headers={"HX-Request": "true", "HX-Target": "people-results"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="people-results"')
    assert "alice.martin" in response.text and "<html" not in response.text


def test_paginates_by_fifty(world, client, url_a):
    for i in range(55):
        directory.create_person(
            directory.NewPerson(
                first_name=f"Élève{i:02d}", last_name="Zéphyr", school=world.school_a, profile=Profile.STUDENT
            )
        )
    world.login(client, "ada")
    first = client.get(url_a("people"), {"q": "zephyr"})
    assert first.text.count("zephyr</td>") == 50
    second = client.get(url_a("people"), {"q": "zephyr", "page": 2})
    assert second.text.count("zephyr</td>") == 5


def add_families(world, count: int, start: int = 0) -> None:
    """Pupils in 6A with a guardian each, plus staff with functions: what a page shows per row."""
    for i in range(start, start + count):
        pupil = world.add_pupil(f"Pupille{i}", "Nombre", world.class_6a)
        parent = directory.create_person(
            directory.NewPerson(
                first_name=f"Parent{i}", last_name="Nombre", school=world.school_a, profile=Profile.RELATIVE
            )
        )
        directory.link_guardian(parent, pupil)
        directory.create_person(
            directory.NewPerson(
                first_name=f"Agent{i}",
                last_name="Nombre",
                school=world.school_a,
                profile=Profile.PERSONNEL,
                functions=[Function.VIE_SCOLAIRE],
            )
        )


def count_queries(client, url, params=None) -> int:
    client.get(url, params or {})  # the first request of a session also stamps it (charter, last seen)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_people_page_query_count_does_not_grow(world, client, url_a):
    world.login(client, "ada")
    add_families(world, 3)
    small = count_queries(client, url_a("people"))
    add_families(world, 12, start=3)
    large = count_queries(client, url_a("people"))
    assert small == large
    assert large <= 14
    assert count_queries(client, url_a("people"), {"classe": world.class_6a.pk, "q": "nombre"}) <= 15


def test_person_page_query_count_does_not_grow(world, client, url_a):
    world.login(client, "ada")
    alice = world.people["alice"]
    small = count_queries(client, url_a("person", alice.pk))
    for i in range(10):
        accounts.record_login_event(alice.user, "success")
        extra = directory.create_person(
            directory.NewPerson(
                first_name=f"Tante{i}", last_name="Martin", school=world.school_a, profile=Profile.RELATIVE
            )
        )
        directory.link_guardian(extra, alice, legal_guardian=False)
    large = count_queries(client, url_a("person", alice.pk))
    assert small == large
    assert large <= 17


def test_the_console_speaks_english_to_those_who_chose_it(world, client, url_a):
    accounts.set_language(world.users["ada"], "en")
    world.login(client, "ada")
    page = client.get(url_a("people")).text
    assert "People of the school" in page and "Personnes de l’établissement" not in page
