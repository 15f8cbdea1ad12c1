"""Demo connected applications: a "Pronote" and a "Moodle" served by CAS, a "Moodle (OpenID Connect)", enabled
in the demo schools (the addresses are examples: nothing answers there in a demo; the OpenID Connect client's
secret is generated from the application's page by the platform admin)."""

from __future__ import annotations

from cartable.directory.models import Profile, School
from cartable.sso import actions
from cartable.sso.models import ConnectedApp

DEMO_APPS = [
    (
        "Pronote",
        "Notes, absences et bulletins",
        "https://pronote.demo.cartable.test/",
        ["uid", "ENTPersonProfils", "ENTPersonStructRattach", "ENTPersonJointure", "ENTEleveClasses"],
        [Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL],
        "homework",
        ConnectedApp.Protocol.CAS,
    ),
    (
        "Moodle",
        "Cours en ligne et devoirs à rendre",
        "https://moodle.demo.cartable.test/login/index.php",
        ["uid", "ENTPersonProfils", "ENTPersonStructRattach", "sn", "givenName", "classes"],
        [Profile.STUDENT, Profile.TEACHER],
        "blog",
        ConnectedApp.Protocol.CAS,
    ),
    (
        "Moodle (OpenID Connect)",
        "Cours en ligne, connexion OpenID Connect",
        "https://moodle-oidc.demo.cartable.test/auth/oidc/",
        ["uid", "ENTPersonStructRattach", "sn", "givenName", "displayName", "classes", "children"],
        [Profile.STUDENT, Profile.TEACHER, Profile.RELATIVE],
        "blog",
        ConnectedApp.Protocol.OIDC,
    ),
]


def seed_demo(plan) -> None:
    """Idempotent: an application already registered under the same name is left as it is."""
    if plan.schools > 2:
        return
    schools = list(School.objects.order_by("uai"))
    for name, description, url, names, profiles, icon, protocol in DEMO_APPS:
        if ConnectedApp.objects.filter(name=name).exists():
            continue
        app = actions.register_app(
            None,
            name=name,
            description=description,
            protocol=protocol,
            service_urls=[url],
            attribute_names=names,
            icon=icon,
        )
        for school in schools:
            actions.set_school_profiles(None, school, app, profiles)
