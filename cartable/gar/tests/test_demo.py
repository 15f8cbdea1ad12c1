"""The demo: the collège's documentalist is its responsable d'affectation, and the demo's export is valid."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from cartable.accounts.middleware import LAST_SEEN_KEY, SESSION_GENERATION_KEY
from cartable.directory import demo
from cartable.directory.models import Function, SchoolKind
from cartable.gar import demo as gar_demo
from cartable.gar import export
from cartable.gar.models import AssignmentManager
from cartable.gar.tests.helpers import assert_valid, files_by_type, texts

pytestmark = pytest.mark.django_db


def test_the_demo_college_has_a_responsable_d_affectation_in_its_export(tmp_path):
    plan = demo.Plan(schools=2, pupils_per_class=2)
    demo.Generator(plan).run()
    gar_demo.seed_demo(plan)
    gar_demo.seed_demo(plan)  # idempotent
    manager = AssignmentManager.objects.select_related("school", "person__user").get()
    assert manager.school.kind == SchoolKind.SECONDARY
    assert manager.person.memberships.get(school=manager.school).has_function(Function.DOCUMENTALIST)
    assert manager.person.user.email.endswith("@cartable.localhost")
    files = files_by_type(
        export.export(tmp_path, "CARTABLE", dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC), None)
    )
    tree = assert_valid(files["RespAff"], "GAR-ENT.xsd")
    assert texts(tree, "//men:GARRespAff/men:GARRespAffEtab") == [manager.school.uai]
    for kind in export.FILE_TYPES:
        assert_valid(files[kind], "GAR-ENT.xsd")
        assert_valid(files[f"{kind}_1D"], "GAR-ENT-1D.xsd")


def test_a_benchmark_dataset_gets_no_responsable(db):
    gar_demo.seed_demo(demo.Plan(schools=50))
    assert not AssignmentManager.objects.exists()


def test_the_demo_college_has_links_and_its_mediacentre_works_without_a_gar(client, settings):
    from django.contrib.auth import get_user_model

    from cartable.directory.models import Membership, Profile
    from cartable.gar.models import SchoolResource

    settings.GAR_RESOURCES_URL = ""
    plan = demo.Plan(schools=2, pupils_per_class=2)
    demo.Generator(plan).run()
    gar_demo.seed_demo(plan)
    gar_demo.seed_demo(plan)  # idempotent
    links = SchoolResource.objects.select_related("school")
    assert {link.school.kind for link in links} == {SchoolKind.SECONDARY}
    assert "Catalogue du CDI" in {link.title for link in links}
    assert links.count() == len(gar_demo.LINKS)
    pupil = (
        Membership.objects.filter(profile=Profile.STUDENT, school__kind=SchoolKind.SECONDARY)
        .select_related("person__user")
        .first()
    )
    assert pupil is not None
    user = get_user_model().objects.get(pk=pupil.person.user_id)
    from cartable.accounts.models import Charter, CharterAcceptance

    for charter in Charter.objects.all():
        CharterAcceptance.objects.get_or_create(user=user, charter=charter)
    user.activated_at = timezone.now()
    user.save(update_fields=["activated_at"])
    client.force_login(user)
    session = client.session
    session[SESSION_GENERATION_KEY] = user.session_generation
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    response = client.get("/mediacentre/", follow=True)
    page = response.content.decode()
    assert response.status_code == 200, response.redirect_chain
    assert "n’est pas relié à cet ENT" in page
    assert "Catalogue du CDI" in page and "Éduscol" not in page  # Éduscol is for the staff
