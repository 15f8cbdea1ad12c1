"""The SAML 2 identity provider with a real pysaml2 service provider: the AuthnRequest, the login, the posted
response that the provider verifies and reads; who gets an assertion, what it carries, and that a response
altered or stripped of its signatures is refused by the provider."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor

from cartable.accounts.models import LoginEvent
from cartable.directory.models import Person, Profile
from cartable.gar.models import GarIdentity
from cartable.lib.selfsigned import ensure_pair
from cartable.sso import actions, saml
from cartable.sso.models import ConnectedApp

pytestmark = pytest.mark.django_db

SP_ENTITY = "https://manuels.example.test/saml/metadata"
SP_ACS = "https://manuels.example.test/saml/acs"
OTHER_ENTITY = "https://inconnu.example.test/saml/metadata"


@pytest.fixture(scope="session")
def sp_keys(tmp_path_factory) -> tuple[str, str]:
    """The service provider's own signing pair (not the identity provider's)."""
    return ensure_pair(tmp_path_factory.mktemp("sp"), "sp", "manuels.example.test")


def service_provider(keys: tuple[str, str], entity_id: str = SP_ENTITY) -> Saml2Client:
    """A pysaml2 service provider that trusts Cartable's metadata as served at /saml/metadata."""
    idp_metadata = Client().get("/saml/metadata").content.decode()
    config = SPConfig()
    config.load(
        {
            "entityid": entity_id,
            "service": {
                "sp": {
                    "endpoints": {"assertion_consumer_service": [(SP_ACS, BINDING_HTTP_POST)]},
                    "want_response_signed": True,
                    "want_assertions_signed": True,
                    "allow_unsolicited": False,
                    "authn_requests_signed": False,
                }
            },
            "key_file": keys[0],
            "cert_file": keys[1],
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "allow_unknown_attributes": True,
            "metadata": {"inline": [idp_metadata]},
        }
    )
    return Saml2Client(config=config)


def register(
    world, keys, *, names=("uid", "ENTPersonStructRattach"), profiles=None, gar=False, by_cert=False
):
    app = actions.register_app(
        None,
        name="Manuels",
        protocol="saml",
        service_urls=[SP_ACS],
        attribute_names=list(names),
        profiles=[Profile.STUDENT, Profile.TEACHER],
    )
    actions.set_school_profiles(None, world.school_a, app, profiles or [Profile.STUDENT, Profile.TEACHER])
    sp = service_provider(keys)
    metadata = "" if by_cert else str(entity_descriptor(sp.config))
    certificate = Path(keys[1]).read_text() if by_cert else ""
    actions.set_saml_provider(
        None,
        app,
        entity_id=SP_ENTITY,
        acs_url=SP_ACS,
        metadata=metadata,
        certificate=certificate,
        gar_profile=gar,
    )
    return app, sp


def start(sp: Saml2Client, binding: str = BINDING_HTTP_REDIRECT) -> tuple[str, str, dict]:
    """The AuthnRequest the provider sends: (its id, the path asked, the POST data or {})."""
    idp = saml.idp_entity_id()
    if binding == BINDING_HTTP_REDIRECT:
        request_id, info = sp.prepare_for_authenticate(entityid=idp, relay_state="page-42", binding=binding)
        location = dict(info["headers"])["Location"]
        parts = urlsplit(location)
        return request_id, f"{parts.path}?{parts.query}", {}
    destination = sp.config.metadata.single_sign_on_service(idp, BINDING_HTTP_POST)[0]["location"]
    request_id, request = sp.create_authn_request(destination, binding=BINDING_HTTP_POST)
    encoded = base64.b64encode(str(request).encode()).decode()
    return request_id, urlsplit(destination).path, {"SAMLRequest": encoded, "RelayState": "page-42"}


def posted(response) -> tuple[str, str, str]:
    """(action, SAMLResponse, RelayState) of the page that posts the answer to the provider."""
    assert response.status_code == 200, response.content[:500]
    page = response.content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" data-saml-post', page)
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', page)
    assert form and value, page
    action = html.unescape(form.group(1))
    relay = re.search(r'name="RelayState" value="([^"]*)"', page)
    return action, html.unescape(value.group(1)), html.unescape(relay.group(1)) if relay else ""


def sign_on(client: Client, sp: Saml2Client, binding: str = BINDING_HTTP_REDIRECT):
    request_id, path, data = start(sp, binding)
    answer = client.post(path, data) if data else client.get(path)
    return request_id, answer


def read(sp: Saml2Client, encoded: str, request_id: str):
    return sp.parse_authn_request_response(encoded, BINDING_HTTP_POST, outstanding={request_id: "/"})


@pytest.mark.parametrize("binding", [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST])
def test_a_pupil_gets_a_signed_assertion_with_only_the_listed_attributes(world, as_user, sp_keys, binding):
    _app, sp = register(world, sp_keys)
    request_id, answer = sign_on(as_user("alice"), sp, binding)
    action, encoded, relay = posted(answer)
    assert action == SP_ACS and relay == "page-42"
    assert SP_ACS.split("/saml")[0] in answer["Content-Security-Policy"]
    result = read(sp, encoded, request_id)
    assert result.ava == {"uid": [world.alice.username], "ENTPersonStructRattach": [world.school_a.uai]}
    # A pairwise identifier, not the login name.
    assert world.alice.username not in result.name_id.text
    assert result.name_id.text == saml.pairwise_id(world.alice, SP_ENTITY)
    traces = LoginEvent.objects.filter(user=world.alice, kind=LoginEvent.Kind.APP_LOGIN, detail="Manuels")
    assert traces.exists()


def test_a_provider_registered_by_its_certificate_verifies_as_well(world, as_user, sp_keys):
    _app, sp = register(world, sp_keys, by_cert=True)
    request_id, answer = sign_on(as_user("tom"), sp)
    result = read(sp, posted(answer)[1], request_id)
    assert result.ava["uid"] == [world.tom.username]


def test_the_gar_profile_carries_ido_uai_and_profile(world, as_user, sp_keys):
    _app, sp = register(world, sp_keys, names=(), gar=True)
    person = Person.objects.get(user=world.alice)
    assert not GarIdentity.objects.filter(person=person).exists()
    request_id, answer = sign_on(as_user("alice"), sp)
    result = read(sp, posted(answer)[1], request_id)
    ido = GarIdentity.objects.get(person=person).ido
    assert result.ava == {"IDO": [ido], "UAI": [world.school_a.uai], "PRO": ["National_ELV"]}
    assert result.name_id.text == ido
    # The same IDO the next time (and the one the export sends).
    request_id, answer = sign_on(as_user("alice"), sp)
    assert read(sp, posted(answer)[1], request_id).ava["IDO"] == [ido]
    assert GarIdentity.objects.filter(person=person).count() == 1


def test_an_altered_response_is_refused_by_the_provider(world, as_user, sp_keys):
    _app, sp = register(world, sp_keys)
    request_id, answer = sign_on(as_user("alice"), sp)
    document = base64.b64decode(posted(answer)[1]).decode()
    assert world.school_a.uai in document
    altered = document.replace(world.school_a.uai, world.school_b.uai)
    with pytest.raises(Exception, match=r"(?i)signature"):
        read(sp, base64.b64encode(altered.encode()).decode(), request_id)


def test_an_unsigned_response_is_refused_by_the_provider(world, as_user, sp_keys):
    _app, sp = register(world, sp_keys)
    request_id, answer = sign_on(as_user("alice"), sp)
    document = base64.b64decode(posted(answer)[1]).decode()
    unsigned = re.sub(r"<(\w+:)?Signature\b.*?</\1Signature>", "", document, flags=re.DOTALL)
    assert unsigned != document and "Signature" not in unsigned
    with pytest.raises(Exception, match=r"(?i)sign"):
        read(sp, base64.b64encode(unsigned.encode()).decode(), request_id)


def test_the_untouched_response_is_accepted_once_read_again_from_the_same_bytes(world, as_user, sp_keys):
    """The control of the two tests above: the bytes as posted are accepted."""
    _app, sp = register(world, sp_keys)
    request_id, answer = sign_on(as_user("alice"), sp)
    document = base64.b64decode(posted(answer)[1])
    assert read(sp, base64.b64encode(document).decode(), request_id).ava


def test_a_pupil_cannot_use_an_app_not_enabled_for_pupils(world, as_user, sp_keys):
    _app, sp = register(world, sp_keys, profiles=[Profile.TEACHER])
    _request_id, answer = sign_on(as_user("alice"), sp)
    assert answer.status_code == 403
    assert "SAMLResponse" not in answer.content.decode()
    assert not LoginEvent.objects.filter(user=world.alice, kind=LoginEvent.Kind.APP_LOGIN).exists()
    # Tom teaches in school A: he may; Xavier teaches in school B only: he may not.
    assert sign_on(as_user("tom"), sp)[1].status_code == 200
    assert sign_on(as_user("xavier"), sp)[1].status_code == 403


def test_an_authn_request_from_an_unknown_provider_is_refused(world, as_user, sp_keys):
    register(world, sp_keys)
    stranger = service_provider(sp_keys, OTHER_ENTITY)
    _request_id, answer = sign_on(as_user("alice"), stranger)
    assert answer.status_code == 403
    assert "SAMLResponse" not in answer.content.decode()


def test_a_request_for_another_acs_is_refused(world, as_user, sp_keys):
    _app, sp = register(world, sp_keys)
    idp = saml.idp_entity_id()
    destination = sp.config.metadata.single_sign_on_service(idp, BINDING_HTTP_POST)[0]["location"]
    _id, request = sp.create_authn_request(
        destination, binding=BINDING_HTTP_POST, assertion_consumer_service_url="https://evil.example.test/acs"
    )
    data = {"SAMLRequest": base64.b64encode(str(request).encode()).decode()}
    assert as_user("alice").post(urlsplit(destination).path, data).status_code == 403


def test_an_anonymous_person_logs_in_first_then_gets_the_assertion(world, sp_keys):
    _app, sp = register(world, sp_keys)
    browser = Client()
    request_id, answer = sign_on(browser, sp)
    assert answer.status_code == 302 and answer["Location"].startswith("/auth/")
    world.login(browser, "alice")
    resumed = browser.get("/saml/sso/reprendre")
    result = read(sp, posted(resumed)[1], request_id)
    assert result.ava["uid"] == [world.alice.username]


def test_the_metadata_publishes_the_signing_certificate_and_both_bindings():
    body = Client().get("/saml/metadata")
    assert body.status_code == 200
    text = body.content.decode()
    assert BINDING_HTTP_REDIRECT in text and BINDING_HTTP_POST in text
    assert "X509Certificate" in text and saml.idp_entity_id() in text


def test_the_single_sign_on_query_count_is_pinned(world, as_user, sp_keys, django_assert_num_queries):
    _app, sp = register(world, sp_keys)
    browser = as_user("alice")
    sign_on(browser, sp)  # the cached facts are read once
    request_id, path, _data = start(sp)
    with django_assert_num_queries(6):
        answer = browser.get(path)
    assert read(sp, posted(answer)[1], request_id).ava


def test_the_platform_admin_registers_a_saml_provider_on_its_page(world, as_user, sp_keys):
    client = as_user("root")
    form = {
        "name": "Manuels du GAR",
        "icon": "app",
        "protocol": "saml",
        "service_urls": SP_ACS,
        "profiles": ["Student"],
        "active": "on",
        "saml_entity_id": SP_ENTITY,
        "saml_acs_url": SP_ACS,
        "saml_certificate": Path(sp_keys[1]).read_text(),
        "saml_gar_profile": "on",
    }
    # Metadata that describe another provider are refused, and nothing is registered.
    wrong = client.post(
        "/applications-connectees/nouvelle", {**form, "saml_metadata": '<x entityID="other"/>'}
    )
    assert wrong.status_code == 200 and not ConnectedApp.objects.filter(name="Manuels du GAR").exists()
    assert client.post("/applications-connectees/nouvelle", form).status_code == 302
    app = ConnectedApp.objects.get(name="Manuels du GAR")
    assert (app.saml_entity_id, app.saml_acs_url, app.saml_gar_profile) == (SP_ENTITY, SP_ACS, True)
    assert SP_ENTITY in saml.service_providers()
    # Anyone else: not found.
    assert as_user("ada").post("/applications-connectees/nouvelle", form).status_code == 404


def test_the_account_gate_comes_before_the_assertion(world, as_user, sp_keys):
    """A teacher who still owes the second factor gives it first: no assertion meanwhile."""
    _app, sp = register(world, sp_keys)
    _request_id, answer = sign_on(as_user("tom", verified=False), sp)
    assert answer.status_code == 302 and "SAMLResponse" not in answer.content.decode()
    assert not LoginEvent.objects.filter(user=world.tom, kind=LoginEvent.Kind.APP_LOGIN).exists()
