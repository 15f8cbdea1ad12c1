"""The CAS 3.0 protocol (https://apereo.github.io/cas/development/protocol/CAS-Protocol-Specification.html):
ticket validation, proxy tickets and the XML answers. Written here because no maintained CAS server library
supports Django 6; tested against django-cas-ng / python-cas (cartable/sso/tests/test_cas_client.py).

The views (cartable/sso/views.py) only parse the request and render what these functions return.
"""

from __future__ import annotations

import ipaddress
import logging
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from django.conf import settings

from cartable.accounts import actions as account_actions
from cartable.accounts.models import LoginEvent, User
from cartable.sso import access, attributes, tickets
from cartable.sso.tasks import no_redirects

log = logging.getLogger(__name__)
NS = "http://www.yale.edu/tp/cas"
CALLBACK_TIMEOUT_SECONDS = 5

INVALID_REQUEST = "INVALID_REQUEST"
INVALID_TICKET_SPEC = "INVALID_TICKET_SPEC"
UNAUTHORIZED_SERVICE_PROXY = "UNAUTHORIZED_SERVICE_PROXY"
INVALID_PROXY_CALLBACK = "INVALID_PROXY_CALLBACK"
INVALID_TICKET = "INVALID_TICKET"
INVALID_SERVICE = "INVALID_SERVICE"


def with_ticket(service: str, ticket: str) -> str:
    """The service address with `ticket=` added to its query (its fragment kept last)."""
    parts = urllib.parse.urlsplit(service)
    query = f"{parts.query}&" if parts.query else ""
    return urllib.parse.urlunsplit(parts._replace(query=query + urllib.parse.urlencode({"ticket": ticket})))


def usable_account(user: User | None, ticket: tickets.Ticket) -> bool:
    """Still active, not blocked, not logged out everywhere since the ticket was made."""
    return (
        user is not None
        and user.is_active
        and not user.is_blocked
        and user.session_generation == ticket.session_generation
    )


# --- Answers -------------------------------------------------------------------------------------------


def failure(code: str, message: str) -> str:
    return (
        f'<cas:serviceResponse xmlns:cas="{NS}">\n'
        f'  <cas:authenticationFailure code="{code}">{escape(message)}</cas:authenticationFailure>\n'
        "</cas:serviceResponse>\n"
    )


def proxy_failure(code: str, message: str) -> str:
    return (
        f'<cas:serviceResponse xmlns:cas="{NS}">\n'
        f'  <cas:proxyFailure code="{code}">{escape(message)}</cas:proxyFailure>\n'
        "</cas:serviceResponse>\n"
    )


def proxy_success(ticket: str) -> str:
    return (
        f'<cas:serviceResponse xmlns:cas="{NS}">\n'
        f"  <cas:proxySuccess><cas:proxyTicket>{escape(ticket)}</cas:proxyTicket></cas:proxySuccess>\n"
        "</cas:serviceResponse>\n"
    )


def _date(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def success(username: str, values: dict[str, list[str]], ticket: tickets.Ticket, iou: str | None) -> str:
    lines = [f'<cas:serviceResponse xmlns:cas="{NS}">', "  <cas:authenticationSuccess>"]
    lines.append(f"    <cas:user>{escape(username)}</cas:user>")
    lines.append("    <cas:attributes>")
    when = _date(ticket.authenticated_at or ticket.issued_at)
    lines.append(f"      <cas:authenticationDate>{when}</cas:authenticationDate>")
    lines.append(f"      <cas:isFromNewLogin>{str(ticket.new_login).lower()}</cas:isFromNewLogin>")
    lines.append(
        "      <cas:longTermAuthenticationRequestTokenUsed>false</cas:longTermAuthenticationRequestTokenUsed>"
    )
    for name, items in values.items():
        for item in items:
            lines.append(f"      <cas:{name}>{escape(item)}</cas:{name}>")
    lines.append("    </cas:attributes>")
    if iou:
        lines.append(f"    <cas:proxyGrantingTicket>{escape(iou)}</cas:proxyGrantingTicket>")
    if ticket.proxies:
        lines.append("    <cas:proxies>")
        lines.extend(f"      <cas:proxy>{escape(proxy)}</cas:proxy>" for proxy in ticket.proxies)
        lines.append("    </cas:proxies>")
    lines += ["  </cas:authenticationSuccess>", "</cas:serviceResponse>", ""]
    return "\n".join(lines)


# --- Validation ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    service: str
    ticket: str
    pgt_url: str = ""
    renew: bool = False


def validate(params: Params, kinds: tuple[str, ...]) -> str:
    """/serviceValidate (kinds: ST) and /proxyValidate (ST and PT): the XML answer."""
    if not params.service or not params.ticket:
        return failure(INVALID_REQUEST, "Les paramètres service et ticket sont obligatoires.")
    if params.ticket.startswith(f"{tickets.PROXY}-") and tickets.PROXY not in kinds:
        # Refused, and spent like any ticket offered for validation (CAS 3.0, 3.1).
        tickets.take(params.ticket, (tickets.PROXY,))
        return failure(INVALID_TICKET_SPEC, "Un ticket de proxy se valide par /proxyValidate.")
    ticket = tickets.take(params.ticket, kinds)
    if ticket is None:
        return failure(INVALID_TICKET, f"Ticket {params.ticket[:60]} inconnu, déjà utilisé ou expiré.")
    # The ticket is spent whatever follows (single use, even for the wrong service).
    if ticket.service != params.service:
        return failure(INVALID_SERVICE, "Le ticket n’a pas été délivré pour ce service.")
    if params.renew and not ticket.new_login:
        return failure(INVALID_TICKET, "Le ticket ne vient pas d’une saisie du mot de passe (renew).")
    app = next((a for a in access.active_apps() if a.pk == ticket.app_id), None)
    user = User.objects.filter(pk=ticket.user_id).first()
    if app is None or user is None or not usable_account(user, ticket):
        return failure(INVALID_TICKET, "Le ticket n’est plus valable.")
    schools = access.schools_using(user, app)
    if not schools:
        return failure(INVALID_SERVICE, "Ce compte n’a pas accès à cette application.")
    iou = _grant_proxy(params.pgt_url, app, user, ticket) if params.pgt_url else None
    values = attributes.released(user, app.attributes, schools)
    return success(user.get_username(), values, ticket, iou)


def callback_allowed(url: str) -> bool:
    """https, or http to the loopback address where the deployment allows it (tests, a local demo)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not settings.CAS_ALLOW_LOCAL_HTTP_CALLBACK or not parts.hostname:
        return False
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _grant_proxy(pgt_url: str, app: access.AppFacts, user: User, ticket: tickets.Ticket) -> str | None:
    """A proxy-granting ticket delivered to the callback (its IOU goes in the answer), or None: an
    application not allowed to proxy, a callback outside its registered addresses or not https, a callback
    that did not answer 200 — the validation succeeds without it (CAS 3.0, 2.5.4)."""
    callback_app = access.app_for_service(pgt_url)
    if (
        not app.proxy_allowed
        or callback_app is None
        or callback_app.pk != app.pk
        or not callback_allowed(pgt_url)
    ):
        return None
    granting = tickets.Ticket(
        kind=tickets.PROXY_GRANTING,
        user_id=user.pk,
        app_id=app.pk,
        service=pgt_url,
        issued_at=time.time(),
        session_generation=ticket.session_generation,
        proxies=(pgt_url, *ticket.proxies),
    )
    pgt_id = tickets.issue(granting)
    iou = tickets.new_id(tickets.IOU)
    separator = "&" if urllib.parse.urlsplit(pgt_url).query else "?"
    address = f"{pgt_url}{separator}{urllib.parse.urlencode({'pgtIou': iou, 'pgtId': pgt_id})}"
    try:
        # A redirect is not followed (CAS 3.0, 2.5.4): the callback must answer 200 itself.
        with no_redirects.open(address, timeout=CALLBACK_TIMEOUT_SECONDS) as response:
            if response.status != 200:
                return None
    except Exception as error:  # the callback's failure only withholds the proxy-granting ticket
        log.info("proxy callback %s failed: %s", pgt_url, error)
        return None
    return iou


def proxy(pgt_id: str, target: str) -> str:
    """/proxy: a proxy ticket for `target` from a proxy-granting ticket."""
    if not pgt_id or not target:
        return proxy_failure(INVALID_REQUEST, "Les paramètres pgt et targetService sont obligatoires.")
    granting = tickets.read_granting(pgt_id)
    if granting is None:
        return proxy_failure(INVALID_TICKET, "Ticket de proxy inconnu ou expiré.")
    target_app = access.app_for_service(target)
    user = User.objects.filter(pk=granting.user_id).first()
    if target_app is None or target_app.protocol != "cas":
        return proxy_failure(UNAUTHORIZED_SERVICE_PROXY, "Service cible inconnu.")
    if user is None or not usable_account(user, granting) or not access.can_use(user, target_app):
        return proxy_failure(UNAUTHORIZED_SERVICE_PROXY, "Ce compte n’a pas accès au service cible.")
    pt = tickets.issue(
        tickets.Ticket(
            kind=tickets.PROXY,
            user_id=user.pk,
            app_id=target_app.pk,
            service=target,
            issued_at=time.time(),
            authenticated_at=granting.issued_at,
            session_generation=granting.session_generation,
            proxies=granting.proxies,
        )
    )
    # A login to the target application on the person's behalf: in their history too (rule C8).
    account_actions.record_login_event(
        user, LoginEvent.Kind.APP_LOGIN, None, detail=f"{target_app.name} (proxy)"
    )
    return proxy_success(pt)
