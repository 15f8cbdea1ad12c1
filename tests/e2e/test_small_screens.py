"""Browser tests at 360 px, without any script of ours needed: the week opens on today, the messages come
before the folder links, the cahier form before the recent sessions, and radios, checkboxes and the phone
field are targets of at least 24 px."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cartable.messaging.tests.helpers import send
from cartable.timetable.tests.helpers import course, settings_for
from tests.e2e.conftest import log_in

PARIS = ZoneInfo("Europe/Paris")
PHONE = {"width": 360, "height": 800}
WIDE = {"width": 1280, "height": 800}


@pytest.fixture
def wednesday():
    """The coming Wednesday, 10:00 in Paris (today when it is one): a day with days before it in its week.
    Forward from now, so that the browser keeps the session cookie the server sets."""
    now = dt.datetime.now(PARIS)
    day = now.date() + dt.timedelta(days=(2 - now.weekday()) % 7)
    when = dt.datetime.combine(day, dt.time(10), tzinfo=PARIS)
    with time_machine.travel(max(when, now + dt.timedelta(minutes=1)), tick=True):
        yield day


def top(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["y"]


def test_the_week_opens_on_today_with_a_link_back_to_monday(world, page, live_server, wednesday):
    log_in(page, live_server, world, "alice")
    page.set_viewport_size(PHONE)
    page.goto("/emploi-du-temps/")
    days = page.locator(".day")
    expect(days).to_have_count(5)
    today = page.locator(".day-today")
    expect(today).to_contain_text("aujourd'hui")
    # Monday and Tuesday are folded away: the list starts at today, right under the week's title.
    expect(days.nth(0)).to_be_hidden()
    expect(days.nth(1)).to_be_hidden()
    expect(today).to_be_visible()
    assert top(today) < top(days.nth(3))
    assert top(today) - top(page.locator(".week-title")) < 120
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The link back to Monday works without any script (a fragment and CSS).
    page.get_by_role("link", name="← Voir depuis lundi").click()
    expect(days.nth(0)).to_be_visible()
    expect(days.nth(0)).to_contain_text("lundi")
    assert top(days.nth(0)) < top(days.nth(1)) < top(today)
    expect(page.get_by_role("link", name="← Voir depuis lundi")).to_be_hidden()
    # On a wide screen the whole week shows side by side, without that link.
    page.goto("/emploi-du-temps/")
    page.set_viewport_size(WIDE)
    expect(days.nth(0)).to_be_visible()
    expect(page.get_by_role("link", name="← Voir depuis lundi")).to_be_hidden()
    # Another week shows from its Monday on a phone too.
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Semaine suivante →").click()
    expect(days.nth(0)).to_be_visible()
    expect(page.get_by_role("link", name="← Voir depuis lundi")).to_have_count(0)


def test_the_messages_come_before_the_folder_links_on_a_phone(world, page, live_server):
    send(world, "tom", to=["marie"], subject="Sortie au musée jeudi")
    log_in(page, live_server, world, "marie")
    page.set_viewport_size(PHONE)
    page.goto("/messagerie/")
    message = page.get_by_role("link", name="Sortie au musée jeudi")
    folders = page.get_by_role("navigation", name="Messagerie")
    write = page.get_by_role("link", name="Écrire un message")
    expect(message).to_be_visible()
    assert top(write) < top(message) < top(folders.get_by_role("link", name="Envoyés"))
    # A link leads down to the folders.
    page.get_by_role("link", name="Dossiers").click()
    expect(page).to_have_url(re.compile("#dossiers$"))
    # The same order in a message and in the other folders.
    page.goto("/messagerie/envoyes")
    assert top(page.get_by_role("heading", level=1)) < top(folders)
    # On a wide screen the folders make a column on the left of the messages.
    page.goto("/messagerie/")
    page.set_viewport_size(WIDE)
    folder_box = folders.bounding_box()
    message_box = message.bounding_box()
    assert folder_box is not None and message_box is not None
    assert folder_box["x"] + folder_box["width"] <= message_box["x"]
    expect(page.get_by_role("link", name="Dossiers")).to_be_hidden()


def test_the_cahier_form_comes_before_the_recent_sessions_on_a_phone(world, page, live_server, wednesday):
    settings_for(world, week_a_monday=wednesday - dt.timedelta(days=2))
    for weekday in range(5):
        course(world, world.class_6a, weekday=weekday, subject=world.maths, teachers=[world.person("tom")])
    log_in(page, live_server, world, "tom")
    page.set_viewport_size(PHONE)
    page.goto("/cahier-de-textes/seance/nouvelle")
    sessions = page.get_by_role("region", name="Mes séances des sept derniers jours")
    expect(sessions).to_contain_text("Mathématiques")
    title = page.get_by_label("Titre")
    save = page.get_by_role("button", name="Enregistrer la séance")
    assert top(title) < top(save) < top(sessions)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size(WIDE)
    form_box = page.locator(".entry-form").bounding_box()
    sessions_box = sessions.bounding_box()
    assert form_box is not None and sessions_box is not None
    assert sessions_box["x"] >= form_box["x"] + form_box["width"]  # beside the form
    assert abs(sessions_box["y"] - form_box["y"]) < 2


def _at_least_24_px(locator) -> None:
    count = locator.count()
    assert count > 0
    for i in range(count):
        box = locator.nth(i).bounding_box()
        assert box is not None
        assert box["width"] >= 24 and box["height"] >= 24, (i, box)


def test_radios_checkboxes_and_the_phone_field_are_24_px_at_least(world, page, live_server):
    log_in(page, live_server, world, "marie")
    page.set_viewport_size(PHONE)
    page.goto("/notifications/preferences")
    _at_least_24_px(page.locator("input[type=checkbox]:visible"))
    phone = page.get_by_label("Numéro de mobile", exact=False)
    expect(phone).to_have_attribute("type", "tel")
    _at_least_24_px(phone)
    box = phone.bounding_box()
    assert box is not None and box["width"] >= 200  # as wide as the other fields, not a tiny box
    log_in(page, live_server, world, "vera")
    page.goto(f"/emploi-du-temps/gestion/{world.school_a.uai}/absence")
    _at_least_24_px(page.locator("input[type=radio]"))
    page.goto(f"/emploi-du-temps/gestion/{world.school_a.uai}/cours/nouveau")
    _at_least_24_px(page.locator("input[type=checkbox]"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
