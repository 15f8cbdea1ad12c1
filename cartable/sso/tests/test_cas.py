"""The CAS 3.0 server with the permission world: who gets a ticket, what a ticket is worth, once."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.test import Client

from cartable.accounts.models import LoginEvent
from cartable.sso import access, actions, tickets
from cartable.sso.tests.conftest import MOODLE, PRONOTE
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db
NS = {"cas": "http://www.yale.edu/tp/cas"}


def text(root, path: str) -> str:
    found = root.find(path, NS)
    assert found is not None and found.text is not None, ET.tostring(root)
    return found.text


def login_url(service: str, **extra: str) -> str:
    return "/cas/login?" + urlencode({"service": service, **extra})


def ticket_for(client: Client, service: str = PRONOTE) -> str:
    response = client.get(login_url(service))
    assert response.status_code == 302, response.content[:300]
    location = response["Location"]
    assert location.startswith(service)
    return parse_qs(urlsplit(location).query)["ticket"][0]


def validate(ticket: str, service: str = PRONOTE, path: str = "/cas/p3/serviceValidate", **extra: str):
    response = Client().get(path + "?" + urlencode({"service": service, "ticket": ticket, **extra}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def failure_code(root) -> str | None:
    failure = root.find("cas:authenticationFailure", NS)
    return None if failure is None else failure.get("code")


def attributes_of(root) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in root.find("cas:authenticationSuccess/cas:attributes", NS):
        found.setdefault(element.tag.split("}")[1], []).append(element.text or "")
    return found


def test_a_pupil_of_school_a_gets_a_ticket_and_its_attributes(world, as_user, pronote):
    ticket = ticket_for(as_user("alice"))
    assert ticket.startswith("ST-") and len(ticket) > 35
    root = validate(ticket)
    assert text(root, "cas:authenticationSuccess/cas:user") == world.alice.username
    values = attributes_of(root)
    assert values["ENTPersonProfils"] == ["National_ELV"]
    assert values["ENTPersonStructRattach"] == [world.school_a.uai]
    assert values["ENTEleveClasses"] == [f"{world.school_a.uai}$6A"]
    assert values["classes"] == ["6A"]
    # Released as configured, nothing more.
    assert "mail" not in values and "sn" not in values
    event = LoginEvent.objects.get(user=world.alice, kind=LoginEvent.Kind.APP_LOGIN)
    assert event.detail == "Pronote"


def test_a_teacher_gets_their_school_and_their_classes(world, as_user, pronote):
    values = attributes_of(validate(ticket_for(as_user("tom"))))
    assert values["ENTPersonProfils"] == ["National_ENS"]
    assert values["ENTPersonStructRattach"] == [world.school_a.uai]
    assert values["classes"] == ["6A"]


@pytest.mark.parametrize("name", ["marie", "vera", "ada", "leo", "xavier", "zack"])
def test_who_the_school_did_not_enable_it_for_is_refused(world, as_user, pronote, name):
    """Guardians (profile offered but not enabled), staff (not offered), school B (not enabled there)."""
    response = as_user(name).get(login_url(PRONOTE))
    assert response.status_code == 403
    assert "ticket" not in response.get("Location", "")
    assert not LoginEvent.objects.filter(kind=LoginEvent.Kind.APP_LOGIN).exists()


def test_an_application_enabled_nowhere_and_an_unknown_service_are_refused(world, as_user, moodle):
    client = as_user("alice")
    assert client.get(login_url(MOODLE)).status_code == 403
    assert client.get(login_url("https://evil.example.test/eleve/")).status_code == 403
    # Same host, another port or scheme, or a path that only starts with the same letters: not the service.
    for lookalike in (
        "https://moodle.example.test:8443/login/",
        "http://moodle.example.test/login/",
        "https://moodle.example.test/login-evil/",
        "https://moodle.example.test.evil.test/login/",
    ):
        assert access.app_for_service(lookalike) is None


def test_gateway_without_a_session_goes_back_without_a_ticket(pronote):
    response = Client().get(login_url(PRONOTE, gateway="true"))
    assert response.status_code == 302 and response["Location"] == PRONOTE


def test_not_logged_in_goes_through_cartables_login_and_back(world, pronote):
    client = Client()
    response = client.get(login_url(PRONOTE))
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/login?next=")
    response = client.post(response["Location"], {"username": world.alice.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/cas/login?service=")
    assert ticket_for(client)


def test_a_ticket_serves_once(as_user, pronote):
    ticket = ticket_for(as_user("alice"))
    assert failure_code(validate(ticket)) is None
    assert failure_code(validate(ticket)) == "INVALID_TICKET"


def test_a_ticket_for_service_a_is_refused_for_service_b_and_is_spent(as_user, pronote):
    ticket = ticket_for(as_user("alice"), PRONOTE + "notes")
    assert failure_code(validate(ticket, PRONOTE + "agenda")) == "INVALID_SERVICE"
    assert failure_code(validate(ticket, PRONOTE + "notes")) == "INVALID_TICKET"


def test_an_expired_ticket_is_refused(as_user, pronote, settings):
    with time_machine.travel("2026-12-03 08:00:00 +0000", tick=False) as clock:
        ticket = ticket_for(as_user("alice"))
        clock.shift(settings.CAS_SERVICE_TICKET_SECONDS + 1)
        assert failure_code(validate(ticket)) == "INVALID_TICKET"


def test_a_ticket_within_its_lifetime_is_accepted_with_a_frozen_clock(as_user, pronote, settings):
    with time_machine.travel("2026-12-03 08:00:00 +0000", tick=False) as clock:
        ticket = ticket_for(as_user("alice"))
        clock.shift(settings.CAS_SERVICE_TICKET_SECONDS - 1)
        assert failure_code(validate(ticket)) is None


def test_a_blocked_account_loses_its_ticket(world, as_user, pronote):
    ticket = ticket_for(as_user("alice"))
    world.alice.session_generation += 1  # logged out everywhere, or blocked, since the ticket was made
    world.alice.save(update_fields=["session_generation"])
    assert failure_code(validate(ticket)) == "INVALID_TICKET"


def test_a_forged_or_missing_ticket(pronote):
    assert failure_code(validate("ST-forged")) == "INVALID_TICKET"
    assert failure_code(validate("")) == "INVALID_REQUEST"
    assert failure_code(validate("PGT-" + "x" * 40)) == "INVALID_TICKET"


def test_staff_who_owe_their_second_factor_get_no_ticket(world, as_user, pronote):
    response = as_user("tom", verified=False).get(login_url(PRONOTE))
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/mfa")


def test_renew_asks_for_the_password_again(world, as_user, pronote):
    client = as_user("alice")
    response = client.get(login_url(PRONOTE, renew="true"))
    assert response.status_code == 200
    assert b'name="password"' in response.content
    response = client.post(login_url(PRONOTE, renew="true"), {"password": "wrong"})
    assert response.status_code == 401


def test_the_school_admin_enables_an_application_for_a_profile(world, as_user, moodle):
    client = as_user("ada")
    page = client.get(f"/admin-ecole/{world.school_a.uai}/applications-connectees")
    assert page.status_code == 200 and b"Moodle" in page.content
    client.post(
        f"/admin-ecole/{world.school_a.uai}/applications-connectees", {f"app-{moodle.pk}-Student": "on"}
    )
    assert ticket_for(as_user("alice"), MOODLE)
    assert as_user("tom").get(login_url(MOODLE)).status_code == 403
    # Another school's admin reaches nothing of school A.
    assert (
        as_user("bruno").get(f"/admin-ecole/{world.school_a.uai}/applications-connectees").status_code == 404
    )


def test_the_launcher_shows_the_tile_to_those_allowed_only(world, as_user, pronote):
    assert b"Pronote" in as_user("alice").get("/").content
    assert b"Pronote" not in as_user("marie").get("/").content
    assert b"Pronote" not in as_user("leo").get("/").content


def test_logout_tells_each_service_in_the_background(
    world, as_user, pronote, django_capture_on_commit_callbacks
):
    client = as_user("alice")
    ticket = ticket_for(client)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get("/cas/logout?" + urlencode({"service": PRONOTE}))
    assert response.status_code == 302 and response["Location"] == PRONOTE
    assert len(callbacks) == 1
    assert client.get("/").status_code == 302  # logged out
    assert ticket.startswith("ST-")


def test_proxy_tickets(world, as_user, pronote, settings):
    """A proxy-granting ticket made by hand (the callback itself is tested with the live client)."""
    import time

    granting = tickets.issue(
        tickets.Ticket(
            kind=tickets.PROXY_GRANTING,
            user_id=world.alice.pk,
            app_id=pronote.pk,
            service=PRONOTE + "callback",
            issued_at=time.time(),
            session_generation=world.alice.session_generation,
            proxies=(PRONOTE + "callback",),
        )
    )
    response = Client().get("/cas/proxy?" + urlencode({"pgt": granting, "targetService": PRONOTE + "api"}))
    root = ET.fromstring(response.content)
    pt = text(root, "cas:proxySuccess/cas:proxyTicket")
    assert pt.startswith("PT-")
    # A proxy ticket is not a service ticket.
    assert failure_code(validate(pt, PRONOTE + "api")) == "INVALID_TICKET_SPEC"
    response = Client().get("/cas/proxy?" + urlencode({"pgt": granting, "targetService": PRONOTE + "api"}))
    pt = text(ET.fromstring(response.content), "cas:proxySuccess/cas:proxyTicket")
    root = validate(pt, PRONOTE + "api", path="/cas/proxyValidate")
    assert text(root, "cas:authenticationSuccess/cas:proxies/cas:proxy") == PRONOTE + "callback"
    # A target the person may not use.
    response = Client().get("/cas/proxy?" + urlencode({"pgt": granting, "targetService": MOODLE}))
    assert b"UNAUTHORIZED_SERVICE_PROXY" in response.content


def test_callbacks_are_https_except_loopback_when_allowed(settings):
    from cartable.sso import cas

    settings.CAS_ALLOW_LOCAL_HTTP_CALLBACK = False
    assert cas.callback_allowed("https://pronote.example.test/cb")
    assert not cas.callback_allowed("http://127.0.0.1:8000/cb")
    settings.CAS_ALLOW_LOCAL_HTTP_CALLBACK = True
    assert cas.callback_allowed("http://127.0.0.1:8000/cb")
    assert not cas.callback_allowed("http://pronote.example.test/cb")


def test_the_command_registers_and_enables(world, capsys):
    from django.core.management import call_command

    call_command(
        "add_connected_app",
        "--name",
        "CDI",
        "--protocol",
        "cas",
        "--url",
        "https://cdi.example.test/",
        "--schools",
        world.school_b.uai,
        "--profiles",
        "Student",
    )
    app_id = int(capsys.readouterr().out.strip())
    app = next(a for a in access.active_apps() if a.pk == app_id)
    assert app.enabled == {world.school_b.pk: frozenset({"Student"})}
    assert access.can_use(world.users["leo"], app) and not access.can_use(world.alice, app)


def test_only_the_platform_admin_registers(world, moodle):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.register_app(world.users["ada"], name="X", protocol="cas", service_urls=["https://x.test/"])
    with pytest.raises(PermissionDenied):
        actions.set_school_profiles(world.users["bruno"], world.school_a, moodle, ["Student"])


def test_cartables_own_logout_button_tells_the_services_too(
    as_user, pronote, django_capture_on_commit_callbacks
):
    client = as_user("alice")
    ticket_for(client)
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post("/auth/logout").status_code == 302
    assert len(callbacks) == 1


def test_a_new_charter_is_accepted_before_any_ticket(world, as_user, pronote):
    from cartable.accounts import actions as account_actions

    client = as_user("alice")
    account_actions.publish_charter("Charte 2027", "Je respecte les autres.")
    response = client.get(login_url(PRONOTE))
    assert response.status_code == 302 and response["Location"].startswith("/auth/charter")
    assert not LoginEvent.objects.filter(kind=LoginEvent.Kind.APP_LOGIN).exists()


def test_a_blocked_account_is_logged_out_before_any_ticket(world, as_user, pronote):
    from django.utils import timezone

    client = as_user("alice")
    world.alice.blocked_at = timezone.now()
    world.alice.save(update_fields=["blocked_at"])
    response = client.get(login_url(PRONOTE))
    assert response.status_code == 302 and response["Location"].startswith("/auth/login")
    assert not LoginEvent.objects.filter(kind=LoginEvent.Kind.APP_LOGIN).exists()
