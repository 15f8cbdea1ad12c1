"""Browser smoke tests in headless chromium: the first steps a family and a pupil take."""

import io
import re

from django.contrib.auth.hashers import make_password
from django.test import Client
from playwright.sync_api import expect
from pypdf import PdfReader

from cartable.accounts.models import User
from cartable.notifications.models import DeliverySettings
from tests.world import PASSWORD

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
NEW_PASSWORD = "Mon-Cartable-Familial-2026"


def code_from_letter(world, name: str, admin_name: str = "ada") -> str:
    """An admin prints the person's activation letter; the code is read off the PDF."""
    admin = world.login(Client(), admin_name)
    person = world.person(name)
    response = admin.post(f"/admin-ecole/{world.school_a.uai}/lettres", {"person": person.pk})
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert person.user.username in text
    return CODE.search(text).group(0)


def test_guardian_activates_with_the_letter_and_sees_both_children(world, page):
    # Marie's account as the directory feed created it: never activated, charter never accepted.
    User.objects.filter(pk=world.marie.pk).update(activated_at=None, password=make_password(None))
    world.marie.charter_acceptances.all().delete()
    # Marie has children in both schools: neither school's ADML alone may give her a code, the platform
    # admin may.
    code = code_from_letter(world, "marie", "root")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    page.get_by_role("link", name=re.compile("Première connexion")).click()
    page.get_by_label("Identifiant").fill("marie.martin")
    # Typed as a parent would: lower case, spaces instead of dashes.
    page.get_by_label("Code d'activation").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Continuer").click()

    page.get_by_label("Nouveau mot de passe").fill("court")
    page.get_by_label("Confirmez le mot de passe").fill("court")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()

    expect(page).to_have_url(re.compile(r"/auth/charter"))
    page.get_by_label("J'ai lu et j'accepte la charte").check()
    page.get_by_role("button", name="Valider").click()

    # The optional step: her mobile number (the email address the school gave stays as it is).
    expect(page).to_have_url(re.compile(r"/auth/activate/contact"))
    page.get_by_label("Numéro de mobile").fill("06 12 34 56 78")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page).to_have_url(re.compile(r"/auth/welcome"))
    expect(page.get_by_role("link", name=re.compile("informations", re.IGNORECASE)).first).to_be_visible()
    page.get_by_role("link", name="Continuer vers l'accueil").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Marie")
    children = page.get_by_role("region", name="Mes enfants")
    expect(children).to_contain_text("Alice")
    expect(children).to_contain_text("Léo")

    user = User.objects.get(pk=world.marie.pk)
    assert user.password.startswith("argon2$argon2id$")
    assert user.charter_acceptances.filter(charter=world.charter).exists()
    assert DeliverySettings.objects.get(person=world.person("marie")).sms_phone == "+33612345678"


def test_pupil_cannot_open_a_classmates_profile(world, page):
    page.goto("/auth/login")
    page.get_by_label("Identifiant").fill("alice.martin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alice")

    own = page.goto(f"/annuaire/personne/{world.person('alice').pk}")
    assert own.status == 200
    classmate = page.goto(f"/annuaire/personne/{world.person('bob').pk}")
    assert classmate.status == 404
    expect(page.get_by_text("Bob")).to_have_count(0)
