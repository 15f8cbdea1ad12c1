"""Shared by the OpenID Connect tests: an application registered for the permission world, and the two
steps of the authorization code flow with PKCE through Django's test client."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from django.test import Client

from cartable.directory.models import Profile
from cartable.sso import actions
from cartable.sso.models import ConnectedApp

REDIRECT = "https://moodle.example.test/auth/oidc/"
EVERY_CLAIM = [
    "uid",
    "displayName",
    "givenName",
    "sn",
    "mail",
    "ENTPersonStructRattach",
    "ENTPersonProfils",
    "classes",
    "children",
]


@dataclass
class Registered:
    app: ConnectedApp
    client_id: str
    secret: str


def register(
    world,
    *,
    attributes=EVERY_CLAIM,
    profiles=(Profile.STUDENT, Profile.TEACHER, Profile.RELATIVE),
    redirect=REDIRECT,
    school=None,
) -> Registered:
    app = actions.register_app(
        None, name="Moodle OIDC", protocol="oidc", service_urls=[redirect], attribute_names=list(attributes)
    )
    actions.set_school_profiles(None, school or world.school_a, app, list(profiles))
    client_id, secret = actions.new_client_secret(None, app)
    return Registered(app, client_id, secret)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(registered: Registered, challenge: str, scope: str = "openid", redirect=REDIRECT) -> str:
    return "/oidc/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": registered.client_id,
            "redirect_uri": redirect,
            "scope": scope,
            "state": "etat-1",
            "nonce": "nonce-1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )


def code_for(client: Client, registered: Registered, scope: str = "openid") -> tuple[str, str]:
    """(code, verifier) for the logged-in person of `client`."""
    verifier, challenge = pkce()
    response = client.get(authorize_url(registered, challenge, scope))
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith(REDIRECT), location
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["etat-1"]
    return query["code"][0], verifier


def exchange(registered: Registered, code: str, verifier: str, secret: str | None = None):
    return Client().post(
        "/oidc/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": registered.client_id,
            "client_secret": secret or registered.secret,
        },
    )


def userinfo(access_token: str) -> dict:
    response = Client().get("/oidc/userinfo/", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200, response.content
    return response.json()


def claims_of(client: Client, registered: Registered, scope: str) -> dict:
    code, verifier = code_for(client, registered, scope)
    answer = exchange(registered, code, verifier)
    assert answer.status_code == 200, answer.content
    return userinfo(answer.json()["access_token"])
