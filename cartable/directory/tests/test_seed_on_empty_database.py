"""The demo data on an empty database: the same seed gives the same people, and writes go in bulk."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.accounts.models import Charter, User
from cartable.directory import demo
from cartable.directory.models import Group, School, SchoolKind, SchoolYear

pytestmark = pytest.mark.django_db


def seed_small(pupils_per_class: int = 3, seed: int = 2026, schools: int = 2) -> demo.Summary:
    return demo.seed(demo.Plan(schools=schools, pupils_per_class=pupils_per_class, seed=seed))


def wipe() -> None:
    """Back to an empty database, as a fresh one would be."""
    # The demo photos hold their stored files (PROTECT): they go first, through the app registry.
    apps.get_model("albums", "Photo").objects.all().delete()
    User.objects.all().delete()
    School.objects.all().delete()
    SchoolYear.objects.all().delete()
    Charter.objects.all().delete()


def logins() -> list[str]:
    return list(User.objects.order_by("username").values_list("username", flat=True))


def test_same_seed_same_people_other_seed_other_people():
    seed_small()
    first = logins()
    wipe()
    seed_small()
    assert logins() == first
    wipe()
    seed_small(seed=7)
    assert logins() != first


def test_scale_mode_writes_in_bulk(django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        seed_small(pupils_per_class=1, schools=4)
    accounts_small = User.objects.count()
    wipe()
    # Three times the pupils (still one batch per pair): the same number of queries, not one per row.
    with django_assert_max_num_queries(len(small.captured_queries)):
        seed_small(pupils_per_class=3, schools=4)
    assert User.objects.count() > 2 * accounts_small
    assert School.objects.count() == 4
    assert Group.objects.filter(school__kind=SchoolKind.SECONDARY).count() == 2 * 4 * 8
