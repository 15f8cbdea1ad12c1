"""The Médiacentre in the browser at 360 px: with scripts switched off, a pupil searches and marks a favourite
(plain forms), the page does not scroll sideways; with them on, axe-core finds no serious violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cartable.gar.models import GarIdentity, SchoolResource
from cartable.gar.tests.https_server import Authority, GarServer, resource
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import serious_violations

WIDTH = 360


@pytest.fixture
def gar(tmp_path, settings, world):
    authority = Authority(tmp_path / "pki")
    client = authority.issue("ent.cartable.test", server=False)
    server = GarServer(authority).start()
    settings.GAR_RESOURCES_URL = server.url
    settings.GAR_CLIENT_CERT, settings.GAR_CLIENT_KEY = str(client.cert), str(client.key)
    settings.GAR_CA_FILE = str(authority.pem.cert)
    ido = GarIdentity.objects.create(person=world.person("alice")).ido
    server.lists[(world.school_a.uai, ido)] = [
        resource("ark:/1/MATHS6", "Maths 6e — manuel numérique avec un titre assez long", editor="Hélice"),
        resource("ark:/1/DICO", "Dictionnaire Le Robert junior", editor="Le Robert", type_code="MUL"),
    ]
    SchoolResource.objects.create(
        school=world.school_a,
        title="Catalogue du CDI",
        url="https://cdi.example.test/opac",
        description="Les livres du CDI",
        profiles=["Student", "Teacher", "Personnel"],
    )
    yield server
    server.stop()


def phone_page(browser, live_server, settings, *, scripts: bool):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": WIDTH, "height": 780},
        java_script_enabled=scripts,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_search_and_favourite_without_scripts_on_a_phone(world, gar, browser, live_server, settings):
    context, page = phone_page(browser, live_server, settings, scripts=False)
    try:
        log_in(page, live_server, world, "alice")
        page.goto("/mediacentre/")
        expect(page.get_by_role("heading", name="Médiacentre", level=1)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        page.get_by_label("Rechercher (nom, éditeur, type)").fill("robert")
        page.get_by_role("button", name="Rechercher", exact=True).click()
        cards = page.locator(".mediacentre-card")
        expect(cards).to_have_count(1)  # the dictionary; no link of the school matches
        page.get_by_role("button", name="Ajouter aux favoris").click()
        expect(page.locator(".messages")).to_contain_text("est dans vos favoris")
        assert "q=robert" in page.url  # the search is kept
        page.get_by_role("link", name="Tout afficher").click()
        expect(page.locator(".mediacentre-card h3").first).to_contain_text("Dictionnaire Le Robert junior")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    finally:
        context.close()


def test_the_mediacentre_and_its_links_pages_pass_axe_on_a_phone(world, gar, browser, live_server, settings):
    from tests.e2e.test_accessibility import AXE

    if not AXE.exists():
        pytest.skip("axe-core is not installed")
    axe = AXE.read_text()
    context, page = phone_page(browser, live_server, settings, scripts=True)
    try:
        found = {}
        for name, url in (
            ("alice", "/mediacentre/"),
            ("paul", f"/mediacentre/etablissement/{world.school_a.uai}/liens"),
            ("paul", f"/mediacentre/etablissement/{world.school_a.uai}/liens/nouveau"),
        ):
            log_in(page, live_server, world, name)
            assert page.goto(url).status == 200, url
            assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, url
            violations = serious_violations(page, axe)
            if violations:
                found[url] = violations
        assert not found, found
    finally:
        context.close()
