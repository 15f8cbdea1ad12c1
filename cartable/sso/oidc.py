"""The OpenID Connect provider (django-oauth-toolkit): which application a client is, and what its ID tokens
and userinfo answer say.

Each OpenID Connect `ConnectedApp` has one OAuth 2 client (`OidcClient` → django-oauth-toolkit's
`Application`: client id, hashed secret, its service addresses as exact redirect addresses), made and kept in
step by cartable.sso.actions. The flow is the authorization code with PKCE (required); the ID tokens are
signed with RS256 (settings.OIDC_SIGNING_KEY_FILE), the key published at /oidc/jwks.json.

**Claims by scope, within the release list.** A claim is answered when the application asked for its scope
*and* its registration releases the attribute it comes from (`CLAIMS`): the same minimisation as CAS and
SAML, the same values (cartable.sso.attributes), about the schools through which the person may use the
application only (`access.schools_using`).

**The `sub`** is a pairwise identifier (`PairwiseSubject`): 128 random bits stored at the person's first
login to that application. Not the login (it changes with a name, and tells who the person is), not the
database id (guessable, the same for every application), and not a hash of it under a key (the key could
never change and a leak would join every application's users): a random value per person and application
cannot be linked across publishers and survives any key rotation. It is forgotten at the purge.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from oauth2_provider.models import Grant
from oauth2_provider.oauth2_validators import OAuth2Validator

from cartable.access import policy
from cartable.accounts.models import User
from cartable.directory.models import Membership, Person, Profile
from cartable.lib import facts
from cartable.sso import access, attributes, versions
from cartable.sso.models import OidcClient

# claim -> (scope, the attribute of the release list it comes from, single value or list)
CLAIMS: dict[str, tuple[str, str, bool]] = {
    "name": ("profile", "displayName", True),
    "given_name": ("profile", "givenName", True),
    "family_name": ("profile", "sn", True),
    "preferred_username": ("profile", "uid", True),
    "email": ("email", "mail", True),
    "school": ("school", "ENTPersonStructRattach", False),
    "profiles": ("school", "ENTPersonProfils", False),
    "classes": ("classes", "classes", False),
    "children": ("children", "children", False),
}
SCOPES = ("openid", "profile", "email", "school", "classes", "children")


def _load_clients() -> dict[str, int]:
    return dict(OidcClient.objects.values_list("application__client_id", "app_id"))


def _build_clients(rows: dict[str, int]) -> dict[str, int]:
    return dict(rows)


def app_for_client(client_id: str) -> access.AppFacts | None:
    """The active OpenID Connect application of this client id (no query on a warm cache)."""
    clients = facts.cached("sso:oidc-clients", [versions.APPS_KEY], _load_clients, _build_clients)
    app_id = clients.get(client_id)
    return next((app for app in access.active_apps() if app.pk == app_id and app.protocol == "oidc"), None)


def usable(user: Any) -> bool:
    return isinstance(user, User) and user.is_active and not user.is_blocked


def children_of(user: Any, school_ids: list[int]) -> list[Person]:
    """A guardian's children enrolled in those schools (the schools where the guardian uses the app)."""
    child_ids = policy.viewer_for(user).child_ids
    if not child_ids:
        return []
    pupils = Membership.objects.filter(
        person_id__in=child_ids, school_id__in=school_ids, profile=Profile.STUDENT
    ).values("person_id")
    return list(
        Person.objects.filter(pk__in=pupils).select_related("user").order_by("last_name", "first_name")
    )


def claims_for(
    user: User, app: access.AppFacts, scopes: list[str], subject: Callable[[int], str]
) -> dict[str, Any]:
    """The claims this application receives about `user` for these scopes; `subject(user_id)` gives the
    pairwise `sub` of a person for the application (children are named by theirs)."""
    schools = access.schools_using(user, app)
    wanted = {
        claim: (source, single)
        for claim, (scope, source, single) in CLAIMS.items()
        if scope in scopes and source in app.attributes
    }
    claims: dict[str, Any] = {"sub": subject(user.pk)}
    if not schools:
        return claims
    values = attributes.released(user, [source for source, _single in wanted.values()], schools)
    for claim, (source, single) in wanted.items():
        if claim == "children":
            claims[claim] = [
                {
                    "sub": subject(child.user_id),
                    "given_name": child.first_name,
                    "family_name": child.last_name,
                }
                for child in children_of(user, schools)
                if child.user_id is not None
            ]
        elif single:
            found = values.get(source, [])
            if found:
                claims[claim] = found[0]
        else:
            claims[claim] = values.get(source, [])
    return claims


class CartableValidator(OAuth2Validator):
    """django-oauth-toolkit's validator, with Cartable's rules: the code and the token serve only a person
    who may still use the application (account active, not blocked, the school's choice unchanged), and the
    claims follow the scopes and the release list."""

    oidc_claim_scope = None  # claims_for() applies the scopes itself

    def _app(self, request: Any) -> access.AppFacts | None:
        client = getattr(request, "client", None)
        return app_for_client(client.client_id) if client is not None else None

    # The library reads the grant of a code six times in one exchange (its scopes, the code, the PKCE
    # challenge and its method, the redirect address, the nonce): read once per request here, with its user.
    def _grant(self, request: Any, code: str) -> Grant | None:
        cached: dict[str, Grant | None] = getattr(request, "_cartable_grants", None) or {}
        if code not in cached:
            cached[code] = Grant.objects.select_related("user").filter(code=code).first()
            request._cartable_grants = cached
        return cached[code]

    def _client_grant(self, request: Any, code: str, client: Any) -> Grant | None:
        grant = self._grant(request, code)
        return (
            grant if grant is not None and client is not None and grant.application_id == client.pk else None
        )

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):  # type: ignore[no-untyped-def]
        grant = self._grant(request, code)
        return grant.scope.split() if grant is not None else []

    def get_authorization_code_nonce(self, client_id, code, redirect_uri, request):  # type: ignore[no-untyped-def]
        grant = self._grant(request, code)
        return (grant.nonce or None) if grant is not None else None

    def get_code_challenge(self, code, request):  # type: ignore[no-untyped-def]
        grant = self._client_grant(request, code, request.client)
        return (grant.code_challenge or None) if grant is not None else None

    def get_code_challenge_method(self, code, request):  # type: ignore[no-untyped-def]
        grant = self._client_grant(request, code, request.client)
        return (grant.code_challenge_method or None) if grant is not None else None

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, *args, **kwargs):  # type: ignore[no-untyped-def]
        request = kwargs.get("request") or (args[0] if args else None)
        grant = self._client_grant(request, code, client) if request is not None else None
        return grant is not None and grant.redirect_uri_allowed(redirect_uri)

    def validate_code(self, client_id, code, client, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        grant = self._client_grant(request, code, client)
        if grant is None or grant.is_expired():
            return False
        request.scopes = grant.scope.split(" ")
        request.user = grant.user
        if grant.nonce:
            request.nonce = grant.nonce
        if grant.claims:
            request.claims = json.loads(grant.claims)
        app = app_for_client(client.client_id)
        return app is not None and usable(request.user) and access.can_use(request.user, app)

    def validate_bearer_token(self, token, scopes, request):  # type: ignore[no-untyped-def]
        if not super().validate_bearer_token(token, scopes, request):
            return False
        app = self._app(request)
        return app is not None and usable(request.user) and access.can_use(request.user, app)

    def get_claim_dict(self, request):  # type: ignore[no-untyped-def]
        from cartable.sso import actions

        app = self._app(request)
        if app is None:
            return {}
        return claims_for(
            request.user,
            app,
            list(request.scopes or []),
            lambda user_id: actions.pairwise_subject(user_id, app.pk),
        )

    def get_discovery_claims(self, request):  # type: ignore[no-untyped-def]
        return ["sub", *CLAIMS]

    def get_userinfo_claims(self, request):  # type: ignore[no-untyped-def]
        return self.get_claim_dict(request)
