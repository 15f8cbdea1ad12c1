"""Password reset by an emailed link, for accounts with an address; no way to learn who has an account."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cartable.accounts import actions
from cartable.accounts.models import User
from cartable.accounts.tests.helpers import text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Retour-En-Classe-Avec-Cartable"


def link_in(message, settings) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/auth/password/reset/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_page_explains_what_to_do_without_an_email(client, world):
    content = text(client.get(reverse("accounts:password_reset")))
    assert "administrateur ENT" in content


def test_reset_by_email_link(world, client, settings, ask_link):
    other_session = Client()
    world.login(other_session, "marie")

    response = ask_link(client, "MARIE@example.test")
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marie@example.test"]
    assert "Cartable" in message.subject
    assert "expire dans 1 heure" in message.body

    form_url = client.get(link_in(message, settings)).url
    page = client.get(form_url)
    assert 'data-strength="password-strength"' in text(page)

    weak = client.post(form_url, {"password1": "court", "password2": "court"})
    assert "Mot de passe trop faible" in text(weak)

    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.url == reverse("accounts:password_reset_complete")
    marie = world.users["marie"]
    marie.refresh_from_db()
    assert marie.check_password(NEW_PASSWORD)
    assert marie.password.startswith("argon2$argon2id$")
    # Someone who had the old password is logged out.
    assert other_session.get("/")["Location"].startswith(reverse("accounts:login"))
    # The link served once.
    assert "plus valable" in text(Client().get(link_in(message, settings), follow=True))


def test_unknown_address_gets_the_same_page_and_no_email(world, client, ask_link):
    known = ask_link(client, "marie@example.test")
    unknown = ask_link(client, "personne@example.test")
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert len(mail.outbox) == 1


def test_blocked_accounts_get_no_link(world, client, ask_link):
    actions.block_user(world.users["marie"])
    assert ask_link(client, "marie@example.test").status_code == 302
    assert mail.outbox == []


def test_a_link_sent_before_blocking_stops_working(world, client, settings, ask_link):
    ask_link(client, "marie@example.test")
    actions.block_user(world.users["marie"])
    page = client.get(link_in(mail.outbox[0], settings), follow=True)
    assert "plus valable" in text(page)


def test_a_link_sent_before_deactivation_stops_working(world, client, settings, ask_link):
    ask_link(client, "marie@example.test")
    User.objects.filter(pk=world.users["marie"].pk).update(is_active=False)
    page = client.get(link_in(mail.outbox[0], settings), follow=True)
    assert "plus valable" in text(page)


def test_accounts_not_yet_activated_get_no_link(world, client, ask_link):
    # They have no password: the activation letter is their way in.
    actions.reset_password_by_admin(world.users["marie"])
    ask_link(client, "marie@example.test")
    assert mail.outbox == []


def test_reset_requests_are_limited_per_address(client, world, settings):
    from django.core import mail

    settings.PASSWORD_RESET_REQUESTS_PER_IP = 3
    for _ in range(3):
        assert client.post("/auth/password/reset", {"email": "marie@example.test"}).status_code == 302
    sent = len(mail.outbox)
    response = client.post("/auth/password/reset", {"email": "marie@example.test"})
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert len(mail.outbox) == sent
    other = client.post("/auth/password/reset", {"email": "marc@example.test"}, REMOTE_ADDR="127.0.0.2")
    assert other.status_code == 302
