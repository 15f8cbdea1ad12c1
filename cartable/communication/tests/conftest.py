import pytest
from django.urls import reverse

from cartable.communication import actions
from cartable.communication import rules as communication
from cartable.communication.models import Audience, Scope
from cartable.directory.models import Profile


@pytest.fixture
def allow(world):
    """allow(school, (profile, audience, scope), ...): the school's defaults plus these cells, as the ADML
    saves them from the console."""

    def save(school, *cells):
        actions.save_rules(world.root, school, set(communication.rules_of(school)) | set(cells))

    return save


CLASSMATES = (Profile.STUDENT.value, Audience.PUPILS.value, Scope.CLASS.value)
GUARDIANS_OF_THE_CLASS = (Profile.RELATIVE.value, Audience.GUARDIANS.value, Scope.CLASS.value)


@pytest.fixture
def url_a(world):
    """A communication page of school A: url_a("rules")."""

    def build(name: str, *args):
        return reverse(f"communication:{name}", args=[world.school_a.uai, *args])

    return build
