"""The demo cahier de textes: written from the demo timetable, fast, and nothing for a benchmark dataset."""

import datetime as dt

import pytest
from django.utils import timezone

from cartable.directory import demo
from cartable.homework import demo as homework_demo
from cartable.homework.models import Entry, Homework, Visa

pytestmark = pytest.mark.django_db


def test_the_demo_schools_get_lessons_homework_prepared_sessions_and_a_visa(time_machine):
    # A Thursday of term, so that the week has sessions already given.
    time_machine.move_to(dt.datetime(2026, 11, 19, 17, 0, tzinfo=dt.UTC))
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    today = timezone.localdate()
    assert Entry.objects.filter(date__lte=today, visible_from__isnull=True).count() > 50
    assert Entry.objects.filter(visible_from__gt=timezone.now()).exists()  # next week, prepared ahead
    assert Homework.objects.filter(due_date__gt=today).exists()
    assert not Entry.objects.filter(date__gt=today, visible_from__isnull=True).exists()
    visa = Visa.objects.get()
    assert visa.group.level == "6e" and visa.date < today
    assert Entry.objects.filter(group=visa.group, date__lte=visa.date).exists()
    assert "<script" not in "".join(Entry.objects.values_list("content", flat=True))


def test_a_benchmark_dataset_gets_no_cahier(world):
    homework_demo.seed_demo(demo.Plan(schools=50))
    assert not Entry.objects.exists()
