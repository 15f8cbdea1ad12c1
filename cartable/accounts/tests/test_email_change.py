"""A person adds or changes their own email address: used only once confirmed by the link sent to it (once,
before it expires, by the account's owner only); then notifications and "mot de passe oublié" reach it."""

import re
import time
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from cartable.accounts import actions, email_change
from cartable.accounts.models import LoginEvent, User
from cartable.accounts.tests.helpers import text
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "marie.martin@courriel.test"


@pytest.fixture
def send_emails(run_tasks, django_capture_on_commit_callbacks):
    """Do something that queues emails, then let the worker send them."""

    def go(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        run_tasks()
        return result

    return go


def change_email(client, email, password=PASSWORD, **more):
    return client.post(reverse("portal:contact"), {"email": email, "current_password": password, **more})


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/auth/email/confirm/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def marie(world) -> User:
    return User.objects.get(pk=world.marie.pk)


def test_a_new_address_is_used_only_once_confirmed(world, client, send_emails, ask_link):
    world.login(client, "marie")
    response = send_emails(change_email, client, NEW)
    assert response.status_code == 302 and response.url == reverse("portal:me")

    # The link goes to the new address; the old one keeps working until then.
    (message,) = mail.outbox
    assert message.to == [NEW]
    assert "marie.martin" in message.body and "expire dans 3 jours" in message.body
    user = marie(world)
    assert user.email == "marie@example.test" and user.pending_email == NEW
    assert "en attente de confirmation" in text(client.get(reverse("portal:me")))
    assert LoginEvent.objects.filter(user=user, kind=LoginEvent.Kind.EMAIL_REQUESTED).exists()

    # No password reset reaches the unconfirmed address; the old one still gets them.
    mail.outbox.clear()
    ask_link(Client(), NEW)
    assert mail.outbox == []
    ask_link(Client(), "marie@example.test")
    assert [m.to for m in mail.outbox] == [["marie@example.test"]]

    # Opening the link shows what will change; confirming does it.
    mail.outbox.clear()
    link = confirmation_link(message)
    assert NEW in text(client.get(link))
    confirmed = send_emails(client.post, link)
    assert confirmed.status_code == 302
    user = marie(world)
    assert user.email == NEW and user.pending_email == "" and user.pending_email_since is None
    assert LoginEvent.objects.filter(user=user, kind=LoginEvent.Kind.EMAIL_CONFIRMED).exists()
    # The address no longer used is told.
    (notice,) = mail.outbox
    assert notice.to == ["marie@example.test"] and "marie.martin" in notice.body

    # The password reset now reaches the new address, and the old one gets nothing.
    mail.outbox.clear()
    ask_link(Client(), "marie@example.test")
    assert mail.outbox == []
    ask_link(Client(), NEW)
    assert [m.to for m in mail.outbox] == [[NEW]]


def test_the_link_works_once(world, client, send_emails):
    world.login(client, "marie")
    send_emails(change_email, client, NEW)
    link = confirmation_link(mail.outbox[0])
    client.post(link)
    assert marie(world).email == NEW
    again = client.post(link)
    assert again.status_code == 400
    assert "pas valable" in text(again)
    assert client.get(link).status_code == 400


def test_the_link_expires(world, client, send_emails, settings):
    world.login(client, "marie")
    send_emails(change_email, client, NEW)
    link = confirmation_link(mail.outbox[0])
    later = time.time() + settings.EMAIL_CONFIRMATION_TIMEOUT + 60
    # Only the signature's clock moves on: the session itself must not time out.
    with mock.patch.object(signing, "time", mock.Mock(time=lambda: later)):
        assert client.get(link).status_code == 400
        assert client.post(link).status_code == 400
    assert marie(world).email == "marie@example.test"
    # Within its lifetime it works.
    assert client.post(link).status_code == 302


def test_a_forged_token_fails(world, client, send_emails):
    world.login(client, "marie")
    send_emails(change_email, client, NEW)
    token = confirmation_link(mail.outbox[0]).rsplit("/", 1)[1]
    user = marie(world)
    assert user.pending_email_since is not None
    since = user.pending_email_since.isoformat()
    content = signing.loads(token, salt=email_change.SALT)
    assert content["t"] == since
    assert NEW not in str(content)  # links end up in logs: the address is not in them
    forgeries = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # a changed signature
        # The right content, signed with another salt (as if taken from another kind of link)…
        signing.dumps(content, salt="cartable.notifications.unsubscribe"),
        # … or with another key.
        signing.dumps(content, salt=email_change.SALT, key="not-the-secret"),
        # Another account's id in a token signed for nobody.
        signing.dumps(content | {"u": world.marc.pk}, salt=email_change.SALT, key="not-the-secret"),
        "not-a-token",
    ]
    for forged in forgeries:
        response = client.post(reverse("accounts:email_confirm", args=[forged]))
        assert response.status_code == 400, forged
    assert marie(world).email == "marie@example.test"


def test_another_users_link_fails(world, client, send_emails):
    marc = Client()
    world.login(marc, "marc")
    send_emails(change_email, marc, "marc.martin@courriel.test")
    link = confirmation_link(mail.outbox[0])
    # Marie, logged in, opens Marc's link: nothing happens to either account.
    world.login(client, "marie")
    assert client.get(link).status_code == 400
    assert client.post(link).status_code == 400
    assert marie(world).email == "marie@example.test"
    marc_user = User.objects.get(pk=world.marc.pk)
    assert marc_user.email == "marc@example.test"
    assert marc_user.pending_email == "marc.martin@courriel.test"
    # Without a session, the link asks to log in first.
    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    # Marc himself can.
    assert marc.post(link).status_code == 302
    assert User.objects.get(pk=world.marc.pk).email == "marc.martin@courriel.test"


def test_a_newer_address_or_a_cancel_makes_older_links_fail(world, client, send_emails):
    world.login(client, "marie")
    send_emails(change_email, client, NEW)
    first = confirmation_link(mail.outbox[0])
    send_emails(change_email, client, "autre@courriel.test")
    second = confirmation_link(mail.outbox[1])
    assert mail.outbox[1].to == ["autre@courriel.test"]
    assert client.post(first).status_code == 400
    client.post(reverse("portal:contact"), {"action": "cancel"})
    assert client.post(second).status_code == 400
    assert marie(world).email == "marie@example.test"


def test_resend_gives_a_new_link_and_the_old_one_stops(world, client, send_emails):
    world.login(client, "marie")
    send_emails(change_email, client, NEW)
    first = confirmation_link(mail.outbox[0])
    time.sleep(0.001)
    send_emails(client.post, reverse("portal:contact"), {"action": "resend"})
    second = confirmation_link(mail.outbox[1])
    assert mail.outbox[1].to == [NEW]
    assert client.post(first).status_code == 400
    assert client.post(second).status_code == 302


def test_the_password_is_asked_to_change_the_address(world, client, send_emails):
    world.login(client, "marie")
    wrong = send_emails(change_email, client, NEW, password="pas le bon")
    assert wrong.status_code == 200
    content = text(wrong)
    assert "Tapez votre mot de passe actuel" in content
    assert NEW in content  # nothing typed is lost
    assert mail.outbox == [] and marie(world).pending_email == ""


def test_bad_addresses_are_refused_with_a_message(world, client):
    world.login(client, "marie")
    response = change_email(client, "marie@@exemple")
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide" in text(response)
    assert marie(world).pending_email == ""


def test_too_many_links_in_an_hour(world, client, send_emails):
    world.login(client, "marie")
    for i in range(email_change.SENDS_PER_HOUR):
        send_emails(change_email, client, f"essai{i}@courriel.test")
    refused = send_emails(change_email, client, "encore@courriel.test")
    assert refused.status_code == 200
    assert "Trop de courriels de confirmation" in text(refused)
    assert len(mail.outbox) == email_change.SENDS_PER_HOUR
    assert marie(world).pending_email == f"essai{email_change.SENDS_PER_HOUR - 1}@courriel.test"


def test_removing_the_address(world, client, send_emails):
    world.login(client, "marie")
    send_emails(change_email, client, "")
    user = marie(world)
    assert user.email == ""
    assert LoginEvent.objects.filter(user=user, kind=LoginEvent.Kind.EMAIL_REMOVED).exists()
    assert [m.to for m in mail.outbox] == [["marie@example.test"]]


def test_a_person_without_an_address_adds_one(world, client, send_emails):
    User.objects.filter(pk=world.bob.pk).update(email="")
    world.login(client, "bob")
    send_emails(change_email, client, "bob@courriel.test")
    link = confirmation_link(mail.outbox[0])
    client.post(link)
    assert User.objects.get(pk=world.bob.pk).email == "bob@courriel.test"
    assert len(mail.outbox) == 1  # no old address to tell


def test_the_action_checks_the_token_itself(world):
    user = marie(world)
    actions.request_email_change(user, NEW)
    token = email_change.make_token(User.objects.get(pk=user.pk))
    other = User.objects.get(pk=world.marc.pk)
    assert not actions.confirm_email_change(other, token)
    assert actions.confirm_email_change(user, token)
    assert not actions.confirm_email_change(user, token)
