"""The demo's connected applications: a Pronote and a Moodle served by CAS, a Moodle served by OpenID Connect,
enabled in both demo schools."""

import pytest

from cartable.directory import demo
from cartable.directory.models import Membership, Profile, School
from cartable.sso import access
from cartable.sso import demo as sso_demo
from cartable.sso.models import AppEnablement, ConnectedApp

pytestmark = pytest.mark.django_db


def test_both_demo_schools_open_pronote_and_moodle():
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    names = {"Pronote", "Moodle", "Moodle (OpenID Connect)"}
    assert set(ConnectedApp.objects.values_list("name", flat=True)) == names
    assert AppEnablement.objects.count() == 3 * School.objects.count()
    assert ConnectedApp.objects.get(name="Moodle (OpenID Connect)").oidc_client.application.client_id
    pupil = Membership.objects.filter(profile=Profile.STUDENT).select_related("person__user").first()
    assert pupil is not None
    assert {app.name for app in access.apps_usable_by(pupil.person.user)} == names
    sso_demo.seed_demo(demo.Plan(schools=2, pupils_per_class=2))  # idempotent
    assert ConnectedApp.objects.count() == 3
