"""The whole CAS redirect flow with a real CAS client library: a small Django site using django-cas-ng
(python-cas underneath) runs in its own process on 127.0.0.1, Cartable on the live server; a real HTTP client
(requests, following redirects) opens the site, logs in on Cartable's page, and comes back logged in with the
attributes the site received when it validated the ticket; then a proxy ticket, then the single logout."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

from cartable.directory.models import Profile
from cartable.sso import actions
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
NS = {"cas": "http://www.yale.edu/tp/cas"}


def text(root, path: str) -> str:
    found = root.find(path, NS)
    assert found is not None and found.text is not None, ET.tostring(root)
    return found.text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def client_site(live_server, tmp_path, settings):
    # The live server speaks plain http: cookies without the Secure flag, and a proxy callback on loopback.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = False
    settings.CAS_ALLOW_LOCAL_HTTP_CALLBACK = True
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CAS_CLIENT_DB": str(tmp_path / "client.sqlite3"),
        "CAS_SERVER_URL": f"{live_server.url}/cas/",
        "CAS_CLIENT_URL": url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cartable.sso.tests.cas_client.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def log_in_on_cartable(
    session: requests.Session, page: requests.Response, username: str
) -> requests.Response:
    assert "/auth/login" in page.url, page.url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    return session.post(
        page.url,
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        timeout=30,
    )


def test_a_pupil_opens_the_application_through_cartable(world, live_server, client_site, run_tasks):
    app = actions.register_app(
        None,
        name="Site de test",
        protocol="cas",
        service_urls=[f"{client_site}/accounts/"],
        attribute_names=["uid", "ENTPersonProfils", "ENTPersonStructRattach", "ENTEleveClasses", "sn"],
        proxy_allowed=True,
    )
    actions.set_school_profiles(None, world.school_a, app, [Profile.STUDENT])
    browser = requests.Session()

    # The site sends to Cartable's /cas/login, which sends to Cartable's login page.
    page = browser.get(f"{client_site}/whoami", timeout=30)
    landed = log_in_on_cartable(browser, page, world.alice.username)
    # Back on the site, which validated the ticket (with a proxy callback) and logged Alice in.
    assert landed.url == f"{client_site}/whoami", landed.url
    who = landed.json()
    assert who["user"] == world.alice.username
    attributes = who["attributes"]
    assert attributes["ENTPersonProfils"] == "National_ELV"
    assert attributes["ENTPersonStructRattach"] == world.school_a.uai
    assert attributes["ENTEleveClasses"] == f"{world.school_a.uai}$6A"
    assert attributes["sn"] == "Martin"
    assert "givenName" not in attributes and "mail" not in attributes

    # The site got a proxy-granting ticket through its callback: a proxy ticket for its API validates.
    answer = ET.fromstring(browser.get(f"{client_site}/proxied", timeout=30).content)
    success = answer.find("cas:authenticationSuccess", NS)
    assert success is not None, ET.tostring(answer)
    assert text(success, "cas:user") == world.alice.username
    assert text(success, "cas:proxies/cas:proxy") == f"{client_site}/accounts/callback"

    # Logging out of Cartable logs out of the site too (the background worker tells it).
    logout = browser.get(f"{live_server.url}/cas/logout", timeout=30)
    assert logout.status_code == 200 and "/auth/login" in logout.url
    run_tasks()
    again = browser.get(f"{client_site}/whoami", timeout=30)
    assert "/auth/login" in again.url, again.url


def test_a_guardian_the_school_did_not_enable_it_for_gets_no_ticket(world, client_site):
    app = actions.register_app(
        None, name="Site de test", protocol="cas", service_urls=[f"{client_site}/accounts/"]
    )
    actions.set_school_profiles(None, world.school_a, app, [Profile.STUDENT])
    browser = requests.Session()
    page = browser.get(f"{client_site}/whoami", timeout=30)
    refused = log_in_on_cartable(browser, page, world.users["marie"].username)
    assert refused.status_code == 403
    assert "/cas/login" in refused.url
