"""Browser test of the timeline: a mother reads the events about each of her children on her home page, marks
them read (htmx, then without it on the full page) and chooses her emails in the preferences."""

import re

import pytest
from playwright.sync_api import expect

from cartable.notifications import actions, kinds
from cartable.notifications.kinds import Channel, EventKind
from tests.world import PASSWORD

KIND = "tests.e2e"


@pytest.fixture
def outing_kind():
    kinds.register_kind(
        EventKind(
            code=KIND,
            label="Sortie scolaire",
            text=lambda data: f"Sortie prévue : {data['place']}",
            default_channel=Channel.IMMEDIATE,
        )
    )
    yield
    kinds.KINDS.pop(KIND, None)


def log_in(page, world, name: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Identifiant").fill(world.users[name].username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def test_mother_follows_both_children_on_her_timeline(world, page, outing_kind):
    alice, leo = world.person("alice"), world.person("leo")
    actions.publish(KIND, recipients=[world.person("marie")], about=alice, data={"place": "musée"}, url="/")
    actions.publish(KIND, recipients=[alice], about=alice, data={"place": "piscine"})
    actions.publish(KIND, recipients=[leo], about=leo, data={"place": "ferme"})

    log_in(page, world, "marie")
    page.goto(f"/?enfant={alice.pk}")
    header = page.get_by_role("navigation", name="Mon compte")
    expect(header.get_by_role("link", name="Notifications 1 non lues")).to_be_visible()
    timeline = page.get_by_role("region", name="Fil d'actualité — moi et Alice")
    expect(timeline.get_by_role("link", name="Sortie prévue : musée")).to_be_visible()
    expect(timeline.get_by_text("Sortie prévue : piscine")).to_be_visible()
    expect(timeline.get_by_text("Sortie prévue : ferme")).to_have_count(0)

    # htmx swaps the entry in place: no reload, the highlight goes.
    entry = timeline.locator(".timeline-entry.unread")
    expect(entry).to_have_count(1)
    entry.get_by_role("button", name=re.compile("^Marquer comme lue")).click()
    expect(timeline.locator(".timeline-entry.unread")).to_have_count(0)
    expect(page).to_have_url(f"{page.url.split('?')[0]}?enfant={alice.pk}")

    page.get_by_role("link", name="Léo").click()
    timeline = page.get_by_role("region", name="Fil d'actualité — moi et Léo")
    expect(timeline.get_by_text("Sortie prévue : ferme")).to_be_visible()
    expect(timeline.get_by_text("Sortie prévue : piscine")).to_have_count(0)

    # The full page works with plain forms.
    actions.publish(KIND, recipients=[world.person("marie")], data={"place": "théâtre"})
    page.goto("/notifications/")
    expect(page.get_by_text("1 notification non lue")).to_be_visible()
    page.get_by_role("button", name="Tout marquer comme lu").click()
    expect(page.get_by_text("Toutes vos notifications sont marquées comme lues.")).to_be_visible()
    expect(page.get_by_text("Aucune notification non lue.")).to_be_visible()

    page.goto("/preferences")
    page.get_by_label("Sortie scolaire").select_option("digest")
    page.get_by_label("Fin des heures calmes").fill("06:30")
    page.get_by_role("button", name="Enregistrer").last.click()
    expect(page.get_by_text("Vos préférences de notification sont enregistrées.")).to_be_visible()
    expect(page.get_by_label("Sortie scolaire")).to_have_value("digest")
    expect(page.get_by_label("Fin des heures calmes")).to_have_value("06:30")
