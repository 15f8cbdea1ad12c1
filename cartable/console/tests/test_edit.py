"""Correcting a person from the console (issue 10, item 17): names, address, phone, class, family links, a
correction request carried out in one step, the warning before creating someone twice, classes in school
order."""

from cartable.console.models import AdminAction
from cartable.directory import actions as directory
from cartable.directory.models import Enrolment, Group, Guardianship, Membership, Person, Profile
from cartable.notifications.actions import sms_phone_of
from cartable.portal.models import CorrectionRequest


def edit_data(person, **changes) -> dict:
    data = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "email": person.user.email,
        "phone": "",
    }
    data.update(changes)
    return data


def traces(person) -> list[tuple[str, str]]:
    return list(
        AdminAction.objects.filter(target=person.user)
        .exclude(kind=AdminAction.Kind.VIEW)
        .order_by("pk")
        .values_list("kind", "detail")
    )


def test_edit_names_address_phone_and_class(world, client, url_a):
    carl = world.people["carl"]
    world.login(client, "ada")
    page = client.get(url_a("person", carl.pk)).text
    assert url_a("person_edit", carl.pk) in page
    form = client.get(url_a("person_edit", carl.pk)).text
    assert 'value="Petit"' in form and "carl@example.test" in form and "Classe cette année" in form
    response = client.post(
        url_a("person_edit", carl.pk),
        edit_data(carl, first_name=" Carl  Jean ", email="carl.petit@example.test", phone="06 12 34 56 78")
        | {"classe": world.class_6a.pk},
        follow=True,
    )
    assert "Fiche modifiée : prénom, adresse électronique, téléphone, classe." in response.text
    carl = Person.objects.select_related("user").get(pk=carl.pk)
    assert (carl.first_name, carl.user.email) == ("Carl Jean", "carl.petit@example.test")
    assert sms_phone_of(carl.pk) == "+33612345678"
    assert list(Enrolment.objects.filter(student=carl).values_list("group__name", flat=True)) == ["6A"]
    assert traces(carl) == [
        ("edit", "prénom, adresse électronique, téléphone"),
        ("class", "5B → 6A"),
    ]
    assert "Classe changée (5B → 6A) — ada.lambert" in client.get(url_a("person", carl.pk)).text


def test_nothing_changed_writes_nothing(world, client, url_a):
    alice = world.people["alice"]
    world.login(client, "ada")
    response = client.post(
        url_a("person_edit", alice.pk), edit_data(alice) | {"classe": world.class_6a.pk}, follow=True
    )
    assert "Rien n’a changé" in response.text
    assert traces(alice) == []


def test_bad_input_shows_the_form_again_with_what_was_typed(world, client, url_a):
    bob = world.people["bob"]
    world.login(client, "ada")
    response = client.post(
        url_a("person_edit", bob.pk),
        edit_data(bob, first_name="Robert", email="pas une adresse", phone="12", birth_date="2015-02-31"),
    )
    assert response.status_code == 400
    assert 'value="Robert"' in response.text
    assert "Saisissez une adresse de courriel valide" in response.text
    assert "numéro de téléphone n&#x27;est pas valide" in response.text
    assert Person.objects.get(pk=bob.pk).first_name == "Bob"


def test_only_a_pupil_has_a_class_and_a_teacher_is_edited_without_one(world, client, url_a):
    tom = world.people["tom"]
    world.login(client, "ada")
    assert "Classe cette année" not in client.get(url_a("person_edit", tom.pk)).text
    client.post(
        url_a("person_edit", tom.pk), edit_data(tom, last_name="Leroy-Blanc", classe=world.class_6a.pk)
    )
    assert Person.objects.get(pk=tom.pk).last_name == "Leroy-Blanc"
    assert not Enrolment.objects.filter(student=tom).exists()


def test_a_class_of_another_school_is_refused(world, client, url_a):
    alice = world.people["alice"]
    world.login(client, "ada")
    response = client.post(url_a("person_edit", alice.pk), edit_data(alice) | {"classe": world.class_6c.pk})
    assert response.status_code == 400
    assert Enrolment.objects.filter(student=alice, group=world.class_6a).exists()
    assert not Enrolment.objects.filter(student=alice, group=world.class_6c).exists()


# --- Correction requests, carried out from the person's page --------------------------------------------


def test_a_correction_request_is_carried_out_in_one_step(world, client, url_a):
    bob = world.people["bob"]
    request = CorrectionRequest.objects.create(
        person=bob, school=world.school_a, message="Mon prénom est Robert, pas Bob."
    )
    world.login(client, "ada")
    page = client.get(url_a("person", bob.pk)).text
    link = url_a("person_edit", bob.pk) + f"?demande={request.pk}"
    assert "Mon prénom est Robert, pas Bob." in page and link in page
    assert link in client.get(url_a("corrections")).text
    form = client.get(link).text
    assert "Mon prénom est Robert, pas Bob." in form and "Enregistrer et traiter la demande" in form
    response = client.post(
        url_a("person_edit", bob.pk),
        edit_data(bob, first_name="Robert", demande=str(request.pk), answer="C’est corrigé."),
        follow=True,
    )
    assert "La demande de correction est traitée" in response.text
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.DONE
    assert (request.answer, request.handled_by) == ("C’est corrigé.", world.users["ada"])
    assert Person.objects.get(pk=bob.pk).first_name == "Robert"
    # Handled: the link no longer leads anywhere.
    assert client.get(link).status_code == 404


def test_a_request_of_someone_else_or_another_school_is_not_found(world, client, url_a):
    other = CorrectionRequest.objects.create(person=world.people["alice"], school=world.school_a, message="x")
    elsewhere = CorrectionRequest.objects.create(
        person=world.people["zoe"], school=world.school_b, message="x"
    )
    bob = world.people["bob"]
    world.login(client, "ada")
    for value in (other.pk, elsewhere.pk, "²", "9" * 30, "-1"):
        url = url_a("person_edit", bob.pk) + f"?demande={value}"
        assert client.get(url).status_code == 404, value
        response = client.post(
            url_a("person_edit", bob.pk), edit_data(bob, first_name="X", demande=str(value))
        )
        assert response.status_code == 404, value
    assert Person.objects.get(pk=bob.pk).first_name == "Bob"
    other.refresh_from_db()
    assert other.status == CorrectionRequest.Status.OPEN


# --- Family links --------------------------------------------------------------------------------------


def test_add_and_remove_a_child_of_a_parent(world, client, url_a):
    gino, bob = world.people["gino"], world.people["bob"]
    world.login(client, "ada")
    assert url_a("person_family", gino.pk) in client.get(url_a("person", gino.pk)).text
    found = client.get(url_a("person_family", gino.pk), {"query": "durand"}).text
    assert "Bob DURAND (6A)" in found and "Béatrice" not in found  # only pupils for a parent
    response = client.post(
        url_a("person_family", gino.pk),
        {"other": bob.pk, "relationship": "tuteur", "legal_guardian": "on", "add": "1"},
        follow=True,
    )
    assert "Gino PETIT est désormais responsable de Bob DURAND." in response.text
    link = Guardianship.objects.get(relative=gino, student=bob)
    assert (link.relationship, link.legal_guardian) == ("tuteur", True)
    assert ("link_added", "Bob DURAND") in traces(gino) and ("link_added", "Gino PETIT") in traces(bob)

    unlink = url_a("person_unlink", gino.pk, link.pk)
    assert "ne sera plus responsable" in client.get(unlink).text
    assert Guardianship.objects.filter(pk=link.pk).exists()
    client.post(unlink)
    assert not Guardianship.objects.filter(pk=link.pk).exists()
    assert ("link_removed", "Bob DURAND") in traces(gino)


def test_a_teacher_becomes_a_pupils_guardian_and_gets_a_parent_profile(world, client, url_a):
    tom, carl = world.people["tom"], world.people["carl"]
    world.login(client, "ada")
    found = client.get(url_a("person_family", carl.pk), {"query": "leroy"}).text
    assert "Tom LEROY" in found
    client.post(url_a("person_family", carl.pk), {"other": tom.pk, "add": "1"})
    assert Guardianship.objects.filter(relative=tom, student=carl, legal_guardian=False).exists()
    assert Membership.objects.filter(person=tom, school=world.school_a, profile=Profile.RELATIVE).exists()


def test_family_changes_stay_within_the_school_and_the_rule(world, client, url_a):
    gino = world.people["gino"]
    world.login(client, "ada")
    # Zoé is a pupil of school B: not a choice, whatever is posted.
    response = client.post(url_a("person_family", gino.pk), {"other": world.people["zoe"].pk, "add": "1"})
    assert response.status_code == 400
    # A pupil who also belongs to school B: a link would open her school B data to the relative.
    directory.add_membership(world.people["bob"], world.school_b, Profile.STUDENT)
    response = client.post(url_a("person_family", gino.pk), {"other": world.people["bob"].pk, "add": "1"})
    assert response.status_code == 400 and "Collège Lumière" in response.text
    assert not Guardianship.objects.filter(relative=gino).exclude(student=world.people["carl"]).exists()
    # A link of school B (Marie and Léo) is not found through school A.
    leo_link = Guardianship.objects.get(student=world.people["leo"])
    assert client.post(url_a("person_unlink", world.people["marie"].pk, leo_link.pk)).status_code == 404
    # Staff who are neither pupils nor parents have no family page.
    assert client.get(url_a("person_family", world.people["paul"].pk)).status_code == 404


def test_marie_links_are_removed_from_alices_page_but_not_from_hers(world, client, url_a):
    """Alice is school A's alone: Ada may take Marie off her guardians. Marie's own page stays read-only."""
    link = Guardianship.objects.get(relative=world.people["marie"], student=world.people["alice"])
    world.login(client, "ada")
    client.post(url_a("person_unlink", world.people["marie"].pk, link.pk))
    assert Guardianship.objects.filter(pk=link.pk).exists()
    client.post(url_a("person_unlink", world.people["alice"].pk, link.pk))
    assert not Guardianship.objects.filter(pk=link.pk).exists()


# --- Creating someone who is there already ---------------------------------------------------------------


def new_person(**values) -> dict:
    data = {"last_name": "", "first_name": "", "profile": Profile.RELATIVE, "email": "", "birth_date": ""}
    data.update(values)
    return data


def test_creating_a_pupil_twice_warns_and_links_to_the_existing_one(world, client, url_a):
    alice = world.people["alice"]
    world.login(client, "ada")
    typed = new_person(
        last_name="MARTIN", first_name="alice", profile=Profile.STUDENT, birth_date="2015-03-14"
    ) | {"classe": world.class_6a.pk}
    response = client.post(url_a("person_new"), typed)
    assert response.status_code == 200
    assert "Cette personne existe peut-être déjà" in response.text
    assert url_a("person", alice.pk) in response.text and "alice.martin" in response.text
    assert Person.objects.filter(first_name__iexact="alice").count() == 1
    # The admin says it is someone else: created.
    response = client.post(url_a("person_new"), typed | {"confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(first_name__iexact="alice").count() == 2


def test_same_address_warns_too_and_another_birth_date_does_not(world, client, url_a):
    world.login(client, "ada")
    response = client.post(
        url_a("person_new"),
        new_person(
            last_name="Autre", first_name="Nom", email="MARC@example.test", children=[world.people["bob"].pk]
        ),
    )
    assert "Cette personne existe peut-être déjà" in response.text and "Marc MARTIN" in response.text
    response = client.post(
        url_a("person_new"),
        new_person(last_name="Martin", first_name="Alice", profile=Profile.STUDENT, birth_date="2016-03-14"),
    )
    assert response.status_code == 302


def test_people_of_another_school_are_not_shown_as_duplicates(world, client, url_a):
    world.login(client, "ada")
    response = client.post(
        url_a("person_new"),
        new_person(last_name="Bernard", first_name="Zoé", profile=Profile.STUDENT, birth_date="2015-05-09"),
    )
    assert response.status_code == 302


# --- Classes in school order -----------------------------------------------------------------------------


def test_console_lists_classes_in_school_order(world, client, url_a):
    for name, level in (("CM2", "CM2"), ("3A", ""), ("6B", "6e"), ("CP", ""), ("ULIS", ""), ("CE1", "CE1")):
        Group.objects.create(school=world.school_a, year=world.year, name=name, level=level)
    world.login(client, "ada")
    expected = ["CP", "CE1", "CM2", "6A", "6B", "5B", "3A", "ULIS"]
    for page in (
        client.get(url_a("people")).text,
        client.get(url_a("person_new")).text,
        client.get(url_a("person_edit", world.people["alice"].pk)).text,
    ):
        options = [line.split(">")[1].split("<")[0] for line in page.split("<option")[1:]]
        classes = [o for o in options if o in expected]
        assert classes == expected, classes
    letters = client.get(url_a("letters")).text
    positions = [letters.index(f"Classe {name} :") for name in expected]
    assert positions == sorted(positions)
