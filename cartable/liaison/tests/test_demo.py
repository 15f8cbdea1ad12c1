"""The demo cahier de liaison: in both demo schools, mots with signatures given and pending."""

import datetime as dt
import importlib

import pytest

from cartable.directory import demo
from cartable.directory.models import SchoolKind
from cartable.liaison import demo as liaison_demo
from cartable.liaison import queries
from cartable.liaison.models import Mot, Signature
from cartable.timetable import versions as timetable_versions
from cartable.timetable.models import SchoolHoliday

pytestmark = pytest.mark.django_db


def test_both_demo_schools_get_mots_signed_and_waiting(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 19, 17, 0, tzinfo=dt.UTC))
    demo.seed(demo.Plan(schools=2, pupils_per_class=4))
    kinds = set(Mot.objects.values_list("school__kind", flat=True))
    assert kinds == {SchoolKind.PRIMARY, SchoolKind.SECONDARY}
    assert Signature.objects.filter(choice="Oui").exists()
    for mot in Mot.objects.all():
        table = queries.table(mot)
        assert table.lines and table.pending_count, mot.title
    assert Mot.objects.filter(signatures__isnull=False).distinct().count() >= 4
    # Seeding again writes nothing twice.
    count = Mot.objects.count()
    liaison_demo.seed_demo(demo.Plan(schools=2, pupils_per_class=4))
    assert Mot.objects.count() == count


def test_a_benchmark_dataset_gets_no_mot(world):
    liaison_demo.seed_demo(demo.Plan(schools=50))
    assert not Mot.objects.exists()


@pytest.fixture
def official_holidays():
    """The holidays a data migration writes: a test that commits (browser, two processes) flushes every table
    before, in the same test process, so they are written again here when gone."""
    migration = importlib.import_module("cartable.timetable.migrations.0002_holidays_2026_2027")
    if not SchoolHoliday.objects.exists():
        for zone, name, start, end in migration.HOLIDAYS:
            SchoolHoliday.objects.create(zone=zone, name=name, start=start, end=end)
        timetable_versions.bump()


def test_the_demo_deadlines_fall_on_school_days(time_machine, official_holidays):
    """Seeded on Wednesday 9 December 2026: ten days later is Saturday 19, the first day of the Christmas
    holidays; the outing's deadline goes to Monday 4 January, back at school."""
    from cartable.timetable.queries import holidays_between

    time_machine.move_to(dt.datetime(2026, 12, 9, 17, 0, tzinfo=dt.UTC))
    demo.seed(demo.Plan(schools=2, pupils_per_class=4))
    outings = Mot.objects.filter(title__startswith="Sortie au musée")
    assert outings.count() == 2 and {mot.deadline for mot in outings} == {dt.date(2027, 1, 4)}
    for mot in Mot.objects.exclude(deadline=None).select_related("school"):
        deadline = mot.deadline
        assert deadline is not None
        off = holidays_between([mot.school_id], deadline, deadline)
        assert deadline.weekday() < 5 and deadline not in off, mot.title
        if mot.school.kind == SchoolKind.PRIMARY:
            assert deadline.weekday() != 2, mot.title
