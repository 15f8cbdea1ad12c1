"""Access matrix of the foundation: accounts, console, directory, portal."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cartable.directory.models import Guardianship
from cartable.portal.models import CorrectionRequest
from tests.matrix import STAFF_WITH_SECOND_FACTOR, Route, console, expect, logged_in
from tests.world import World


def _uid(world: World, name: str) -> str:
    return urlsafe_base64_encode(force_bytes(world.users[name].pk))


def _correction(world: World) -> int:
    request, _ = CorrectionRequest.objects.get_or_create(
        person=world.person("alice"),
        school=world.school_a,
        defaults={"message": "Mon prénom est Alice-Marie."},
    )
    return request.pk


def _link(world: World, relative: str, student: str) -> int:
    return Guardianship.objects.get(relative=world.person(relative), student=world.person(student)).pk


def _email_token(world: World) -> str:
    """A confirmation link for a new address Alice typed: hers only."""
    from django.utils import timezone

    from cartable.accounts import email_change

    alice = world.users["alice"]
    alice.pending_email, alice.pending_email_since = "alice.martin@courriel.test", timezone.now()
    alice.save(update_fields=["pending_email", "pending_email_since"])
    return email_change.make_token(alice)


def _ecole_class(world: World) -> int:
    """6A, in school A made an école for the route: its teacher Tom looks after the pupils' passwords."""
    world.school_a.kind = "primary"
    world.school_a.save(update_fields=["kind"])
    return world.class_6a.pk


def _person(name: str) -> Callable[[World], str]:
    return lambda w: f"/admin-ecole/{w.school_a.uai}/personnes/{w.person(name).pk}"


ROUTES: dict[str, Route] = {
    "healthz": Route(lambda w: "/healthz"),
    "favicon": Route(lambda w: "/favicon.ico"),
    "accounts:login": Route(lambda w: "/auth/login"),
    "accounts:logout": Route(lambda w: "/auth/logout"),
    "accounts:activate": Route(lambda w: "/auth/activate"),
    "accounts:activate_password": Route(lambda w: "/auth/activate/password"),
    "accounts:activate_contact": Route(lambda w: "/auth/activate/contact"),
    "accounts:welcome": Route(lambda w: "/auth/welcome"),
    "accounts:email_confirm": Route(lambda w: f"/auth/email/confirm/{_email_token(w)}"),
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
    "console:school_year_undo": Route(lambda w: "/admin-ecole/annee-scolaire/annuler"),
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
    "console:person_objection": Route(lambda w: _person("alice")(w) + "/opposition", "post"),
    "console:person_objection_withdraw": Route(lambda w: _person("alice")(w) + "/opposition/lever"),
    "console:person_code": Route(lambda w: _person("alice")(w) + "/code", "post"),
    "console:person_reset": Route(lambda w: _person("alice")(w) + "/mot-de-passe", "post"),
    "console:person_edit": Route(lambda w: _person("alice")(w) + "/modifier"),
    "console:person_family": Route(lambda w: _person("alice")(w) + "/famille"),
    "console:person_unlink": Route(
        lambda w: _person("alice")(w) + f"/famille/{_link(w, 'marc', 'alice')}/retirer"
    ),
    "console:letters": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/lettres"),
    "console:pupils_reset": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/eleves/reinitialisation"),
    "console:corrections": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/corrections"),
    "console:correction_answer": Route(
        lambda w: f"/admin-ecole/{w.school_a.uai}/corrections/{_correction(w)}", "post"
    ),
    "console:apps": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/applications"),
    "console:settings": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/reglages"),
    "directory:search": Route(lambda w: "/annuaire/?q=petit"),
    "directory:person": Route(lambda w: f"/annuaire/personne/{w.person('carl').pk}"),
    "pupil_accounts:class": Route(lambda w: f"/comptes-eleves/classe/{_ecole_class(w)}"),
    "pupil_accounts:reset": Route(
        lambda w: f"/comptes-eleves/classe/{_ecole_class(w)}/eleve/{w.person('alice').pk}/mot-de-passe"
    ),
    "pupil_accounts:cards": Route(lambda w: f"/comptes-eleves/classe/{_ecole_class(w)}/cartes", "post"),
    "portal:home": Route(lambda w: "/"),
    "portal:me": Route(lambda w: "/me"),
    "portal:contributions": Route(lambda w: "/me/contributions", "post"),
    "portal:contact": Route(lambda w: "/me/coordonnees"),
    "portal:preferences": Route(lambda w: "/preferences"),
    "portal:charter": Route(lambda w: "/charte"),
    "portal:notice": Route(lambda w: "/informations"),
}


MATRIX: dict[str, dict[str, int]] = {
    "healthz": expect(200),
    "favicon": expect(301),
    "accounts:login": expect(302, anon=200),
    "accounts:logout": expect(405),
    "accounts:activate": expect(200),
    # Step 2 needs a valid code from step 1 in the same session.
    "accounts:activate_password": expect(302),
    # Only right after choosing a password at activation; otherwise on to the welcome page.
    "accounts:activate_contact": expect(302),
    "accounts:welcome": logged_in(200),
    # The link of Alice's new address: hers to confirm, "invalid" for anyone else.
    "accounts:email_confirm": logged_in(400, alice=200),
    # The world has accepted the charter already: the page sends them on.
    "accounts:charter": expect(302),
    # Staff whose session passed the second factor are sent on; others may enrol.
    "accounts:mfa": logged_in(200, **dict.fromkeys((*STAFF_WITH_SECOND_FACTOR, "root"), 302)),
    "accounts:mfa_recovery_codes": expect(302),
    "accounts:mfa_recovery_reset": expect(405),
    "accounts:sessions": logged_in(200),
    "accounts:end_all_sessions": expect(405),
    "accounts:password_change": logged_in(200),
    "accounts:password_reset": expect(200),
    "accounts:password_reset_done": expect(200),
    "accounts:password_reset_complete": expect(200),
    "accounts:password_reset_confirm": expect(302),
    # Ada and Bruno are sent to their own school; root chooses among all.
    "console:home": console(ada=302, root=200, bruno=302),
    "console:school_year": console(ada=404, root=200),
    "console:school_year_undo": console(ada=404, root=200),
    "console:school": console(ada=302),
    "console:people": console(ada=200),
    "console:person_new": console(ada=200),
    "console:pupil_options": console(ada=200),
    "console:person": console(ada=200),
    "console:person_logins": console(ada=200),
    "console:person_block": console(ada=302),
    "console:person_unblock": console(ada=302),
    "console:person_objection": console(ada=302),
    "console:person_objection_withdraw": console(ada=200),
    "console:person_code": console(ada=302),
    "console:person_reset": console(ada=302),
    "console:person_edit": console(ada=200),
    "console:person_family": console(ada=200),
    "console:person_unlink": console(ada=200),
    "console:letters": console(ada=200),
    "console:pupils_reset": console(ada=200),
    "console:corrections": console(ada=200),
    # An answer with no status chosen is refused with a message.
    "console:correction_answer": console(ada=400),
    "console:apps": console(ada=200),
    "console:settings": console(ada=200),
    "directory:search": logged_in(200),
    # Carl's profile (pupil of 5B): himself, his guardian, his teacher Tess, the school-wide staff, the ADMC.
    "directory:person": expect(
        404, anon=302, carl=200, gino=200, tess=200, vera=200, paul=200, ada=200, root=200
    ),
    # The teacher of the école class only (for the cards: nobody waits for one, back to the page).
    "pupil_accounts:class": logged_in(404, tom=200),
    "pupil_accounts:reset": logged_in(404, tom=200),
    "pupil_accounts:cards": logged_in(404, tom=302),
    "portal:home": logged_in(200),
    "portal:me": logged_in(200),
    # An empty choice is refused with a message (nothing changes); root has no directory entry.
    "portal:contributions": logged_in(302, root=404),
    "portal:contact": logged_in(200),
    "portal:preferences": logged_in(200),
    "portal:charter": expect(200),
    "portal:notice": expect(200),
}
