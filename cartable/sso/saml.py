"""The SAML 2 identity provider (pysaml2): Cartable signs assertions for the registered service providers.

The metadata (`/saml/metadata`) gives the providers our entity id, our single sign-on address (HTTP-Redirect
and HTTP-POST AuthnRequests) and the certificate of the signing key (settings.SAML_IDP_KEY and
SAML_IDP_CERT). A provider is a connected application of protocol `saml` with its entity id, its ACS address
and its metadata or certificate. Its answer is an HTTP-POST `Response`, signed, carrying a signed assertion
with only the attributes its registration lists (cartable.sso.attributes), about the schools where the
person may use it.

The GAR profile (an application registered with `saml_gar_profile`) sends instead what the GAR's service
provider expects: IDO, the person's opaque GAR identifier (cartable.gar, made here when the person has not
been exported yet), UAI, the schools, and PRO, the national profiles. The GAR knows people by their IDO
only: the name identifier is the IDO too.

Other providers get a pairwise name identifier (a keyed hash of the provider and the account): two
applications cannot match their users through it, and it says nothing of the login name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from django.conf import settings
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.attribute_converter import AttributeConverter
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.s_utils import do_ava, factory
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT
from saml2.server import Server

from cartable.accounts.models import User
from cartable.gar.actions import ensure_identities
from cartable.lib import facts
from cartable.sso import access, attributes, versions
from cartable.sso.models import ConnectedApp

METADATA_PATH = "/saml/metadata"
SSO_PATH = "/saml/sso"
AUTHN_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
ASSERTION_MINUTES = 5
# The GAR's attribute names (its ENT integration guide): the opaque identifier, the schools, the profiles.
GAR_ATTRIBUTES = ("IDO", "UAI", "PRO")


def idp_entity_id() -> str:
    return settings.SITE_URL.rstrip("/") + METADATA_PATH


@dataclass(frozen=True)
class ServiceProvider:
    app_id: int
    entity_id: str
    acs_url: str
    metadata: str
    gar: bool


def _load() -> list[tuple[Any, ...]]:
    rows = []
    for app in ConnectedApp.objects.filter(active=True, protocol=ConnectedApp.Protocol.SAML).exclude(
        saml_entity_id=""
    ):
        rows.append((app.pk, app.saml_entity_id, app.saml_acs_url, sp_metadata(app), app.saml_gar_profile))
    return rows


def service_providers() -> dict[str, ServiceProvider]:
    """The registered service providers by entity id, from the cache (bumped with the applications)."""
    return facts.cached(
        "sso:saml", [versions.APPS_KEY], _load, lambda rows: {r[1]: ServiceProvider(*r) for r in rows}
    )


def _pem_body(pem: str) -> str:
    return "".join(line for line in pem.strip().splitlines() if line and not line.startswith("-----"))


def sp_metadata(app: Any) -> str:
    """The provider's metadata: as registered, or made from its entity id, ACS address and certificate."""
    if app.saml_metadata.strip():
        return app.saml_metadata.strip()
    key = ""
    if app.saml_certificate.strip():
        key = (
            '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
            f"{_pem_body(app.saml_certificate)}"
            "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        )
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID={quoteattr(app.saml_entity_id)}>'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{key}"
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" Location={quoteattr(app.saml_acs_url)} '
        'index="0" isDefault="true"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )


class _AsNamed(AttributeConverter):
    """Attributes under their own names, in the basic name format (pysaml2's maps would turn the SDET's
    and the GAR's names into OIDs or drop them)."""

    def __init__(self, name_format: str) -> None:
        super().__init__(name_format)
        self._to: dict[str, str] = {}
        self._fro: dict[str, str] = {}

    def to_(self, attrvals: dict[str, list[str]]) -> list[saml.Attribute]:
        return [
            factory(saml.Attribute, name=name, name_format=self.name_format, attribute_value=do_ava(values))
            for name, values in attrvals.items()
        ]


def _config(providers: dict[str, ServiceProvider]) -> IdPConfig:
    sso = settings.SITE_URL.rstrip("/") + SSO_PATH
    config = IdPConfig()
    config.load(
        {
            "entityid": idp_entity_id(),
            "service": {
                "idp": {
                    "name": "Cartable",
                    "endpoints": {
                        "single_sign_on_service": [(sso, BINDING_HTTP_REDIRECT), (sso, BINDING_HTTP_POST)]
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "sign_response": True,
                    "sign_assertion": True,
                    "want_authn_requests_signed": False,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": ASSERTION_MINUTES},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_BASIC,
                        }
                    },
                }
            },
            "key_file": settings.SAML_IDP_KEY,
            "cert_file": settings.SAML_IDP_CERT,
            "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
            "metadata": {"inline": [sp.metadata for sp in providers.values()]},
        }
    )
    # Attribute names travel as they are (the SDET's and the GAR's), never renamed to OIDs.
    config.attribute_converters = [_AsNamed(NAME_FORMAT_BASIC)]
    return config


_servers: dict[str, Server] = {}
_lock = threading.Lock()


def server() -> Server:
    """pysaml2's identity provider for the current registrations, made again only when they change."""
    providers = service_providers()
    key = hashlib.sha256(
        "\0".join(
            f"{sp.entity_id}\1{sp.metadata}" for sp in sorted(providers.values(), key=lambda s: s.entity_id)
        ).encode()
    ).hexdigest()
    with _lock:
        found = _servers.get(key)
        if found is None:
            _servers.clear()
            found = _servers[key] = Server(config=_config(providers))
        return found


def metadata() -> str:
    """Our metadata document (served at /saml/metadata)."""
    return str(entity_descriptor(server().config))


# --- The single sign-on --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A provider's AuthnRequest, read and accepted, waiting for the person to be logged in."""

    entity_id: str
    request_id: str
    relay_state: str

    def as_session(self) -> list[str]:
        return [self.entity_id, self.request_id, self.relay_state]

    @classmethod
    def from_session(cls, value: Any) -> Pending | None:
        if isinstance(value, list) and len(value) == 3 and all(isinstance(v, str) for v in value):
            return cls(*value)
        return None


def read_request(saml_request: str, binding: str, relay_state: str) -> Pending | None:
    """The AuthnRequest if it comes from a registered provider and asks for its registered ACS; else None."""
    if not saml_request:
        return None
    try:
        message = server().parse_authn_request(saml_request, binding).message
    except Exception:  # any malformed or unverifiable request is refused alike
        return None
    issuer = message.issuer.text.strip() if message.issuer is not None and message.issuer.text else ""
    provider = service_providers().get(issuer)
    if provider is None:
        return None
    asked = message.assertion_consumer_service_url
    if asked and asked != provider.acs_url:
        return None
    return Pending(issuer, message.id, relay_state[:500])


def app_of(pending: Pending) -> tuple[ServiceProvider, access.AppFacts] | None:
    provider = service_providers().get(pending.entity_id)
    if provider is None:
        return None
    app = next((a for a in access.active_apps() if a.pk == provider.app_id), None)
    return (provider, app) if app is not None else None


def gar_identity(user: User, school_ids: list[int]) -> tuple[str, dict[str, list[str]]]:
    """(IDO, the GAR's attributes) of the person; their IDO is made if they have none yet."""
    subject = attributes.subject_for(user, school_ids)
    if subject.person is None:
        raise LookupError("no directory record")
    ido = ensure_identities(None, [subject.person.pk])[subject.person.pk]
    values = {
        "IDO": [ido],
        "UAI": attributes.CATALOGUE["ENTPersonStructRattach"].values(subject),
        "PRO": attributes.CATALOGUE["ENTPersonProfils"].values(subject),
    }
    return ido, values


def pairwise_id(user: User, entity_id: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"saml\0{entity_id}\0{user.pk}".encode(), hashlib.sha256
    ).hexdigest()


def signed_response(user: User, pending: Pending, provider: ServiceProvider, app: access.AppFacts) -> str:
    """The base64 of the signed Response (and assertion) for this provider; the caller checked the access."""
    schools = access.schools_using(user, app)
    if provider.gar:
        name, values = gar_identity(user, schools)
    else:
        name, values = (
            pairwise_id(user, provider.entity_id),
            attributes.released(user, app.attributes, schools),
        )
    name_id = saml.NameID(
        format=NAMEID_FORMAT_PERSISTENT,
        name_qualifier=idp_entity_id(),
        sp_name_qualifier=provider.entity_id,
        text=name,
    )
    response = server().create_authn_response(
        {key: list(items) for key, items in values.items() if items},
        in_response_to=pending.request_id,
        destination=provider.acs_url,
        sp_entity_id=provider.entity_id,
        name_id=name_id,
        authn={"class_ref": AUTHN_CONTEXT, "authn_auth": idp_entity_id()},
        sign_response=True,
        sign_assertion=True,
    )
    return base64.b64encode(str(response).encode()).decode()
