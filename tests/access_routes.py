"""How to reach each route of Cartable in the permission world, for the access matrix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cartable.portal.models import CorrectionRequest
from tests.world import World


@dataclass(frozen=True)
class Route:
    url: Callable[[World], str]
    method: str = "get"


def _uid(world: World, name: str) -> str:
    return urlsafe_base64_encode(force_bytes(world.users[name].pk))


def _correction(world: World) -> int:
    request, _ = CorrectionRequest.objects.get_or_create(
        person=world.person("alice"),
        school=world.school_a,
        defaults={"message": "Mon prénom est Alice-Marie."},
    )
    return request.pk


def _person(name: str) -> Callable[[World], str]:
    return lambda w: f"/admin-ecole/{w.school_a.uai}/personnes/{w.person(name).pk}"


ROUTES: dict[str, Route] = {
    "healthz": Route(lambda w: "/healthz"),
    "accounts:login": Route(lambda w: "/auth/login"),
    "accounts:logout": Route(lambda w: "/auth/logout"),
    "accounts:activate": Route(lambda w: "/auth/activate"),
    "accounts:activate_password": Route(lambda w: "/auth/activate/password"),
    "accounts:welcome": Route(lambda w: "/auth/welcome"),
    "accounts:charter": Route(lambda w: "/auth/charter"),
    "accounts:mfa": Route(lambda w: "/auth/mfa"),
    "accounts:mfa_recovery_codes": Route(lambda w: "/auth/mfa/recovery-codes"),
    "accounts:mfa_recovery_reset": Route(lambda w: "/auth/mfa/reset-recovery"),
    "accounts:sessions": Route(lambda w: "/auth/sessions"),
    "accounts:end_all_sessions": Route(lambda w: "/auth/sessions/end-all"),
    "accounts:password_change": Route(lambda w: "/auth/password/change"),
    "accounts:password_reset": Route(lambda w: "/auth/password/reset"),
    "accounts:password_reset_done": Route(lambda w: "/auth/password/reset/sent"),
    "accounts:password_reset_complete": Route(lambda w: "/auth/password/reset/done"),
    "accounts:password_reset_confirm": Route(
        lambda w: f"/auth/password/reset/{_uid(w, 'alice')}/{default_token_generator.make_token(w.alice)}"
    ),
    "console:home": Route(lambda w: "/admin-ecole/"),
    "console:school_year": Route(lambda w: "/admin-ecole/annee-scolaire"),
    "console:school": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/"),
    "console:people": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/personnes"),
    "console:person_new": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/personnes/nouvelle"),
    "console:pupil_options": Route(
        lambda w: f"/admin-ecole/{w.school_a.uai}/personnes/eleves?pupil_query=ali"
    ),
    "console:person": Route(_person("alice")),
    "console:person_logins": Route(lambda w: _person("alice")(w) + "/connexions"),
    "console:person_block": Route(lambda w: _person("alice")(w) + "/bloquer", "post"),
    "console:person_unblock": Route(lambda w: _person("alice")(w) + "/debloquer", "post"),
    "console:person_code": Route(lambda w: _person("alice")(w) + "/code", "post"),
    "console:person_reset": Route(lambda w: _person("alice")(w) + "/mot-de-passe", "post"),
    "console:letters": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/lettres"),
    "console:corrections": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/corrections"),
    "console:correction_answer": Route(
        lambda w: f"/admin-ecole/{w.school_a.uai}/corrections/{_correction(w)}", "post"
    ),
    "console:apps": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/applications"),
    "console:settings": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/reglages"),
    "directory:search": Route(lambda w: "/annuaire/?q=petit"),
    "directory:person": Route(lambda w: f"/annuaire/personne/{w.person('carl').pk}"),
    "portal:home": Route(lambda w: "/"),
    "portal:me": Route(lambda w: "/me"),
    "portal:preferences": Route(lambda w: "/preferences"),
    "portal:charter": Route(lambda w: "/charte"),
    "portal:notice": Route(lambda w: "/informations"),
}
