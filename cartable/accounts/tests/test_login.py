"""Login, brute-force throttling, blocked accounts, idle timeout, login history and "log out everywhere"."""

import re
import time
from unittest import mock

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django.urls import reverse

from cartable.accounts import actions
from cartable.accounts.middleware import LAST_SEEN_KEY
from cartable.accounts.models import LoginEvent
from cartable.accounts.tests.helpers import text
from cartable.accounts.views import describe_browser
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "Identifiant ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion"


def log_in(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_with_the_right_password(world, client):
    response = log_in(client, "Alice.Martin")
    assert response.status_code == 302
    assert is_logged_in(client)
    assert LoginEvent.objects.filter(user=world.users["alice"], kind=LoginEvent.Kind.SUCCESS).exists()


def test_passwords_are_rehashed_with_argon2id_at_login(world, client):
    log_in(client, "alice.martin")
    world.users["alice"].refresh_from_db()
    assert world.users["alice"].password.startswith("argon2$argon2id$")


def error_of(response) -> str:
    match = re.search(r'<p class="error"[^>]*>(.*?)</p>', text(response), re.S)
    return match.group(1) if match else ""


def test_unknown_user_and_wrong_password_get_the_same_answer(world, client):
    unknown = log_in(client, "personne.inconnue", "n'importe quoi")
    wrong = log_in(client, "alice.martin", "n'importe quoi")
    assert unknown.status_code == wrong.status_code == 401
    assert error_of(unknown) == error_of(wrong) == WRONG


def test_a_failed_attempt_shows_in_the_account_history(world, client):
    log_in(client, "ALICE.martin", "mauvais")
    event = LoginEvent.objects.get(kind=LoginEvent.Kind.FAILURE)
    assert event.user == world.users["alice"]
    assert event.ip == "10.0.0.1"


def test_five_failures_block_the_account_even_with_the_right_password(world, client, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert log_in(client, "alice.martin", "mauvais").status_code == 401
    response = log_in(client, "alice.martin", ip="10.9.9.9")
    assert response.status_code == 429
    assert THROTTLED in text(response)
    assert not is_logged_in(client)
    # Other accounts are not affected.
    assert log_in(Client(), "bob.durand").status_code == 302


def test_an_unknown_login_is_throttled_the_same_way(world, client, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        log_in(client, "personne.inconnue", "mauvais")
    response = log_in(client, "personne.inconnue", "mauvais")
    assert response.status_code == 429
    assert THROTTLED in text(response)


def test_a_school_behind_one_address_is_not_locked_out_by_its_pupils_typing_mistakes(world, client, settings):
    """As many pupils as the lock of one name counts (20 in production, 4 here: the limits are scaled down
    so that the test does not pay for a hundred logins) behind the school's one address each mistype their
    password: the others, and each of them with the right password, still log in."""
    settings.LOGIN_FAILURES_PER_IP = 4
    settings.LOGIN_FAILURES_PER_ADDRESS = 20
    for number in range(settings.LOGIN_FAILURES_PER_IP):
        assert log_in(client, f"eleve.{number}", "mauvais", ip="192.0.2.7").status_code == 401
    assert log_in(Client(), "alice.martin", ip="192.0.2.7").status_code == 302
    assert log_in(Client(), "eleve.3", "mauvais", ip="192.0.2.7").status_code == 401


def test_failures_of_one_name_from_one_address_lock_that_name_there_only(world, settings):
    # An operator may loosen the per-account lock (so that nobody can lock someone out from afar): the
    # lock of a name from one address still holds.
    settings.LOGIN_FAILURES_PER_ACCOUNT = 1000
    settings.LOGIN_FAILURES_PER_IP = 4  # 20 in production; the rule is the same at any limit
    for _ in range(settings.LOGIN_FAILURES_PER_IP):
        assert log_in(Client(), "alice.martin", "mauvais", ip="192.0.2.7").status_code == 401
    blocked = log_in(Client(), "alice.martin", ip="192.0.2.7")
    assert blocked.status_code == 429 and THROTTLED in text(blocked)
    assert log_in(Client(), "bob.durand", ip="192.0.2.7").status_code == 302
    assert log_in(Client(), "alice.martin", ip="192.0.2.8").status_code == 302


def test_a_name_that_does_not_exist_is_locked_the_same_way(world, settings):
    """No user enumeration: an unknown name meets the same counters and the same answers."""
    settings.LOGIN_FAILURES_PER_ACCOUNT = 1000
    settings.LOGIN_FAILURES_PER_IP = 4
    answers = {}
    for name in ("alice.martin", "personne.inconnue"):
        answers[name] = [
            log_in(Client(), name, "mauvais", ip="192.0.2.9").status_code
            for _ in range(settings.LOGIN_FAILURES_PER_IP + 1)
        ]
    assert answers["alice.martin"] == answers["personne.inconnue"]
    assert answers["alice.martin"][-1] == 429


def test_many_failures_from_one_address_block_that_address(world, settings):
    """Someone trying many names from one machine is stopped at the address's ceiling."""
    settings.LOGIN_FAILURES_PER_ADDRESS = 6  # 200 in production
    for number in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        assert log_in(Client(), f"essai.{number}", "mauvais", ip="192.0.2.7").status_code == 401
    blocked = log_in(Client(), "alice.martin", ip="192.0.2.7")
    assert blocked.status_code == 429
    assert THROTTLED in text(blocked)
    assert log_in(Client(), "alice.martin", ip="192.0.2.8").status_code == 302


def test_the_address_ceiling_is_well_above_the_lock_of_one_name(settings):
    assert settings.LOGIN_FAILURES_PER_ADDRESS >= 5 * settings.LOGIN_FAILURES_PER_IP


def test_behind_a_proxy_each_client_address_is_throttled_on_its_own(world, settings):
    """Behind the reverse proxy every request comes from the proxy's address: counting failures per
    REMOTE_ADDR would let one person lock everyone out. The proxy's X-Forwarded-For entry is used, and
    what the client wrote to the left of it is not believed."""
    settings.TRUSTED_PROXY_HOPS = 1
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    proxy = "10.0.0.254"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for n in range(3):
        attacker.post(reverse("accounts:login"), {"username": f"nobody{n}", "password": "x"})
    spoofing = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    assert THROTTLED in text(spoofing.post(reverse("accounts:login"), {"username": "x", "password": "x"}))
    parent = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = parent.post(reverse("accounts:login"), {"username": "alice.martin", "password": PASSWORD})
    assert response.status_code == 302
    assert world.alice.login_events.get(kind=LoginEvent.Kind.SUCCESS).ip == "198.51.100.20"


def test_success_resets_the_account_counter(world, client, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        log_in(client, "alice.martin", "mauvais")
    assert log_in(client, "alice.martin").status_code == 302
    client.post(reverse("accounts:logout"))
    log_in(client, "alice.martin", "mauvais")
    assert log_in(client, "alice.martin").status_code == 302


def test_a_blocked_user_cannot_log_in_and_is_told_whom_to_ask(world, client):
    actions.block_user(world.users["bob"])
    response = log_in(client, "bob.durand")
    assert response.status_code == 403
    assert not is_logged_in(client)
    message = error_of(response)
    assert "Votre compte est bloqué" in message
    assert "administrateur ENT ou à la vie scolaire" in message and "Collège Jean Moulin" in message
    assert WRONG not in message
    assert LoginEvent.objects.filter(user=world.users["bob"], kind=LoginEvent.Kind.BLOCKED).exists()


def test_a_blocked_account_is_not_revealed_to_someone_guessing(world, client):
    """A wrong password gets the same answer for a blocked account as for any other, or an unknown login:
    nothing to learn about which accounts exist or are blocked."""
    actions.block_user(world.users["bob"])
    blocked = log_in(client, "bob.durand", "Devinette-2026!")
    active = log_in(client, "alice.martin", "Devinette-2026!")
    unknown = log_in(client, "personne.inconnue", "Devinette-2026!")
    assert blocked.status_code == active.status_code == unknown.status_code == 401
    assert error_of(blocked) == error_of(active) == error_of(unknown) == WRONG
    assert "bloqué" not in text(blocked)
    assert LoginEvent.objects.filter(user=world.users["bob"], kind=LoginEvent.Kind.FAILURE).exists()


def test_an_ecole_pupil_blocked_is_sent_to_the_schools_direction(world, client):
    world.school_a.kind = "primary"
    world.school_a.save()
    actions.block_user(world.users["alice"])
    message = error_of(log_in(client, "alice.martin"))
    assert "Votre compte est bloqué" in message and "direction de l'école" in message


def test_a_deactivated_account_says_nothing_more(world, client):
    """An account closed (the person left) is not "blocked": the generic answer, as before."""
    user = world.users["bob"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = log_in(client, "bob.durand")
    assert response.status_code == 401
    assert error_of(response) == WRONG


def test_an_open_session_of_a_blocked_user_ends_at_its_next_request(world, client):
    world.login(client, "bob")
    assert client.get("/").status_code == 200
    actions.block_user(world.users["bob"])
    assert sent_to_login(client.get("/"))
    assert sent_to_login(client.get(reverse("accounts:sessions")))


def test_idle_sessions_end(world, client, settings):
    world.login(client, "alice")
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/")
    assert response.url == f"{reverse('accounts:login')}?ended=1"
    assert not is_logged_in(client)


def test_log_out_of_all_sessions_ends_the_other_devices_too(world):
    phone, laptop = Client(), Client()
    world.login(phone, "marie")
    world.login(laptop, "marie")

    response = laptop.post(reverse("accounts:end_all_sessions"))
    assert response["Location"] == reverse("accounts:login")
    assert not is_logged_in(laptop)
    assert sent_to_login(phone.get("/"))
    assert LoginEvent.objects.filter(user=world.users["marie"], kind=LoginEvent.Kind.LOGOUT_ALL).exists()


def test_log_out_everywhere_needs_a_post(world, client):
    world.login(client, "marie")
    assert client.get(reverse("accounts:end_all_sessions")).status_code == 405
    assert is_logged_in(client)


def test_login_history_shows_only_my_own_events(world, client):
    log_in(Client(), "alice.martin", "mauvais", ip="198.51.100.4")
    log_in(Client(), "bob.durand", "mauvais", ip="203.0.113.9")
    world.login(client, "alice")
    response = client.get(reverse("accounts:sessions"), HTTP_USER_AGENT="x")
    content = text(response)
    assert response.status_code == 200
    assert "198.51.100.4" in content
    assert "Échec de connexion" in content
    assert "203.0.113.9" not in content
    assert "Me déconnecter de toutes mes sessions" in content


def test_login_history_is_for_logged_in_users_only(client, world):
    assert client.get(reverse("accounts:sessions")).url.startswith(reverse("accounts:login"))


def test_change_password_keeps_this_session_and_ends_the_others(world):
    here, elsewhere = Client(), Client()
    world.login(here, "marie")
    world.login(elsewhere, "marie")
    new = "Une-Autre-Phrase-De-Passe-2026"

    wrong = here.post(
        reverse("accounts:password_change"),
        {"current_password": "mauvais", "password1": new, "password2": new},
    )
    assert wrong.status_code == 200
    assert "votre mot de passe actuel" in text(wrong)

    response = here.post(
        reverse("accounts:password_change"),
        {"current_password": PASSWORD, "password1": new, "password2": new},
    )
    assert response["Location"] == reverse("accounts:sessions")
    world.users["marie"].refresh_from_db()
    assert world.users["marie"].check_password(new)
    assert here.get("/").status_code == 200
    assert sent_to_login(elsewhere.get("/"))


def test_guessing_the_current_password_is_throttled(world, client, settings):
    world.login(client, "marie")
    data = {"current_password": "mauvais", "password1": "x", "password2": "x"}
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        client.post(reverse("accounts:password_change"), data, REMOTE_ADDR="10.1.1.1")
    data["current_password"] = PASSWORD
    assert client.post(reverse("accounts:password_change"), data, REMOTE_ADDR="10.1.1.1").status_code == 429


def test_describe_browser():
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0"
    assert describe_browser(firefox) == "Firefox sur Linux"
    assert describe_browser(edge) == "Edge sur Windows"
    assert describe_browser("") == "inconnu"


def test_unknown_user_and_wrong_password_cost_one_argon2_hash_each(world, client):
    """No timing difference to exploit: both answers wait for exactly one Argon2 computation."""
    actions.set_password(world.users["alice"], "Un-Mot-De-Passe-Argon2id!")
    for username in ("alice.martin", "personne.inconnue"):
        with (
            mock.patch.object(
                Argon2PasswordHasher, "encode", autospec=True, wraps=Argon2PasswordHasher.encode
            ) as encode,
            mock.patch.object(
                Argon2PasswordHasher, "verify", autospec=True, wraps=Argon2PasswordHasher.verify
            ) as verify,
        ):
            assert log_in(client, username, "mauvais").status_code == 401
        assert encode.call_count + verify.call_count == 1, username
