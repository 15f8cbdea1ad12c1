"""The demo cahier de textes: written from the demo timetable, fast, and nothing for a benchmark dataset."""

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cartable.accounts.middleware import LAST_SEEN_KEY, SESSION_GENERATION_KEY
from cartable.accounts.models import Charter, CharterAcceptance
from cartable.directory import demo
from cartable.directory.models import GroupKind, Guardianship, Person, SchoolKind
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
    # Later this week is published ahead; the week after, only prepared (hidden until the lesson).
    assert not Entry.objects.filter(date__gt=dt.date(2026, 11, 22), visible_from__isnull=True).exists()
    visa = Visa.objects.get()
    assert visa.group.level == "6e" and visa.date < today
    assert Entry.objects.filter(group=visa.group, date__lte=visa.date).exists()
    assert "<script" not in "".join(Entry.objects.values_list("content", flat=True))


def test_a_benchmark_dataset_gets_no_cahier(world):
    homework_demo.seed_demo(demo.Plan(schools=50))
    assert not Entry.objects.exists()


# --- Whatever day the demo is seeded ------------------------------------------------------------------

PARIS = ZoneInfo("Europe/Paris")
# The demo school's zone does not matter here: Toussaint and Christmas are the same for every zone.
SEED_DAYS = {
    "monday before the first lesson": dt.datetime(2026, 11, 16, 6, 30, tzinfo=PARIS),
    "wednesday afternoon": dt.datetime(2026, 11, 18, 15, 0, tzinfo=PARIS),
    "saturday": dt.datetime(2026, 11, 21, 10, 0, tzinfo=PARIS),
    "second week of the christmas holidays": dt.datetime(2026, 12, 29, 10, 0, tzinfo=PARIS),
}


def login(client, person: Person) -> None:
    """As after a real login, the charter accepted."""
    client.force_login(person.user)
    session = client.session
    session[SESSION_GENERATION_KEY] = person.user.session_generation
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    for charter in Charter.objects.all():
        CharterAcceptance.objects.get_or_create(user=person.user, charter=charter)


def demo_pupil() -> tuple[Person, Person]:
    """A pupil of the demo collège's first 6e (the class the demo logins show) and one of their guardians."""
    pupil = (
        Person.objects.filter(
            enrolments__group__kind=GroupKind.CLASS,
            enrolments__group__level="6e",
            enrolments__group__school__kind=SchoolKind.SECONDARY,
        )
        .order_by("enrolments__group__school__uai", "enrolments__group__name", "pk")
        .first()
    )
    assert pupil is not None
    guardian = Person.objects.get(pk=Guardianship.objects.filter(student=pupil).values("relative_id")[:1])
    return pupil, guardian


@pytest.mark.parametrize("moment", list(SEED_DAYS.values()), ids=list(SEED_DAYS))
def test_seeded_any_day_the_cahier_of_the_school_week_and_the_homework_of_the_next_days_are_filled(
    client, time_machine, moment
):
    time_machine.move_to(moment, tick=False)
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    today = timezone.localdate()
    pupil, guardian = demo_pupil()
    group = pupil.enrolments.get(group__kind=GroupKind.CLASS).group
    # The school week the cahier opens on: this week, or the next one with lessons (weekend, holidays).
    school_week = homework_demo.weeks_around(today, set(Entry.objects.values_list("date", flat=True))).current
    visible = Entry.objects.filter(group=group, visible_from__isnull=True)
    assert visible.filter(date__range=(school_week, school_week + dt.timedelta(days=4))).count() >= 10
    if moment.weekday() < 5 and moment.month != 12:
        assert school_week == homework_demo.monday_of(today)
    due_soon = Homework.objects.filter(
        entry__group=group,
        entry__visible_from__isnull=True,
        due_date__range=(today, today + dt.timedelta(days=7)),
    )
    assert due_soon.count() >= 3
    # What the pupil and their guardian actually see on the home page.
    login(client, pupil)
    home = client.get("/").content.decode()
    assert "Mon travail à faire" in home and "Rien à faire pour" not in home
    login(client, guardian)
    home = client.get(f"/?enfant={pupil.pk}").content.decode()
    assert "widget-homework-title" in home and pupil.first_name in home and "Rien à faire pour" not in home
    # The cahier of the class opens on this week: on a school day, sessions of this very week show.
    login(client, pupil)
    cahier = client.get(reverse("homework:group", args=[group.pk])).content.decode()
    if today.weekday() < 5 and moment.month != 12:
        assert any(title in cahier for title, _content, _homework in homework_demo.LESSONS["FRANC"])


def test_the_first_days_of_long_holidays_show_the_week_after_them(time_machine):
    # Saturday 19 December: the next lessons are on Monday 4 January.
    time_machine.move_to(dt.datetime(2026, 12, 19, 10, 0, tzinfo=PARIS), tick=False)
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    pupil, _guardian = demo_pupil()
    group = pupil.enrolments.get(group__kind=GroupKind.CLASS).group
    published = Entry.objects.filter(group=group, visible_from__isnull=True)
    assert published.filter(date__range=(dt.date(2027, 1, 4), dt.date(2027, 1, 8))).count() >= 10
    assert published.filter(date__range=(dt.date(2026, 12, 14), dt.date(2026, 12, 18))).count() >= 10
    assert not Entry.objects.filter(date__range=(dt.date(2026, 12, 19), dt.date(2027, 1, 3))).exists()
    assert Homework.objects.filter(entry__group=group, due_date=dt.date(2027, 1, 4)).exists()


def test_seeding_twice_gives_the_same_cahier(time_machine):
    time_machine.move_to(SEED_DAYS["wednesday afternoon"], tick=False)
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))

    def snapshot():
        return (
            sorted(Entry.objects.values_list("group_id", "course_id", "date", "title", "visible_from")),
            sorted(
                Homework.objects.values_list("entry__group_id", "entry__date", "due_date", "instructions")
            ),
            list(Visa.objects.values_list("group_id", "date")),
        )

    before = snapshot()
    homework_demo.seed_demo(demo.Plan(schools=2, pupils_per_class=2))
    assert snapshot() == before


def test_sessions_match_the_lessons_of_the_timetable(time_machine):
    time_machine.move_to(SEED_DAYS["wednesday afternoon"], tick=False)
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    from cartable.timetable.queries import lessons_for_groups

    entries = list(Entry.objects.values_list("group_id", "course_id", "date", "start_time", "author_id"))
    groups = {group_id for group_id, *_rest in entries}
    lessons: dict[tuple, set[int]] = {
        (ref.id, lesson.course_id, lesson.date, lesson.start): {t.id for t in lesson.teachers}
        for lesson in lessons_for_groups(groups, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
        for ref in lesson.groups
        if not lesson.cancelled
    }
    for group_id, course_id, day, start, author_id in entries:
        assert author_id in lessons[(group_id, course_id, day, start)]
