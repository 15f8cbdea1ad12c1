"""The Médiacentre: a person's GAR resources asked over mutual TLS of a local HTTPS server playing the GAR
(its own certificate authority, made for each test), their favourites, the search, and the school's own links
kept by its documentalist, direction and ADML — who must and who must not."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.accounts.models import CharterAcceptance
from cartable.directory import actions as directory
from cartable.directory.models import Function, Profile
from cartable.gar import actions, resources
from cartable.gar.models import Favourite, GarIdentity, SchoolResource
from cartable.gar.tests.https_server import Authority, GarServer, resource
from cartable.lib import env
from cartable.lib.errors import Refused

pytestmark = pytest.mark.django_db

INDEX = "/mediacentre/"


@pytest.fixture
def world(module_world):
    return module_world


@pytest.fixture
def pki(tmp_path):
    """The GAR's authority (its server certificate) and the ENT's certificate the GAR signed."""
    authority = Authority(tmp_path / "pki")
    return authority, authority.issue("ent.cartable.test", server=False)


@pytest.fixture
def gar(pki, settings):
    authority, client = pki
    server = GarServer(authority).start()
    settings.GAR_RESOURCES_URL = server.url
    settings.GAR_CLIENT_CERT = str(client.cert)
    settings.GAR_CLIENT_KEY = str(client.key)
    settings.GAR_CA_FILE = str(authority.pem.cert)
    settings.GAR_SOURCE = "CARTABLE"
    yield server
    server.stop()


def ido(world, name: str) -> str:
    identity, _ = GarIdentity.objects.get_or_create(person=world.person(name))
    return identity.ido


BOOKS = [
    resource("ark:/1/MATHS6", "Maths 6e — manuel numérique", editor="Éditions Hélice"),
    resource("ark:/1/DICO", "Dictionnaire Le Robert junior", editor="Le Robert", type_code="MUL"),
    resource("ark:/1/ATLAS", "Atlas interactif", editor="Nathan", type_code="MUL"),
]


@pytest.fixture
def alice_books(world, gar):
    gar.lists[(world.school_a.uai, ido(world, "alice"))] = BOOKS
    return gar


def documentalist(world):
    """Dora, school A's documentalist (not in the shared world: added for these tests)."""
    person = directory.create_person(
        directory.NewPerson(
            first_name="Dora",
            last_name="Blanc",
            school=world.school_a,
            profile=Profile.PERSONNEL,
            functions=[Function.DOCUMENTALIST],
            email="dora@example.test",
        )
    )
    user = person.user
    user.activated_at = timezone.now()
    user.save(update_fields=["activated_at"])
    CharterAcceptance.objects.create(user=user, charter=world.charter)
    world.people["dora"], world.users["dora"] = person, user
    world.devices["dora"] = TOTPDevice.objects.create(user=person.user, name="world", confirmed=True)
    return person


def school_link(world, title="Catalogue du CDI", profiles=("Student", "Teacher", "Personnel"), school=None):
    return SchoolResource.objects.create(
        school=school or world.school_a,
        title=title,
        url="https://cdi.example.test/opac",
        description="Les livres du CDI",
        profiles=list(profiles),
    )


# --- The GAR's web service over mutual TLS ------------------------------------------------------------------


def test_the_right_ido_and_uai_are_asked_with_the_ents_certificate(world, alice_books):
    found = resources.fetch(ido(world, "alice"), world.school_a.uai)
    assert [row[1] for row in found] == [
        "Atlas interactif",
        "Dictionnaire Le Robert junior",
        "Maths 6e — manuel numérique",
    ]
    (seen,) = alice_books.seen
    assert seen.path == f"/ressources/CARTABLE/{world.school_a.uai}/{ido(world, 'alice')}"
    assert seen.client == "ent.cartable.test"
    assert seen.headers["Accept"] == "application/json"


def test_a_client_without_the_certificate_is_refused_by_the_server(
    world, alice_books, settings, pki, tmp_path
):
    import http.client
    import ssl

    authority, _client = pki
    context = ssl.create_default_context(cafile=str(authority.pem.cert))  # trusts the GAR, shows nothing
    connection = http.client.HTTPSConnection("127.0.0.1", alice_books.port, context=context, timeout=5)
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
        connection.request("GET", f"/ressources/CARTABLE/{world.school_a.uai}/{ido(world, 'alice')}")
        connection.getresponse().read()
    connection.close()
    assert not alice_books.seen
    # A certificate from another authority is refused as well.
    other = Authority(tmp_path / "other", "Autre autorité").issue("intrus", server=False)
    settings.GAR_CLIENT_CERT, settings.GAR_CLIENT_KEY = str(other.cert), str(other.key)
    with pytest.raises(resources.Unavailable):
        resources.fetch(ido(world, "alice"), world.school_a.uai)
    assert not alice_books.seen


def test_a_server_from_another_authority_is_not_believed(world, alice_books, settings, tmp_path):
    settings.GAR_CA_FILE = str(Authority(tmp_path / "other", "Autre autorité").pem.cert)
    with pytest.raises(resources.Unavailable):
        resources.fetch(ido(world, "alice"), world.school_a.uai)


def test_the_list_is_kept_briefly_and_a_gar_down_is_said_not_raised(world, alice_books, as_user):
    client = as_user("alice")
    assert client.get(INDEX).status_code == 200
    assert client.get(INDEX).status_code == 200
    assert len(alice_books.seen) == 1  # the second page used the cache
    alice_books.stop()
    resources.forget(ido(world, "alice"), world.school_a.uai)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "Le GAR ne répond pas pour le moment" in response.content.decode()


def test_errors_and_odd_answers_of_the_gar_are_unavailable(world, alice_books):
    alice_books.status = 500
    with pytest.raises(resources.Unavailable):
        resources.fetch(ido(world, "alice"), world.school_a.uai)
    assert resources.parse(b'{"listeRessources": {"ressource": [{"idRessource": "x"}]}}') == []
    with pytest.raises(resources.Unavailable):
        resources.parse(b"<html>maintenance</html>")
    # An address a browser must not open (javascript:) is left out; a thumbnail over plain HTTP too.
    rows = resources.parse(
        b'{"listeRessources": {"ressource": ['
        b'{"idRessource": "a", "nomRessource": "A", "urlAccesRessource": "javascript:alert(1)"},'
        b'{"idRessource": "b", "nomRessource": "B", "urlAccesRessource": "https://gar.test/b",'
        b' "urlVignette": "http://gar.test/b.png"}]}}'
    )
    assert [(row[0], row[3]) for row in rows] == [("b", "")]


# --- The page -----------------------------------------------------------------------------------------------


def test_the_page_lists_the_resources_with_their_thumbnail_and_access_link(world, alice_books, as_user):
    response = as_user("alice").get(INDEX)
    page = response.content.decode()
    assert "Maths 6e — manuel numérique" in page and "Éditions Hélice" in page
    assert 'href="https://idp-auth.gar.test/domaineGar?idRessource=ark:/1/MATHS6"' in page
    assert 'src="https://vignette.gar.test/MATHS6.png"' in page
    # The page's policy lets exactly the GAR's thumbnails in.
    assert "img-src 'self' data: https://vignette.gar.test" in response["Content-Security-Policy"]
    assert "<script" not in page.split("</header>")[-1].split("<footer")[0]


def test_without_the_gar_the_page_says_so_and_lists_the_schools_links(world, as_user, settings):
    settings.GAR_RESOURCES_URL = ""
    school_link(world)
    page = as_user("tom").get(INDEX).content.decode()
    assert "n’est pas relié à cet ENT" in page
    assert "Catalogue du CDI" in page


def test_someone_the_gar_does_not_know_yet_is_told_when(world, gar, as_user):
    GarIdentity.objects.filter(person=world.person("bob")).delete()
    page = as_user("bob").get(INDEX).content.decode()
    assert "pas encore été transmis au GAR" in page
    assert not gar.seen


def test_parents_have_no_mediacentre(world, as_user):
    assert as_user("marie").get(INDEX).status_code == 404
    home = as_user("marie").get("/").content.decode()
    assert reverse("mediacentre:index") not in home
    assert reverse("mediacentre:index") in as_user("alice").get("/").content.decode()


def test_search_by_name_editor_or_type_without_javascript(world, alice_books, as_user):
    client = as_user("alice")
    school_link(world)

    def names(query: str) -> list[str]:
        page = client.get(INDEX + query).content.decode()
        return re.findall(r'rel="noopener noreferrer">([^<]+)<span', page)

    assert names("?q=robert") == ["Dictionnaire Le Robert junior"]
    assert names("?q=editions+helice") == ["Maths 6e — manuel numérique"]  # accents need not be typed
    assert names("?type=MUL") == ["Atlas interactif", "Dictionnaire Le Robert junior"]
    assert names("?q=cdi") == ["Catalogue du CDI"]
    assert names("?type=ETAB") == ["Catalogue du CDI"]
    assert names("?q=introuvable") == []
    assert names("?type=INCONNU") == names("")  # a type not in the list: no filter, no error


def mark(world, key: str, school=None) -> str:
    return reverse("mediacentre:favourite_resource", args=[(school or world.school_a).uai, key])


def mark_link(link_id) -> str:
    return f"/mediacentre/favori/lien/{link_id}"


def test_favourites_come_first_and_are_the_persons(world, alice_books, as_user):
    client = as_user("alice")
    link = school_link(world)
    response = client.post(mark(world, "ark:/1/MATHS6"), {"back": "q=&type=MAN"})
    assert response.status_code == 302 and response["Location"] == INDEX + "?q=&type=MAN"
    assert client.post(mark_link(link.pk), {"back": "//evil.test/"})["Location"].startswith(INDEX + "?")
    page = client.get(INDEX).content.decode()
    order = re.findall(r'rel="noopener noreferrer">([^<]+)<span', page)
    assert order[0] == "Maths 6e — manuel numérique"
    assert page.count('aria-pressed="true"') == 2
    favourites = client.get(INDEX + "?favourites=on").content.decode()
    assert re.findall(r'rel="noopener noreferrer">([^<]+)<span', favourites) == [
        "Maths 6e — manuel numérique",
        "Catalogue du CDI",
    ]
    # Bob, in the same class, has none of Alice's favourites.
    assert not Favourite.objects.filter(person=world.person("bob")).exists()
    # A second press takes it back, even once the GAR no longer lists it.
    alice_books.lists[(world.school_a.uai, ido(world, "alice"))] = []
    resources.forget(ido(world, "alice"), world.school_a.uai)
    assert client.post(mark(world, "ark:/1/MATHS6")).status_code == 302
    mine = Favourite.objects.filter(person=world.person("alice"))
    assert list(mine.values_list("link_id", flat=True)) == [link.pk]


def test_forged_favourites_are_refused(world, alice_books, as_user):
    client = as_user("alice")
    # A resource that is not in her list, another school's, a link of school B, a link not shown to pupils.
    assert client.post(mark(world, "ark:/9/AUTRE")).status_code == 404
    assert client.post(mark(world, "ark:/1/MATHS6", world.school_b)).status_code == 404
    assert client.post(mark_link(school_link(world, school=world.school_b).pk)).status_code == 404
    assert client.post(mark_link(school_link(world, "Pour les profs", ("Teacher",)).pk)).status_code == 404
    assert client.get(mark(world, "ark:/1/MATHS6")).status_code == 405
    assert not Favourite.objects.exists()
    # Without the CSRF token.
    from django.test import Client

    strict = world.login(Client(enforce_csrf_checks=True), "alice")
    assert strict.post(mark(world, "ark:/1/MATHS6")).status_code == 403
    assert not Favourite.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.toggle_favourite(world.fresh_user("marie"), world.school_a, resource_id="ark:/1/MATHS6")


def test_links_are_shown_to_the_profiles_they_name_only(world, as_user):
    school_link(world, "Pour tous")
    school_link(world, "Pour les profs", ("Teacher",))
    school_link(world, "Au collège Lumière", school=world.school_b)
    assert "Pour les profs" not in as_user("alice").get(INDEX).content.decode()
    page = as_user("tom").get(INDEX).content.decode()
    assert "Pour les profs" in page and "Pour tous" in page and "Au collège Lumière" not in page
    assert "Pour tous" not in as_user("zoe").get(INDEX).content.decode()


# --- The school's links: who keeps them ---------------------------------------------------------------------


def links_url(world, school=None) -> str:
    return reverse("mediacentre:links", args=[(school or world.school_a).uai])


def test_the_documentalist_adds_changes_and_deletes_a_link(world, as_user):
    documentalist(world)
    client = as_user("dora")
    assert "Liens du Médiacentre" in client.get(links_url(world)).content.decode()
    new = reverse("mediacentre:link_new", args=[world.school_a.uai])
    response = client.post(
        new,
        {"title": "Lumni", "url": "https://www.lumni.fr", "description": "Vidéos", "profiles": ["Student"]},
    )
    assert response.status_code == 302
    link = SchoolResource.objects.get(title="Lumni")
    assert link.created_by == world.person("dora") and link.profiles == ["Student"]
    edit = reverse("mediacentre:link_edit", args=[world.school_a.uai, link.pk])
    client.post(
        edit, {"title": "Lumni", "url": "https://www.lumni.fr/college", "profiles": ["Student", "Teacher"]}
    )
    link.refresh_from_db()
    assert link.url == "https://www.lumni.fr/college" and link.profiles == ["Student", "Teacher"]
    Favourite.objects.create(person=world.person("alice"), school=world.school_a, link=link)
    client.post(reverse("mediacentre:link_delete", args=[world.school_a.uai, link.pk]))
    assert not SchoolResource.objects.exists() and not Favourite.objects.exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://cdi.example.test/", "data:text/html,x", "cdi"])
def test_only_web_addresses_are_kept(world, as_user, url):
    new = reverse("mediacentre:link_new", args=[world.school_a.uai])
    response = as_user("paul").post(new, {"title": "X", "url": url, "profiles": ["Student"]})
    assert response.status_code == 200 and 'class="field-errors"' in response.content.decode()
    assert not SchoolResource.objects.exists()
    with pytest.raises(Refused):
        actions.save_link(
            world.fresh_user("paul"),
            world.school_a,
            actions.LinkInput("X", "javascript:alert(1)", "", ("Student",)),
        )


def test_a_link_needs_a_profile_and_no_parent_profile(world, as_user):
    new = reverse("mediacentre:link_new", args=[world.school_a.uai])
    for profiles in ([], ["Relative"]):
        response = as_user("ada").post(new, {"title": "X", "url": "https://x.test", "profiles": profiles})
        assert response.status_code == 200
    assert not SchoolResource.objects.exists()


@pytest.mark.parametrize("name", ["tom", "tess", "vera", "alice", "marie"])
def test_who_may_not_keep_the_links(world, as_user, name):
    link = school_link(world)
    client = as_user(name)
    uai = world.school_a.uai
    assert client.get(links_url(world)).status_code == 404
    assert client.get(reverse("mediacentre:link_new", args=[uai])).status_code == 404
    assert (
        client.post(
            reverse("mediacentre:link_new", args=[uai]),
            {"title": "X", "url": "https://x.test", "profiles": ["Student"]},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("mediacentre:link_edit", args=[uai, link.pk]),
            {"title": "Pirate", "url": "https://x.test", "profiles": ["Student"]},
        ).status_code
        == 404
    )
    assert client.post(reverse("mediacentre:link_delete", args=[uai, link.pk])).status_code == 404
    link.refresh_from_db()
    assert link.title == "Catalogue du CDI"
    with pytest.raises(PermissionDenied):
        actions.delete_link(world.fresh_user(name), link)


def test_another_schools_admin_gets_404(world, as_user):
    link = school_link(world)
    client = as_user("bruno")
    assert client.get(links_url(world)).status_code == 404
    # Through his own school's address, school A's link is not found either.
    uai_b = world.school_b.uai
    assert client.get(reverse("mediacentre:link_edit", args=[uai_b, link.pk])).status_code == 404
    assert client.post(reverse("mediacentre:link_delete", args=[uai_b, link.pk])).status_code == 404
    assert SchoolResource.objects.filter(pk=link.pk).exists()
    assert client.get(links_url(world, world.school_b)).status_code == 200


# --- Lifecycle, query counts, small screens ---------------------------------------------------------------


def test_favourites_are_forgotten_at_the_purge_and_links_kept(world, alice_books):
    link = school_link(world)
    link.created_by = world.person("tom")
    link.save()
    Favourite.objects.create(person=world.person("alice"), school=world.school_a, resource_id="ark:/1/MATHS6")
    Favourite.objects.create(person=world.person("bob"), school=world.school_a, link=link)
    from cartable.gar import lifecycle
    from cartable.lib.lifecycle import Forgetting

    lifecycle.forget(Forgetting(person_ids=[world.person("alice").pk, world.person("tom").pk], user_ids=[]))
    assert list(Favourite.objects.values_list("person_id", flat=True)) == [world.person("bob").pk]
    assert SchoolResource.objects.filter(pk=link.pk).exists()


def test_the_page_costs_the_same_queries_for_3_or_40_resources(
    world, alice_books, as_user, django_assert_max_num_queries
):
    client = as_user("alice")
    school_link(world)
    client.get(INDEX)
    with django_assert_max_num_queries(6) as few:  # 4 measured: schools, IDO, favourites, links
        client.get(INDEX)
    alice_books.lists[(world.school_a.uai, ido(world, "alice"))] = [
        resource(f"ark:/2/R{i}", f"Ressource {i}") for i in range(40)
    ]
    for i in range(10):
        link = school_link(world, f"Lien {i}")
        Favourite.objects.create(person=world.person("alice"), school=world.school_a, link=link)
    resources.forget(ido(world, "alice"), world.school_a.uai)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(INDEX).content.decode()
    assert "Ressource 39" in page and "Lien 9" in page


def test_the_links_page_is_pinned(world, as_user, django_assert_max_num_queries):
    for i in range(15):
        school_link(world, f"Lien {i}")
    client = as_user("paul")
    client.get(links_url(world))
    with django_assert_max_num_queries(6):  # 4 measured
        assert client.get(links_url(world)).status_code == 200


def test_the_page_fits_a_small_screen(world, alice_books, as_user):
    """No fixed width wider than 360 px: the cards' grid shrinks to one column."""
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "static" / "gar" / "mediacentre.css").read_text()
    widths = [int(w) for w in re.findall(r"(\d+)px", css)]
    assert all(width <= 360 for width in widths)
    assert "minmax(min(100%" in css


# --- Settings: bad values stop the start -----------------------------------------------------------------


def start_with(**variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_each_setting_of_the_gars_web_service_is_read_strictly(monkeypatch, tmp_path):
    monkeypatch.setenv("GAR_RESOURCES_URL", "http://gar.test/")
    with pytest.raises(ImproperlyConfigured, match="an https:// address"):
        env.env_matching("GAR_RESOURCES_URL", "", r"https://[^\s/?#]+(/[^\s?#]*)?", "an https:// address")
    monkeypatch.setenv("GAR_CLIENT_KEY", str(tmp_path / "missing.key"))
    with pytest.raises(ImproperlyConfigured, match="GAR_CLIENT_KEY must name a readable file"):
        env.env_file("GAR_CLIENT_KEY")


def test_bad_settings_of_the_gars_web_service_stop_the_start(pki, tmp_path):
    authority, client = pki
    stranger = Authority(tmp_path / "other", "Autre autorité").issue("intrus", server=False)
    cases = {
        "GAR_CLIENT_CERT and GAR_CLIENT_KEY must be set too": {"GAR_RESOURCES_URL": "https://gar.test"},
        "the key matching the certificate": {
            "GAR_RESOURCES_URL": "https://gar.test",
            "GAR_CLIENT_CERT": str(client.cert),
            "GAR_CLIENT_KEY": str(stranger.key),
        },
    }
    for expected, variables in cases.items():
        result = start_with(**variables)
        assert result.returncode != 0 and expected in result.stderr, (variables, result.stderr[-500:])
    good = start_with(
        GAR_RESOURCES_URL="https://gar.test/ws",
        GAR_CLIENT_CERT=str(client.cert),
        GAR_CLIENT_KEY=str(client.key),
        GAR_CA_FILE=str(authority.pem.cert),
    )
    assert good.returncode == 0, good.stderr[-500:]
