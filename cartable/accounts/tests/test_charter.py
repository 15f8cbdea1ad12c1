"""Rule C2: the charter is accepted before anything else, and each new version again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.accounts import actions
from cartable.accounts.models import Charter, CharterAcceptance
from cartable.accounts.tests.helpers import text
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def test_pages_redirect_to_the_charter_until_it_is_accepted(world, client):
    CharterAcceptance.objects.filter(user=world.users["marie"]).delete()
    world.login(client, "marie")

    home = client.get("/")
    assert home.status_code == 302
    assert home.url == f"{reverse('accounts:charter')}?next=%2F"

    me = client.get(reverse("portal:me"))
    assert me.url.startswith(reverse("accounts:charter"))

    # Without ticking the box: the page comes back with a message and nothing is recorded.
    refused = client.post(reverse("accounts:charter"), {"next": "/"})
    assert refused.status_code == 200
    assert "Cochez la case" in text(refused)
    assert not CharterAcceptance.objects.filter(user=world.users["marie"]).exists()

    accepted = client.post(reverse("accounts:charter"), {"accept": "on", "next": "/"})
    assert accepted.status_code == 302
    assert accepted.url == "/"
    assert CharterAcceptance.objects.filter(user=world.users["marie"], charter=world.charter).exists()
    assert client.get("/").status_code == 200


def test_pages_under_auth_stay_reachable_before_accepting(world, client):
    CharterAcceptance.objects.filter(user=world.users["marie"]).delete()
    world.login(client, "marie")
    for name in ("accounts:charter", "accounts:sessions", "accounts:password_change", "accounts:welcome"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("portal:notice")).status_code == 200


def test_a_new_version_is_accepted_again_at_next_login(world, client):
    assert log_in(client, "alice.martin").status_code == 302
    assert client.get("/").status_code == 200

    actions.publish_charter("Charte 2027", "Premier article.\n\nSecond article.")
    client.post(reverse("accounts:logout"))
    response = log_in(client, "alice.martin")
    assert client.get(response.url).url.startswith(reverse("accounts:charter"))

    page = client.get(reverse("accounts:charter"))
    content = text(page)
    assert "<p>Premier article.</p>" in content
    assert "J'ai lu et j'accepte la charte" in content

    client.post(reverse("accounts:charter"), {"accept": "on"})
    assert client.get("/").status_code == 200


def test_a_new_version_is_asked_at_the_next_request_of_people_already_logged_in(world, client):
    world.login(client, "marie")
    assert client.get("/").status_code == 200
    assert client.get("/me").status_code == 200

    charter = actions.publish_charter("Charte 2027", "Premier article.")
    assert charter.version == 2
    response = client.get("/me")
    assert response.url == f"{reverse('accounts:charter')}?next=%2Fme"
    client.post(reverse("accounts:charter"), {"accept": "on", "next": "/me"})
    assert CharterAcceptance.objects.filter(user=world.users["marie"], charter=charter).exists()
    assert client.get("/me").status_code == 200


def test_once_accepted_no_page_asks_the_database_about_the_charter(world, client):
    world.login(client, "marie")
    client.get("/me")  # the first page of the session checks the acceptance once
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/me").status_code == 200
        assert client.get("/").status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "charter" in q["sql"]]


def test_the_command_publishes_a_new_version(world, client, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    world.login(client, "bob")
    assert client.get("/").status_code == 200
    source = tmp_path / "charte.txt"
    source.write_text("Je respecte les autres.\n\nJe protège mon mot de passe.\n", encoding="utf-8")
    out = StringIO()
    call_command("publish_charter", str(source), "--title", "Charte 2027", stdout=out)
    assert "version 2" in out.getvalue()
    assert Charter.objects.get(version=2).body == "Je respecte les autres.\n\nJe protège mon mot de passe."
    assert client.get("/").url.startswith(reverse("accounts:charter"))


def test_refusing_the_charter_logs_out_and_the_login_page_says_why(world, client):
    CharterAcceptance.objects.filter(user=world.users["bob"]).delete()
    world.login(client, "bob")
    response = client.post(reverse("accounts:charter"), {"refuse": "1"})
    assert response.url == f"{reverse('accounts:login')}?charter_refused=1"
    assert "_auth_user_id" not in client.session
    assert not CharterAcceptance.objects.filter(user=world.users["bob"]).exists()
    login_page = text(client.get(response.url))
    assert "Vous avez été déconnecté parce que vous avez refusé la charte" in login_page


def test_the_login_page_mentions_the_charter_only_after_a_refusal(client, world):
    assert "refusé la charte" not in text(client.get(reverse("accounts:login")))


def test_refusal_is_a_form_of_its_own_below_the_acceptance(world, client):
    CharterAcceptance.objects.filter(user=world.users["bob"]).delete()
    world.login(client, "bob")
    page = text(client.get(reverse("accounts:charter")))
    forms = page.split("<form")[1:]
    accept = next(form for form in forms if 'name="accept"' in form)
    refuse = next(form for form in forms if 'name="refuse"' in form)
    assert 'name="refuse"' not in accept
    assert 'name="accept"' not in refuse
    assert page.index(accept) < page.index(refuse)
    assert "Cartable ne peut pas être utilisé sans accepter la charte" in page
    assert "vous serez déconnecté" in page


def test_no_charter_published_lets_people_through(world, client):
    CharterAcceptance.objects.all().delete()
    Charter.objects.all().delete()
    world.login(client, "bob")
    assert client.get(reverse("accounts:charter")).url == "/"
    assert client.get("/").status_code == 200


def test_next_is_kept_only_when_it_stays_on_the_site(world, client):
    CharterAcceptance.objects.filter(user=world.users["bob"]).delete()
    world.login(client, "bob")
    response = client.post(reverse("accounts:charter"), {"accept": "on", "next": "https://evil.example/"})
    assert response.url == "/"


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get(reverse("accounts:charter"))
    assert response.url.startswith(reverse("accounts:login"))


def test_an_empty_post_is_an_unticked_box(world, client):
    CharterAcceptance.objects.filter(user=world.users["bob"]).delete()
    world.login(client, "bob")
    response = client.post(reverse("accounts:charter"))
    assert response.status_code == 200
    assert "Cochez la case" in text(response)
