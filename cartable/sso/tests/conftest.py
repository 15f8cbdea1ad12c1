"""Connected applications of the permission world: Pronote enabled in school A for pupils and teachers,
Moodle registered for every school but enabled nowhere."""

from __future__ import annotations

import pytest

from cartable.directory.models import Profile
from cartable.sso import actions

PRONOTE = "https://pronote.example.test/eleve/"
MOODLE = "https://moodle.example.test/login/"


@pytest.fixture
def pronote(world):
    app = actions.register_app(
        None,
        name="Pronote",
        protocol="cas",
        service_urls=[PRONOTE],
        attribute_names=["uid", "ENTPersonProfils", "ENTPersonStructRattach", "ENTEleveClasses", "classes"],
        profiles=[Profile.STUDENT, Profile.TEACHER, Profile.RELATIVE],
        proxy_allowed=True,
    )
    actions.set_school_profiles(None, world.school_a, app, [Profile.STUDENT, Profile.TEACHER])
    return app


@pytest.fixture
def moodle(world):
    return actions.register_app(None, name="Moodle", protocol="cas", service_urls=[MOODLE])
