"""Virtual classes on a 360 px phone without any script, against a BigBlueButton API server on 127.0.0.1:
the teacher schedules one and opens it, a pupil of the class joins it. The join button's form is redirected
to the server's origin, which the page's Content-Security-Policy (form-action) must allow; nothing scrolls
sideways."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cartable.visio.models import VirtualClass
from cartable.visio.tests.bbb_server import SECRET, BbbServer
from cartable.visio.tests.helpers import scheduled
from tests.e2e.conftest import log_in

PHONE = {"width": 360, "height": 800}


@pytest.fixture
def bbb_server(settings):
    server = BbbServer().start()
    settings.BBB_URL = server.url.rstrip("/")
    settings.BBB_SECRET = SECRET
    yield server
    server.stop()


@pytest.fixture
def no_script_page(browser, live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def client_page(server: BbbServer) -> str:
    """Where the server sends someone who joined: its web client."""
    return server.url.removesuffix("/bigbluebutton/") + "/html5client/**"


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_teacher_schedules_and_opens_a_pupil_joins_on_a_phone_without_script(
    world, no_script_page, live_server, bbb_server
):
    page = no_script_page
    log_in(page, live_server, world, "tom")
    page.goto("/classes-virtuelles/nouvelle")
    page.get_by_label("Titre").fill("Révisions du contrôle")
    page.get_by_label("Classe ou groupe").select_option(label="6A")
    page.get_by_label("Jour").fill((timezone.localdate() + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Début").fill("10:00")
    page.get_by_label("Fin").fill("11:00")
    fits(page)
    page.get_by_role("button", name="Programmer").click()
    expect(page.get_by_text("La classe virtuelle est programmée.")).to_be_visible()
    fits(page)
    assert VirtualClass.objects.get(title="Révisions du contrôle").group == world.class_6a

    now_class = scheduled(world, title="Cours à distance")
    page.goto(f"/classes-virtuelles/{now_class.pk}/")
    fits(page)
    page.get_by_role("button", name="Ouvrir la classe virtuelle").click()
    page.wait_for_url(client_page(bbb_server))  # at the server, past the form-action check
    assert bbb_server.meetings[now_class.meeting_id].attendees == [("Tom LEROY", "MODERATOR")]

    log_in(page, live_server, world, "alice")
    page.goto("/classes-virtuelles/")
    fits(page)
    page.get_by_role("link", name="Cours à distance").click()
    page.get_by_role("button", name="Rejoindre la classe virtuelle").click()
    page.wait_for_url(client_page(bbb_server))
    assert bbb_server.meetings[now_class.meeting_id].attendees[-1] == ("Alice MARTIN", "VIEWER")
    assert all(call.checksum_ok for call in bbb_server.calls)
