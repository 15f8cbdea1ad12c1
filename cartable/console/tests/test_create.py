"""Creating a person by hand: the right links, a first code, and a form that loses nothing on errors."""

import datetime as dt
import re

from cartable.accounts import actions as accounts
from cartable.directory.models import Enrolment, Guardianship, Membership, Person, Profile

CODE = re.compile(r'id="fresh-code">([^<]+)<')


def test_create_a_pupil_in_a_class(world, client, url_a):
    world.login(client, "ada")
    response = client.post(
        url_a("person_new"),
        {
            "last_name": "Lefèvre",
            "first_name": "Inès",
            "profile": Profile.STUDENT,
            "birth_date": "2015-04-02",
            "classe": world.class_6a.pk,
            "email": "",
        },
        follow=True,
    )
    person = Person.objects.get(last_name="Lefèvre")
    assert person.user.username == "ines.lefevre"
    assert person.birth_date == dt.date(2015, 4, 2)
    assert Membership.objects.filter(person=person, school=world.school_a, profile=Profile.STUDENT).exists()
    assert Enrolment.objects.filter(student=person, group=world.class_6a).exists()
    assert "ines.lefevre" in response.text
    found = CODE.search(response.text)
    assert found
    code = found.group(1)
    assert accounts.check_activation_code(person.user, code)
    assert "Imprimer la lettre avec ce code" in response.text


def test_create_a_relative_of_a_pupil_found_by_name(world, client, url_a):
    world.login(client, "ada")
    form = {"last_name": "Durand", "first_name": "Jules", "profile": Profile.RELATIVE, "pupil_query": "bob"}
    found = client.post(url_a("person_new"), {**form, "find_pupil": "1"})
    assert found.status_code == 200
    assert "Bob DURAND (6A)" in found.text and "Alice MARTIN" not in found.text
    assert 'value="Jules"' in found.text and "field-errors" not in found.text
    response = client.post(url_a("person_new"), {**form, "children": [world.people["bob"].pk]})
    assert response.status_code == 302
    jules = Person.objects.get(first_name="Jules")
    assert Guardianship.objects.filter(
        relative=jules, student=world.people["bob"], legal_guardian=True
    ).exists()


def test_create_staff_with_functions(world, client, url_a):
    world.login(client, "ada")
    client.post(
        url_a("person_new"),
        {
            "last_name": "Noël",
            "first_name": "Lise",
            "profile": Profile.PERSONNEL,
            "functions": ["vie_scolaire", "documentalist"],
        },
    )
    membership = Membership.objects.get(person__first_name="Lise")
    assert membership.functions == ["vie_scolaire", "documentalist"]


def test_errors_re_render_with_the_typed_values(world, client, url_a):
    world.login(client, "ada")
    response = client.post(
        url_a("person_new"),
        {
            "last_name": "Lefèvre",
            "first_name": "Inès",
            "profile": Profile.STUDENT,
            "email": "pas-une-adresse",
            "classe": world.class_5b.pk,
            "functions": ["direction"],
        },
    )
    assert response.status_code == 400
    page = response.text
    assert 'value="Lefèvre"' in page and 'value="Inès"' in page and 'value="pas-une-adresse"' in page
    assert f'<option value="{world.class_5b.pk}" selected>' in page
    assert 'value="direction"' in page and "checked" in page
    assert "date de naissance" in page and "Seuls les enseignants" in page
    assert not Person.objects.filter(last_name="Lefèvre").exists()


def test_a_relative_needs_a_child_of_this_school(world, client, url_a):
    world.login(client, "ada")
    form = {"last_name": "Autre", "first_name": "Anne", "profile": Profile.RELATIVE}
    response = client.post(url_a("person_new"), form)
    assert response.status_code == 400 and "Cochez au moins un élève" in response.text
    response = client.post(url_a("person_new"), {**form, "children": [world.people["zoe"].pk]})
    assert response.status_code == 400
    assert not Person.objects.filter(first_name="Anne").exists()


def test_another_schools_class_is_refused(world, client, url_a):
    world.login(client, "ada")
    response = client.post(
        url_a("person_new"),
        {
            "last_name": "X",
            "first_name": "Y",
            "profile": Profile.STUDENT,
            "birth_date": "2015-01-01",
            "classe": world.class_6c.pk,
        },
    )
    assert response.status_code == 400
    assert not Person.objects.filter(last_name="X").exists()


def test_pupil_options_fragment_keeps_ticked_pupils(world, client, url_a):
    world.login(client, "ada")
    response = client.get(
        url_a("pupil_options"),
        {"pupil_query": "carl", "children": [world.people["alice"].pk]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="pupil-options"')
    assert "Carl PETIT" in response.text and "Alice MARTIN" in response.text and "checked" in response.text
    assert "Zoé" not in client.get(url_a("pupil_options"), {"pupil_query": "zo"}).text
