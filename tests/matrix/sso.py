"""Access matrix of the connected applications and the CAS server (cartable.sso)."""

from __future__ import annotations

import base64
import zlib
from datetime import UTC, datetime
from urllib.parse import urlencode

from cartable.directory.models import Profile
from cartable.sso import actions, saml
from cartable.sso.models import ConnectedApp
from tests.matrix import Route, console, expect
from tests.world import World

SERVICE = "https://pronote.example.test/eleve/"


def _app(world: World) -> ConnectedApp:
    """Pronote, enabled in school A for its pupils (made again if deleted)."""
    app = ConnectedApp.objects.filter(name="Pronote").first()
    if app is None:
        app = actions.register_app(None, name="Pronote", protocol="cas", service_urls=[SERVICE])
        actions.set_school_profiles(None, world.school_a, app, [Profile.STUDENT])
    return app


def _login(world: World) -> str:
    _app(world)
    return "/cas/login?" + urlencode({"service": SERVICE})


def _validate(path: str):
    return lambda w: (_app(w), f"/cas/{path}?" + urlencode({"service": SERVICE, "ticket": "ST-none"}))[1]


SAML_SP = "https://manuels.example.test/saml/metadata"
SAML_ACS = "https://manuels.example.test/saml/acs"


def _saml_app(world: World) -> ConnectedApp:
    """A SAML application, enabled in school A for its pupils (made again if deleted)."""
    app = ConnectedApp.objects.filter(name="Manuels").first()
    if app is None:
        app = actions.register_app(None, name="Manuels", protocol="saml", service_urls=[SAML_ACS])
        actions.set_saml_provider(None, app, entity_id=SAML_SP, acs_url=SAML_ACS)
        actions.set_school_profiles(None, world.school_a, app, [Profile.STUDENT])
    return app


def _saml_sso(world: World) -> str:
    """An AuthnRequest of the registered provider, in the HTTP-Redirect binding."""
    _saml_app(world)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    request = (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_matrix" Version="2.0" '
        f'IssueInstant="{now}" AssertionConsumerServiceURL="{SAML_ACS}">'
        f"<saml:Issuer>{SAML_SP}</saml:Issuer></samlp:AuthnRequest>"
    )
    deflated = zlib.compress(request.encode())[2:-4]
    return saml.SSO_PATH + "?" + urlencode({"SAMLRequest": base64.b64encode(deflated).decode()})


ROUTES: dict[str, Route] = {
    "cas:login": Route(_login),
    "cas:logout": Route(lambda w: "/cas/logout"),
    "cas:service_validate": Route(_validate("serviceValidate")),
    "cas:p3_service_validate": Route(_validate("p3/serviceValidate")),
    "cas:proxy_validate": Route(_validate("proxyValidate")),
    "cas:p3_proxy_validate": Route(_validate("p3/proxyValidate")),
    "cas:proxy": Route(lambda w: "/cas/proxy?pgt=PGT-none&targetService=" + SERVICE),
    "saml:metadata": Route(lambda w: "/saml/metadata"),
    "saml:sso": Route(_saml_sso),
    "saml:resume": Route(lambda w: "/saml/sso/reprendre"),
    "sso:apps": Route(lambda w: "/applications-connectees/"),
    "sso:app_new": Route(lambda w: "/applications-connectees/nouvelle"),
    "sso:app_edit": Route(lambda w: f"/applications-connectees/{_app(w).pk}/"),
    "sso:app_delete": Route(lambda w: f"/applications-connectees/{_app(w).pk}/supprimer", "post"),
    "sso:school_apps": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/applications-connectees"),
}

# The pupils of school A get a ticket (a redirect to the service); everyone else logged in is told no (403);
# nobody logged in goes to the login page.
PUPILS_OF_A = ("alice", "bob", "carl")

MATRIX: dict[str, dict[str, int]] = {
    "cas:login": expect(403, anon=302, **dict.fromkeys(PUPILS_OF_A, 302)),
    "cas:logout": expect(302),
    # Server-to-server: an XML answer (here a failure: no such ticket) to anyone.
    "cas:service_validate": expect(200),
    "cas:p3_service_validate": expect(200),
    "cas:proxy_validate": expect(200),
    "cas:p3_proxy_validate": expect(200),
    "cas:proxy": expect(200),
    # The SAML identity provider: the pupils of school A get the page posting the assertion; everyone else
    # logged in is told no; nobody logged in goes to the login page. Nothing pending: back to the home page.
    "saml:metadata": expect(200),
    "saml:sso": expect(403, anon=302, **dict.fromkeys(PUPILS_OF_A, 200)),
    "saml:resume": expect(302),
    "sso:apps": expect(404, anon=302, root=200),
    "sso:app_new": expect(404, anon=302, root=200),
    "sso:app_edit": expect(404, anon=302, root=200),
    "sso:app_delete": expect(404, anon=302, root=302),
    "sso:school_apps": console(200),
}


# --- The OpenID Connect provider ------------------------------------------------------------------------

OIDC_REDIRECT = "https://moodle-oidc.example.test/auth/oidc/"


def _oidc_app(world: World) -> ConnectedApp:
    """Moodle (OpenID Connect), enabled in school A for its pupils (made again if deleted)."""
    app = ConnectedApp.objects.filter(name="Moodle OIDC").first()
    if app is None:
        app = actions.register_app(None, name="Moodle OIDC", protocol="oidc", service_urls=[OIDC_REDIRECT])
        actions.set_school_profiles(None, world.school_a, app, [Profile.STUDENT])
    return app


def _authorize(world: World) -> str:
    app = _oidc_app(world)
    return "/oidc/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": app.oidc_client.application.client_id,
            "redirect_uri": OIDC_REDIRECT,
            "scope": "openid",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )


ROUTES |= {
    "oauth2_provider:oidc-connect-discovery-info": Route(lambda w: "/.well-known/openid-configuration"),
    "oauth2_provider:authorize": Route(_authorize),
    "oauth2_provider:token": Route(lambda w: "/oidc/token/", "post"),
    "oauth2_provider:user-info": Route(lambda w: "/oidc/userinfo/"),
    "oauth2_provider:jwks-info": Route(lambda w: "/oidc/jwks.json"),
    "oauth2_provider:revoke-token": Route(lambda w: "/oidc/revoke/", "post"),
    "sso:app_secret": Route(lambda w: f"/applications-connectees/{_oidc_app(w).pk}/secret", "post"),
}
MATRIX |= {
    # Public documents: the discovery document and the signing keys.
    "oauth2_provider:oidc-connect-discovery-info": expect(200),
    "oauth2_provider:jwks-info": expect(200),
    # A code (redirect to the application) for the pupils of school A; a refusal page for everyone else
    # logged in; the login page for nobody logged in.
    "oauth2_provider:authorize": expect(403, anon=302, **dict.fromkeys(PUPILS_OF_A, 302)),
    # Server-to-server, authenticated by the client's secret or a token, never by a session: refused here.
    "oauth2_provider:token": expect(400),
    "oauth2_provider:user-info": expect(401),
    "oauth2_provider:revoke-token": expect(400),
    "sso:app_secret": expect(404, anon=302, root=200),
}
