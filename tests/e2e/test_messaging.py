"""Browser test of the messaging: a teacher writes to the parents of 6A, Alice's mother reads it from her home
page and replies, the teacher finds the reply in the conversation."""

import re

from django_otp.oath import totp
from playwright.sync_api import expect

from cartable.messaging.models import Message
from tests.world import PASSWORD


def log_in(page, world, name: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Identifiant").fill(world.users[name].username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if name in world.devices:  # staff: their second factor, asked before the first page about pupils
        page.goto("/messagerie/")
        device = world.devices[name]
        page.get_by_label(re.compile("Code")).first.fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_url(lambda url: "/auth/mfa" not in url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_teacher_writes_to_the_parents_of_6a_and_a_mother_replies(world, page, browser, live_server):
    log_in(page, world, "tom")
    page.goto("/messagerie/")
    page.get_by_role("link", name="Écrire un message").first.click()
    page.get_by_label(re.compile("Parents d’élèves de 6A")).check()
    # The picker proposes reachable people as one types (htmx).
    page.get_by_label("Ajouter une personne").press_sequentially("roux", delay=50)
    page.get_by_label("Vera ROUX").check()
    page.get_by_label("Objet").fill("Sortie au musée jeudi")
    page.get_by_label("Message", exact=True).fill(
        "Bonjour,\n\nLa classe ira au musée jeudi matin.\n\nTom Leroy"
    )
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("Message envoyé à 4 destinataires")
    sent = Message.objects.get(subject="Sortie au musée jeudi")
    assert set(sent.recipients.values_list("person__first_name", flat=True)) == {
        "Marie",
        "Marc",
        "Béatrice",
        "Vera",
    }

    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 360, "height": 800}
    )
    marie = context.new_page()
    marie.set_default_timeout(15_000)
    log_in(marie, world, "marie")
    widget = marie.get_by_role("region", name="Messagerie")
    expect(widget).to_contain_text("1 message non lu")
    widget.get_by_role("link", name=re.compile("Sortie au musée jeudi")).click()
    expect(marie.get_by_role("heading", level=1)).to_have_text("Sortie au musée jeudi")
    expect(marie.get_by_text("La classe ira au musée jeudi matin.")).to_be_visible()
    marie.get_by_role("link", name="Répondre", exact=True).click()
    expect(marie.get_by_label("Tom LEROY")).to_be_checked()
    marie.get_by_label("Message", exact=True).fill(
        "Merci, Alice sera présente. Je peux accompagner la classe."
    )
    marie.get_by_role("button", name="Envoyer").click()
    expect(marie.get_by_role("status")).to_contain_text("Message envoyé")
    marie.goto("/")
    expect(marie.get_by_role("region", name="Messagerie")).to_contain_text("Aucun message non lu")
    context.close()

    page.goto("/messagerie/")
    page.get_by_role("link", name=re.compile("Re : Sortie au musée jeudi")).click()
    expect(page.get_by_text("Merci, Alice sera présente.")).to_be_visible()
    # The conversation shows Tom's message first, then Marie's reply.
    articles = page.locator("article")
    expect(articles).to_have_count(2)
    expect(articles.first).to_contain_text("La classe ira au musée")
    expect(articles.last).to_contain_text("Marie MARTIN")


def test_the_picker_searches_without_any_browser_error_before_a_recipient_is_chosen(world, page):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, world, "tom")
    page.goto("/messagerie/ecrire")
    page.get_by_label("Ajouter une personne").press_sequentially("roux", delay=50)
    expect(page.get_by_label("Vera ROUX")).to_be_visible()
    assert errors == []
