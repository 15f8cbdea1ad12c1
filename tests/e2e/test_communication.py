"""Browser tests of the communication rules console: the ADML opens classmates to pupils with the keyboard-
usable matrix, checks "can Alice write to Bob" with the search-as-you-type pickers, and stops pupils from
sending with the kill-switch, on a phone-sized screen."""

import re

from playwright.sync_api import expect

from cartable.communication.rules import can_write, may_send
from tests.e2e.conftest import log_in


def test_ada_opens_classmates_checks_and_stops_pupils(world, page, live_server):
    log_in(page, live_server, world, "ada")
    uai = world.school_a.uai
    page.goto(f"/admin-ecole/{uai}/personnes")
    page.get_by_role("link", name="Règles de communication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Règles de communication")

    box = page.get_by_label("Élève vers Élèves, Dans la classe")
    expect(box).not_to_be_checked()
    box.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Enregistrer les règles").click()
    expect(page.get_by_text("Les règles de communication sont enregistrées.")).to_be_visible()
    assert can_write(world.alice, world.person("bob"))

    page.get_by_role("link", name="Vérifier si une personne peut écrire à une autre").click()
    page.get_by_label("Chercher par nom").first.fill("alice")
    page.get_by_label(re.compile("Alice MARTIN")).check()  # the list came in as she typed
    page.get_by_label("Chercher par nom").nth(1).fill("durand bob")
    page.get_by_label(re.compile("Bob DURAND")).check()
    page.get_by_role("button", name="Chercher et vérifier").click()
    expect(page.get_by_text("Oui : Alice MARTIN peut écrire à Bob DURAND.")).to_be_visible()
    rule = re.compile("^Autorisé par la règle « Élève → Élèves, dans la classe")
    expect(page.get_by_text(rule)).to_be_visible()

    page.get_by_role("link", name="Coupure de la messagerie").click()
    page.get_by_role("button", name="Couper l’envoi (Élève)").click()
    page.get_by_role("button", name="Oui, couper l’envoi").click()
    expect(page.get_by_text("Coupé depuis le")).to_be_visible()
    assert not may_send(world.alice)
    assert may_send(world.marie)
