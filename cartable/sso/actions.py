"""Every write of the connected applications: their registration (the platform admin, or the command line),
a school's choices (its ENT admin), and a person opening one (a ticket and its trace, rule C8)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from typing import Any

from django.contrib import auth
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from cartable.access import policy
from cartable.accounts import actions as account_actions
from cartable.accounts.models import LoginEvent, User
from cartable.directory.models import Profile, School
from cartable.lib.errors import Refused
from cartable.sso import access, attributes, saml, tasks, tickets, versions
from cartable.sso.models import AppEnablement, ConnectedApp, OidcClient, PairwiseSubject

# The services this browser session received a ticket for: [[service, ticket, app id], …] (single logout).
SESSION_SERVICES_KEY = "sso_services"
SESSION_SERVICES_MAX = 50


def _require_platform_admin(actor: Any) -> None:
    if actor is not None and not policy.is_platform_admin(actor):
        raise PermissionDenied


def _check(
    protocol: str, service_urls: Iterable[str], attribute_names: Iterable[str], profiles: Iterable[str]
) -> list[str]:
    if protocol not in ConnectedApp.Protocol.values:
        raise Refused(_("Protocole inconnu : %(p)s") % {"p": protocol}, field="protocol")
    urls = [u.strip() for u in service_urls if u.strip()]
    if not urls:
        raise Refused(_("Indiquez au moins une adresse de service."), field="service_urls")
    for url in urls:
        if not access.service_matches(url, url):
            raise Refused(
                _("« %(url)s » n’est pas une adresse http(s) complète.") % {"url": url}, field="service_urls"
            )
    unknown = [a for a in attribute_names if a not in attributes.CATALOGUE]
    if unknown:
        raise Refused(_("Attributs inconnus : %(names)s") % {"names": ", ".join(unknown)}, field="attributes")
    wrong = [p for p in profiles if p not in Profile.values]
    if wrong:
        raise Refused(_("Profils inconnus : %(names)s") % {"names": ", ".join(wrong)}, field="profiles")
    return urls


@transaction.atomic
def register_app(
    actor: Any,
    *,
    name: str,
    protocol: str,
    service_urls: Iterable[str],
    attribute_names: Iterable[str] = attributes.DEFAULT,
    profiles: Iterable[str] = (),
    schools: Iterable[School] = (),
    icon: str = "app",
    description: str = "",
    launch_url: str = "",
    single_logout: bool = True,
    proxy_allowed: bool = False,
) -> ConnectedApp:
    _require_platform_admin(actor)
    attribute_names, profiles = list(attribute_names), list(profiles)
    urls = _check(protocol, service_urls, attribute_names, profiles)
    if not name.strip():
        raise Refused(_("Donnez un nom à l’application."), field="name")
    app = ConnectedApp.objects.create(
        name=name.strip(),
        protocol=protocol,
        service_urls="\n".join(urls),
        attributes=attribute_names,
        profiles=profiles,
        icon=icon,
        description=description,
        launch_url=launch_url,
        single_logout=single_logout,
        proxy_allowed=proxy_allowed,
    )
    app.schools.set(list(schools))
    _sync_oidc_client(app)
    versions.bump()
    return app


@transaction.atomic
def update_app(actor: Any, app: ConnectedApp, **changes: Any) -> ConnectedApp:
    """Changes of the registration (the fields of `register_app`, and `active`); a school's choices outside
    what the application now allows are narrowed."""
    _require_platform_admin(actor)
    schools = changes.pop("schools", None)
    urls = _check(
        changes.get("protocol", app.protocol),
        changes.pop("service_urls", app.service_prefixes()),
        changes.setdefault("attributes", app.attributes),
        changes.setdefault("profiles", app.profiles),
    )
    if "name" in changes and not changes["name"].strip():
        raise Refused(_("Donnez un nom à l’application."), field="name")
    changes["service_urls"] = "\n".join(urls)
    for name, value in changes.items():
        setattr(app, name, value)
    app.save()
    if schools is not None:
        app.schools.set(list(schools))
    _narrow_enablements(app)
    _sync_oidc_client(app)
    versions.bump()
    return app


def _narrow_enablements(app: ConnectedApp) -> None:
    allowed = {s.pk for s in app.schools.all()}
    offered = set(app.offered_profiles())
    for enablement in AppEnablement.objects.filter(app=app):
        kept = [p for p in enablement.profiles if p in offered]
        if (allowed and enablement.school_id not in allowed) or not kept:
            enablement.delete()
        elif kept != enablement.profiles:
            enablement.profiles = kept
            enablement.save(update_fields=["profiles"])


@transaction.atomic
def set_school_profiles(actor: Any, school: School, app: ConnectedApp, profiles: Iterable[str]) -> None:
    """The school's choice: which of its profiles may use the application (none: it is off)."""
    if actor is not None and not policy.admin_of(actor, school):
        raise PermissionDenied
    if app.schools.exists() and not app.schools.filter(pk=school.pk).exists():
        raise PermissionDenied
    chosen = [p for p in app.offered_profiles() if p in set(profiles)]
    if not chosen:
        AppEnablement.objects.filter(app=app, school=school).delete()
    else:
        AppEnablement.objects.update_or_create(
            app=app,
            school=school,
            defaults={"profiles": chosen, "enabled_by": actor, "enabled_at": timezone.now()},
        )
    versions.bump()


@transaction.atomic
def delete_app(actor: Any, app: ConnectedApp) -> None:
    _require_platform_admin(actor)
    Application.objects.filter(pk__in=OidcClient.objects.filter(app=app).values("application_id")).delete()
    app.delete()
    versions.bump()


# --- Opening an application ----------------------------------------------------------------------------


def issue_service_ticket(
    request: HttpRequest, app: access.AppFacts, service: str, *, new_login: bool = False
) -> str:
    """A service ticket for the logged-in person, traced in their login history (rule C8), and the service
    kept in the session for the single logout. The caller checked that the person may use the application."""
    user = request.user
    if not isinstance(user, User) or not access.can_use(user, app):
        raise PermissionDenied
    ticket = tickets.issue(
        tickets.Ticket(
            kind=tickets.SERVICE,
            user_id=user.pk,
            app_id=app.pk,
            service=service,
            issued_at=time.time(),
            new_login=new_login,
            authenticated_at=time.time() if new_login else 0.0,
            session_generation=user.session_generation,
        )
    )
    account_actions.record_login_event(user, LoginEvent.Kind.APP_LOGIN, request, detail=app.name)
    if app.single_logout:
        services = list(request.session.get(SESSION_SERVICES_KEY, []))[-SESSION_SERVICES_MAX + 1 :]
        services.append([service, ticket, app.pk])
        request.session[SESSION_SERVICES_KEY] = services
    return ticket


def tell_services(request: HttpRequest) -> int:
    """Single logout: each service this session got a ticket for is told, by the background worker once the
    transaction commits. Also run by Cartable's own logout (accounts.logout_hooks). Returns how many."""
    to_tell = [(service, ticket) for service, ticket, _app in request.session.pop(SESSION_SERVICES_KEY, [])]
    if to_tell:
        transaction.on_commit(lambda: tasks.single_logout.enqueue(to_tell))
    return len(to_tell)


def log_out(request: HttpRequest) -> int:
    """/cas/logout: end the Cartable session and tell each service it opened."""
    if isinstance(request.user, User):
        account_actions.record_login_event(request.user, LoginEvent.Kind.LOGOUT, request)
    told = tell_services(request)
    auth.logout(request)
    return told


# --- OpenID Connect clients (cartable.sso.oidc) ------------------------------------------------------------


def _sync_oidc_client(app: ConnectedApp) -> None:
    """An OpenID Connect application has its OAuth 2 client, whose redirect addresses are the application's
    service addresses (exact addresses here, as OAuth 2 asks); another protocol has none. A new client's
    secret is known to nobody until the platform admin generates one (`new_client_secret`)."""
    client = OidcClient.objects.filter(app=app).select_related("application").first()
    if app.protocol != ConnectedApp.Protocol.OIDC:
        if client is not None:
            client.application.delete()
        return
    redirects = " ".join(app.service_prefixes())
    if client is None:
        application = Application.objects.create(
            name=app.name[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=redirects,
            algorithm=Application.RS256_ALGORITHM,
            # The school's yes is the consent: who may not use the application is refused before any code.
            skip_authorization=True,
            client_secret=generate_client_secret(),
        )
        OidcClient.objects.create(app=app, application=application)
    elif client.application.redirect_uris != redirects or client.application.name != app.name[:255]:
        client.application.redirect_uris = redirects
        client.application.name = app.name[:255]
        client.application.save(update_fields=["redirect_uris", "name"])


@transaction.atomic
def new_client_secret(actor: Any, app: ConnectedApp) -> tuple[str, str]:
    """A new secret for the application's client, replacing the old one at once: (client id, secret). The
    secret is stored hashed and shown once (the platform admin's page, `manage.py add_connected_app`)."""
    _require_platform_admin(actor)
    client = OidcClient.objects.filter(app=app).select_related("application").first()
    if client is None:
        raise Refused(_("Cette application n’utilise pas OpenID Connect."), field=None)
    secret = generate_client_secret()
    client.application.client_secret = secret  # hashed by the model's save (hash_client_secret)
    client.application.save(update_fields=["client_secret"])
    versions.bump()
    return client.application.client_id, secret


def pairwise_subject(user_id: int, app_id: int) -> str:
    """The person's `sub` for this application, made at the first need (see cartable.sso.oidc)."""
    found = (
        PairwiseSubject.objects.filter(user_id=user_id, app_id=app_id).values_list("sub", flat=True).first()
    )
    if found is not None:
        return found
    subject, _created = PairwiseSubject.objects.get_or_create(
        user_id=user_id, app_id=app_id, defaults={"sub": secrets.token_hex(16)}
    )
    return subject.sub


def trace_app_login(request: HttpRequest, app: access.AppFacts) -> None:
    """An authorization code given to an application: the person's login history says so (rule C8)."""
    user = request.user
    if isinstance(user, User):
        account_actions.record_login_event(user, LoginEvent.Kind.APP_LOGIN, request, detail=app.name)


# --- SAML 2 (cartable.sso.saml) -------------------------------------------------------------------------


def answer_saml_request(actor: Any, request: HttpRequest, pending: saml.Pending) -> tuple[str, str, str]:
    """The signed SAML response to a provider's accepted AuthnRequest for the logged-in person: (the ACS
    address it is posted to, the base64 response, the relay state); traced in their login history (rule C8).
    Refused when the person may not use the application."""
    found = saml.app_of(pending)
    if not isinstance(actor, User) or found is None:
        raise PermissionDenied
    provider, app = found
    if not access.can_use(actor, app):
        raise PermissionDenied
    try:
        response = saml.signed_response(actor, pending, provider, app)
    except LookupError:
        raise Refused(
            _(
                "Votre compte n’a pas de fiche dans l’annuaire : cette application ne peut pas vous "
                "reconnaître."
            )
        ) from None
    account_actions.record_login_event(actor, LoginEvent.Kind.APP_LOGIN, request, detail=app.name)
    return provider.acs_url, response, pending.relay_state


@transaction.atomic
def set_saml_provider(
    actor: Any,
    app: ConnectedApp,
    *,
    entity_id: str,
    acs_url: str,
    metadata: str = "",
    certificate: str = "",
    gar_profile: bool = False,
) -> ConnectedApp:
    """Register the SAML service provider of an application of protocol `saml`: its entity id, the address
    its assertions are posted to, and its metadata or signing certificate; with the GAR profile it receives
    the GAR's attributes."""
    _require_platform_admin(actor)
    entity_id, acs_url = entity_id.strip(), acs_url.strip()
    if app.protocol != ConnectedApp.Protocol.SAML:
        raise Refused(_("Cette application n’utilise pas SAML."), field="protocol")
    if not entity_id:
        raise Refused(_("Indiquez l’identifiant SAML du fournisseur de service."), field="saml_entity_id")
    if not access.service_matches(acs_url, acs_url):
        raise Refused(
            _("« %(url)s » n’est pas une adresse http(s) complète.") % {"url": acs_url}, field="saml_acs_url"
        )
    taken = ConnectedApp.objects.filter(saml_entity_id=entity_id).exclude(pk=app.pk).exists()
    if taken:
        raise Refused(_("Une autre application a déjà cet identifiant SAML."), field="saml_entity_id")
    if metadata.strip() and f'entityID="{entity_id}"' not in metadata:
        raise Refused(_("Les métadonnées ne décrivent pas cet identifiant SAML."), field="saml_metadata")
    app.saml_entity_id, app.saml_acs_url = entity_id, acs_url
    app.saml_metadata, app.saml_certificate, app.saml_gar_profile = (
        metadata.strip(),
        certificate.strip(),
        gar_profile,
    )
    app.save(
        update_fields=[
            "saml_entity_id",
            "saml_acs_url",
            "saml_metadata",
            "saml_certificate",
            "saml_gar_profile",
        ]
    )
    versions.bump()
    return app
