"""Background work of the single sign-on: the single logout, a SAML LogoutRequest POSTed to each service a
session opened (CAS 3.0, section 2.3.3), in the worker so that a slow application never holds the logout."""

from __future__ import annotations

import logging
import secrets
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from django.tasks import task

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5


def logout_request(ticket: str) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="LR-{secrets.token_hex(16)}" Version="2.0" IssueInstant="{now}">'
        "<saml:NameID>@NOT_USED@</saml:NameID>"
        f"<samlp:SessionIndex>{escape(ticket)}</samlp:SessionIndex>"
        "</samlp:LogoutRequest>"
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


no_redirects = urllib.request.build_opener(_NoRedirect)


def tell_service(service: str, ticket: str) -> bool:
    """POST the logout request to the service; True when it answered 2xx. Failures are logged, not retried:
    the application's own session still ends at its own timeout."""
    body = urllib.parse.urlencode({"logoutRequest": logout_request(ticket)}).encode()
    request = urllib.request.Request(  # noqa: S310  (the service address was matched against the registry)
        service, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST"
    )
    try:
        with no_redirects.open(request, timeout=TIMEOUT_SECONDS) as response:
            return 200 <= response.status < 300
    except Exception as error:  # a network error, a 4xx/5xx: one service's trouble stops no other
        log.warning("single logout to %s failed: %s", service, error)
        return False


@task()
def single_logout(services: list[list[str]] | list[tuple[str, str]]) -> int:
    """How many services acknowledged the logout."""
    return sum(tell_service(service, ticket) for service, ticket in services)
