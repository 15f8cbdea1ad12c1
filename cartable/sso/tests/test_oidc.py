"""The OpenID Connect provider with the permission world: who gets a code, what a code is worth (once, with
its PKCE verifier), which claims each scope and each release list give, what the platform admin sees."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client
from oauth2_provider.models import AccessToken, Application, Grant, IDToken

from cartable.accounts.models import LoginEvent
from cartable.directory import actions as directory
from cartable.directory.models import Profile
from cartable.lib.lifecycle import Forgetting
from cartable.sso import actions, lifecycle
from cartable.sso.models import ConnectedApp, OidcClient, PairwiseSubject
from cartable.sso.tests.oidc_helpers import (
    REDIRECT,
    authorize_url,
    claims_of,
    code_for,
    exchange,
    pkce,
    register,
    userinfo,
)

pytestmark = pytest.mark.django_db
ALL_SCOPES = "openid profile email school classes children"


def test_a_pupil_gets_a_code_traced_and_a_token_once(world, as_user):
    moodle = register(world)
    code, verifier = code_for(as_user("alice"), moodle)
    event = LoginEvent.objects.get(user=world.alice, kind=LoginEvent.Kind.APP_LOGIN)
    assert event.detail == "Moodle OIDC"
    answer = exchange(moodle, code, verifier)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["id_token"] and body["access_token"]
    # A code serves once.
    again = exchange(moodle, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_wrong_pkce_verifier_or_secret_fails(world, as_user):
    moodle = register(world)
    client = as_user("alice")
    code, _verifier = code_for(client, moodle)
    wrong = exchange(moodle, code, pkce()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    code, verifier = code_for(client, moodle)
    assert exchange(moodle, code, verifier, secret="pas-le-secret").status_code == 401


def test_pkce_is_required(world, as_user):
    moodle = register(world)
    url = authorize_url(moodle, "x").replace("&code_challenge=x&code_challenge_method=S256", "")
    response = as_user("alice").get(url)
    assert response.status_code == 302 and "error=invalid_request" in response["Location"]
    assert not Grant.objects.exists()


@pytest.mark.parametrize("name", ["marie", "vera", "zoe", "xavier"])
def test_who_may_not_use_the_application_is_refused_without_a_code(world, as_user, name):
    # Enabled in school A for pupils only: a guardian, a member of staff, school B's people are refused.
    moodle = register(world, profiles=[Profile.STUDENT])
    response = as_user(name).get(authorize_url(moodle, pkce()[1]))
    assert response.status_code == 403
    assert "Moodle OIDC" in response.content.decode()
    assert not Grant.objects.exists()
    assert not LoginEvent.objects.filter(kind=LoginEvent.Kind.APP_LOGIN).exists()


def test_anonymous_goes_to_the_login_page_and_an_unknown_client_is_refused(world, as_user):
    moodle = register(world)
    response = Client().get(authorize_url(moodle, pkce()[1]))
    assert response.status_code == 302 and response["Location"].startswith("/auth/login")
    unknown = as_user("alice").get(authorize_url(moodle, pkce()[1]).replace(moodle.client_id, "inconnu"))
    assert unknown.status_code == 403


def test_a_redirect_address_not_registered_gets_no_code(world, as_user):
    moodle = register(world)
    response = as_user("alice").get(
        authorize_url(moodle, pkce()[1], redirect="https://moodle.example.test/auth/oidc/autre")
    )
    assert response.status_code == 400
    assert not Grant.objects.exists()


def test_the_claims_follow_the_scopes(world, as_user):
    moodle = register(world)
    client = as_user("alice")
    bare = claims_of(client, moodle, "openid")
    assert set(bare) == {"sub"}
    full = claims_of(client, moodle, ALL_SCOPES)
    assert full["sub"] == bare["sub"]
    assert full["given_name"] == "Alice" and full["family_name"] == "Martin"
    assert full["name"] == "Alice Martin" and full["preferred_username"] == world.alice.username
    assert full["school"] == [world.school_a.uai] and full["profiles"] == ["National_ELV"]
    assert full["classes"] == ["6A"]
    assert full["children"] == []
    school_only = claims_of(client, moodle, "openid school")
    assert set(school_only) == {"sub", "school", "profiles"}


def test_the_claims_follow_the_release_list(world, as_user):
    moodle = register(world, attributes=["givenName", "ENTPersonStructRattach"])
    full = claims_of(as_user("alice"), moodle, ALL_SCOPES)
    assert full == {"sub": full["sub"], "given_name": "Alice", "school": [world.school_a.uai]}


def test_the_sub_is_opaque_stable_and_pairwise(world, as_user):
    moodle = register(world)
    other = actions.register_app(
        None, name="Autre", protocol="oidc", service_urls=["https://autre.example.test/cb"]
    )
    actions.set_school_profiles(None, world.school_a, other, [Profile.STUDENT])
    client = as_user("alice")
    first = claims_of(client, moodle, "openid")["sub"]
    assert first == claims_of(client, moodle, "openid")["sub"]
    assert world.alice.username not in first and first != str(world.alice.pk) and len(first) == 32
    assert PairwiseSubject.objects.get(user=world.alice, app=moodle.app).sub == first
    assert PairwiseSubject.objects.filter(user=world.alice).count() == 1
    assert claims_of(as_user("bob"), moodle, "openid")["sub"] != first
    assert other  # another application would get another sub: one row per (person, application)


def test_a_teacher_of_school_a_gets_school_a_only(world, as_user):
    directory.add_membership(world.person("tom"), world.school_b, Profile.TEACHER)
    moodle = register(world)
    claims = claims_of(as_user("tom"), moodle, ALL_SCOPES)
    assert claims["school"] == [world.school_a.uai]
    assert claims["profiles"] == ["National_ENS"] and claims["classes"] == ["6A"]


def test_a_guardian_gets_the_children_of_the_schools_that_enabled_it(world, as_user):
    moodle = register(world)
    # Marie is Alice's mother (school A) and Léo's (school B): only school A enabled the application.
    claims = claims_of(as_user("marie"), moodle, "openid children school")
    assert claims["school"] == [world.school_a.uai]
    assert [(c["given_name"], c["family_name"]) for c in claims["children"]] == [("Alice", "Martin")]
    # A child is named by the sub the application knows them by.
    alice = claims_of(as_user("alice"), moodle, "openid")
    assert claims["children"][0]["sub"] == alice["sub"]


def test_a_blocked_account_is_refused_at_the_token_endpoint(world, as_user):
    moodle = register(world)
    code, verifier = code_for(as_user("alice"), moodle)
    world.alice.blocked_at = world.alice.date_joined
    world.alice.save(update_fields=["blocked_at"])
    assert exchange(moodle, code, verifier).status_code == 400


def test_a_token_stops_serving_when_the_school_withdraws_the_application(world, as_user):
    moodle = register(world)
    code, verifier = code_for(as_user("alice"), moodle)
    token = exchange(moodle, code, verifier).json()["access_token"]
    assert userinfo(token)["sub"]
    actions.set_school_profiles(None, world.school_a, moodle.app, [Profile.TEACHER])
    response = Client().get("/oidc/userinfo/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_discovery_and_keys(world):
    discovery = Client().get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "http://testserver"
    assert discovery["authorization_endpoint"] == "http://testserver/oidc/authorize/"
    assert discovery["token_endpoint"] == "http://testserver/oidc/token/"
    assert discovery["userinfo_endpoint"] == "http://testserver/oidc/userinfo/"
    assert discovery["jwks_uri"] == "http://testserver/oidc/jwks.json"
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["subject_types_supported"] == ["pairwise"]
    assert {"profile", "school", "classes", "children"} <= set(discovery["scopes_supported"])
    assert "S256" in discovery["code_challenge_methods_supported"]
    keys = Client().get("/oidc/jwks.json").json()["keys"]
    assert keys and keys[0]["kty"] == "RSA" and "d" not in keys[0]


def test_the_client_follows_the_registration(world):
    moodle = register(world)
    application = moodle.app.oidc_client.application
    assert application.redirect_uris == REDIRECT and application.skip_authorization
    assert application.client_secret.startswith("cartable_client_secret$")
    assert moodle.secret not in application.client_secret
    actions.update_app(None, moodle.app, service_urls=[REDIRECT, "https://moodle.example.test/autre"])
    application.refresh_from_db()
    assert application.redirect_uris == f"{REDIRECT} https://moodle.example.test/autre"
    actions.update_app(None, moodle.app, protocol="cas")
    assert not Application.objects.exists() and not OidcClient.objects.exists()
    cas = actions.register_app(None, name="CAS", protocol="cas", service_urls=["https://cas.example.test/"])
    assert not OidcClient.objects.filter(app=cas).exists()
    oidc = register(world)
    actions.delete_app(None, oidc.app)
    assert not Application.objects.exists()


def test_the_platform_admin_sees_the_client_id_and_gets_a_new_secret_once(world, as_user):
    moodle = register(world)
    root = as_user("root")
    page = root.get(f"/applications-connectees/{moodle.app.pk}/").content.decode()
    assert moodle.client_id in page and moodle.secret not in page
    answer = root.post(f"/applications-connectees/{moodle.app.pk}/secret")
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    text = answer.content.decode()
    assert moodle.client_id in text
    new_secret = text.split("client_secret)</dt><dd><code>")[1].split("<")[0]
    assert new_secret != moodle.secret and len(new_secret) >= 64
    # The old secret no longer works, the new one does.
    code, verifier = code_for(as_user("alice"), moodle)
    assert exchange(moodle, code, verifier).status_code == 401
    code, verifier = code_for(as_user("alice"), moodle)
    assert exchange(moodle, code, verifier, secret=new_secret).status_code == 200


@pytest.mark.parametrize("name", ["ada", "paul", "tom", "alice", "marie"])
def test_nobody_else_gets_a_secret(world, as_user, name):
    moodle = register(world)
    assert as_user(name).post(f"/applications-connectees/{moodle.app.pk}/secret").status_code == 404


def test_the_command_prints_the_client_id_and_secret(world, capsys):
    call_command(
        "add_connected_app",
        "--name",
        "Moodle",
        "--protocol",
        "oidc",
        "--url",
        REDIRECT,
        "--schools",
        world.school_a.uai,
        "--profiles",
        "Student",
    )
    lines = capsys.readouterr().out.split()
    app = ConnectedApp.objects.get(pk=int(lines[0]))
    assert lines[1] == "client_id:" and lines[2] == app.oidc_client.application.client_id
    assert lines[3] == "client_secret:" and len(lines[4]) >= 64


def test_a_purged_person_s_tokens_and_subjects_are_forgotten(world, as_user):
    moodle = register(world)
    client = as_user("alice")
    claims_of(client, moodle, "openid profile")
    code_for(client, moodle)  # a code not exchanged
    assert AccessToken.objects.filter(user=world.alice).exists()
    assert IDToken.objects.filter(user=world.alice).exists()
    assert Grant.objects.filter(user=world.alice).exists()
    lifecycle.forget(Forgetting(person_ids=[world.person("alice").pk], user_ids=[world.alice.pk]))
    for model in (AccessToken, IDToken, Grant, PairwiseSubject):
        assert not model.objects.filter(user=world.alice).exists(), model
    assert json.dumps(lifecycle.nightly(world.alice.date_joined))


def test_the_account_gate_answers_before_any_code(world, as_user):
    moodle = register(world)
    # Staff who still owe their second factor are sent to it, then come back to the authorization.
    staff = register(world, profiles=[Profile.TEACHER, Profile.PERSONNEL])
    response = as_user("ada", verified=False).get(authorize_url(staff, pkce()[1]))
    assert response.status_code == 302 and "/auth/" in response["Location"] and "oidc" in response["Location"]
    # A blocked account's session ends at its next request: back to the login page.
    client = as_user("alice")
    world.alice.blocked_at = world.alice.date_joined
    world.alice.save(update_fields=["blocked_at"])
    response = client.get(authorize_url(moodle, pkce()[1]))
    assert response.status_code == 302 and response["Location"].startswith("/auth/login")
    assert not Grant.objects.exists()
