"""The platform admin's registrations and the login history: who must, who must not."""

import pytest

from cartable.accounts.models import LoginEvent
from cartable.sso.models import ConnectedApp
from cartable.sso.tests.conftest import PRONOTE

pytestmark = pytest.mark.django_db


def test_the_platform_admin_registers_and_edits_an_application(world, as_user):
    client = as_user("root")
    form = {
        "name": "CDI",
        "icon": "app",
        "protocol": "cas",
        "service_urls": "https://cdi.example.test/\nhttps://cdi2.example.test/opac/",
        "attributes": ["uid", "sn"],
        "profiles": ["Student"],
        "schools": [str(world.school_a.pk)],
        "single_logout": "on",
        "active": "on",
    }
    assert client.post("/applications-connectees/nouvelle", form).status_code == 302
    app = ConnectedApp.objects.get(name="CDI")
    assert app.service_prefixes() == ["https://cdi.example.test/", "https://cdi2.example.test/opac/"]
    assert app.attributes == ["uid", "sn"] and list(app.schools.all()) == [world.school_a]
    bad = client.post(f"/applications-connectees/{app.pk}/", {**form, "service_urls": "pas une adresse"})
    assert bad.status_code == 200 and "adresse http(s) complète" in bad.content.decode()
    assert (
        client.post(f"/applications-connectees/{app.pk}/", {**form, "name": "CDI du collège"}).status_code
        == 302
    )
    app.refresh_from_db()
    assert app.name == "CDI du collège"
    assert b"CDI du coll" in client.get("/applications-connectees/").content


@pytest.mark.parametrize("name", ["ada", "paul", "tom", "alice", "marie"])
def test_nobody_else_reaches_the_registrations(world, as_user, pronote, name):
    client = as_user(name)
    assert client.get("/applications-connectees/").status_code == 404
    assert client.post(f"/applications-connectees/{pronote.pk}/supprimer").status_code == 404
    assert ConnectedApp.objects.filter(pk=pronote.pk).exists()


def test_the_login_history_lists_the_application_opened(world, as_user, pronote):
    client = as_user("alice")
    client.get(f"/cas/login?service={PRONOTE}")
    assert LoginEvent.objects.filter(
        user=world.alice, kind=LoginEvent.Kind.APP_LOGIN, detail="Pronote"
    ).exists()
    page = client.get("/auth/sessions").content.decode()
    assert "Connexion à une application : Pronote" in page
    # The school's admin sees it on the person's page of the console too.
    console = as_user("ada").get(
        f"/admin-ecole/{world.school_a.uai}/personnes/{world.person('alice').pk}/connexions"
    )
    assert "Pronote" in console.content.decode()


def test_the_tiles_cost_no_query_and_do_not_grow_with_the_applications(
    client, world, pronote, django_assert_max_num_queries
):
    from cartable.directory.models import Profile
    from cartable.sso import actions

    world.login(client, "alice")
    client.get("/")
    # The session and the user, as without connected applications (cartable/portal/tests/test_home.py).
    with django_assert_max_num_queries(2):
        assert "Pronote" in client.get("/").content.decode()
    for n in range(5):
        app = actions.register_app(
            None, name=f"Appli {n}", protocol="cas", service_urls=[f"https://appli{n}.example.test/"]
        )
        actions.set_school_profiles(None, world.school_a, app, [Profile.STUDENT])
    client.get("/")
    with django_assert_max_num_queries(2):
        page = client.get("/").content.decode()
    assert all(f"Appli {n}" in page for n in range(5))
