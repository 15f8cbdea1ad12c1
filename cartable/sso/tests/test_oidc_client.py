"""The whole OpenID Connect flow with a real OIDC client library: authlib's OAuth 2 session (PKCE S256,
client_secret_basic) against the live server, a real HTTP client (requests) logging in on Cartable's page,
the ID token's signature checked against the published keys (joserfc, authlib's JOSE library), then
userinfo."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urljoin

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from cartable.directory.models import Profile
from cartable.sso import actions
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
# The application's own address: never contacted, the browser stops at the redirect carrying the code.
REDIRECT = "http://127.0.0.1:9/auth/oidc/callback"


@pytest.fixture
def plain_http(settings):
    # The live server speaks plain http: cookies without the Secure flag.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = False


def browse_to_redirect(browser: requests.Session, url: str, username: str) -> requests.Response:
    """Follow Cartable's redirects (logging in on its page when asked) until the application's address."""
    response = browser.get(url, allow_redirects=False, timeout=30)
    for _step in range(10):
        if response.status_code != 302:
            return response
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(REDIRECT):
            return response
        response = browser.get(location, allow_redirects=False, timeout=30)
        if "/auth/login" in response.url and response.status_code == 200:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
            assert token is not None
            response = browser.post(
                response.url,
                data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
                allow_redirects=False,
                timeout=30,
            )
    raise AssertionError("too many redirects")


def test_a_pupil_logs_in_to_an_application_through_openid_connect(world, live_server, plain_http):
    app = actions.register_app(
        None,
        name="Moodle OIDC",
        protocol="oidc",
        service_urls=[REDIRECT],
        attribute_names=["givenName", "sn", "displayName", "ENTPersonStructRattach", "classes"],
    )
    actions.set_school_profiles(None, world.school_a, app, [Profile.STUDENT])
    client_id, secret = actions.new_client_secret(None, app)
    discovery = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=30).json()
    assert discovery["issuer"] == live_server.url

    oauth = OAuth2Session(
        client_id,
        secret,
        scope="openid profile school",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = generate_token(48)
    nonce = secrets.token_urlsafe(16)
    url, state = oauth.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    browser = requests.Session()
    answer = browse_to_redirect(browser, url, world.alice.username)
    assert answer.status_code == 302, answer.text[:500]
    callback = answer.headers["Location"]
    assert callback.startswith(REDIRECT) and f"state={state}" in callback

    token = oauth.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=30).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    assert id_token.header["alg"] == "RS256"
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
        sub={"essential": True},
    ).validate(id_token.claims)
    assert id_token.claims["given_name"] == "Alice"
    assert id_token.claims["school"] == [world.school_a.uai]
    assert "classes" not in id_token.claims  # scope not asked for

    info = oauth.get(discovery["userinfo_endpoint"]).json()
    assert info["sub"] == id_token.claims["sub"]
    assert info["name"] == "Alice Martin" and info["family_name"] == "Martin"

    # The code served once: authlib's second exchange of the same answer fails.
    second = OAuth2Session(
        client_id, secret, redirect_uri=REDIRECT, token_endpoint_auth_method="client_secret_basic"
    )
    with pytest.raises(Exception, match="invalid_grant"):
        second.fetch_token(
            discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )


def test_a_wrong_verifier_gets_no_token(world, live_server, plain_http):
    app = actions.register_app(None, name="Moodle OIDC", protocol="oidc", service_urls=[REDIRECT])
    actions.set_school_profiles(None, world.school_a, app, [Profile.STUDENT])
    client_id, secret = actions.new_client_secret(None, app)
    oauth = OAuth2Session(
        client_id, secret, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256"
    )
    url, _state = oauth.create_authorization_url(
        f"{live_server.url}/oidc/authorize/", code_verifier=generate_token(48)
    )
    callback = browse_to_redirect(requests.Session(), url, world.alice.username).headers["Location"]
    with pytest.raises(Exception, match="invalid_grant"):
        oauth.fetch_token(
            f"{live_server.url}/oidc/token/",
            authorization_response=callback,
            code_verifier=generate_token(48),
        )


def test_a_pupil_the_school_did_not_enable_it_for_gets_a_refusal_page(world, live_server, plain_http):
    app = actions.register_app(None, name="Moodle OIDC", protocol="oidc", service_urls=[REDIRECT])
    actions.set_school_profiles(None, world.school_a, app, [Profile.TEACHER])
    client_id, secret = actions.new_client_secret(None, app)
    oauth = OAuth2Session(
        client_id, secret, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256"
    )
    url, _state = oauth.create_authorization_url(
        f"{live_server.url}/oidc/authorize/", code_verifier=generate_token(48)
    )
    answer = browse_to_redirect(requests.Session(), url, world.alice.username)
    assert answer.status_code == 403
    assert "Moodle OIDC" in answer.text and "code=" not in answer.headers.get("Location", "")
