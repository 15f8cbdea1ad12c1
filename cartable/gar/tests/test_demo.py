"""The demo: the collège's documentalist is its responsable d'affectation, and the demo's export is valid."""

import datetime as dt

import pytest

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
