"""Far-off dates: what people type stays within five school years of now, and a week A saved long ago (before
the window existed) keeps the A/B letters right and the public iCalendar feed as quick as ever."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cartable.timetable import queries
from cartable.timetable.models import Course, CourseException, TimetableSettings
from cartable.timetable.queries import Calendar, Holiday
from cartable.timetable.tests.helpers import MONDAY, room, settings_for

SCHOOL = 1


def counted_week_by_week(calendar: Calendar, reference: date, monday: date) -> str:
    """The A/B letter as it was first worked out, one week after the other: the reference the fast one is
    checked against."""
    off = calendar.days_off(calendar.zones.get(SCHOOL, ""))
    low, high = sorted((reference, monday))
    school_weeks, week = 0, low
    while week < high:
        if any(week + timedelta(days=i) not in off for i in range(5)):
            school_weeks += 1
        week += timedelta(weeks=1)
    return "A" if school_weeks % 2 == 0 else "B"


class CountedDays(set):
    """Days off that count how often they are looked into."""

    looks = 0

    def __contains__(self, day) -> bool:
        CountedDays.looks += 1
        return super().__contains__(day)


def calendar_with(reference: date, holidays: list[Holiday]) -> Calendar:
    return Calendar(holidays=holidays, zones={SCHOOL: "C"}, references={SCHOOL: reference})


TOUSSAINT = Holiday("", "Vacances de la Toussaint", date(2026, 10, 17), date(2026, 11, 1))
CHRISTMAS = Holiday("", "Vacances de Noël", date(2026, 12, 19), date(2027, 1, 3))


def test_the_letter_of_a_week_does_not_depend_on_how_far_week_a_is():
    """Not a timing: the days off are looked into as often for a week A in year 1 as for one last month,
    because the weeks between are never walked one by one."""
    looks = {}
    for reference in (date(2026, 11, 2), date(1, 1, 1)):
        calendar = calendar_with(reference, [TOUSSAINT, CHRISTMAS])
        calendar._days_off["C"] = CountedDays(calendar.days_off("C"))
        CountedDays.looks = 0
        calendar.week_letter(SCHOOL, MONDAY + timedelta(days=1))
        looks[reference] = CountedDays.looks
    assert looks[date(1, 1, 1)] == looks[date(2026, 11, 2)]
    assert looks[date(1, 1, 1)] < 50


def test_weeks_without_school_days_do_not_count():
    calendar = calendar_with(date(2026, 10, 12), [TOUSSAINT])
    # 12 Oct: A; the two Toussaint weeks do not count; 2 Nov: B; 9 Nov: A.
    assert [calendar.week_letter(SCHOOL, date(2026, 10, 12) + timedelta(weeks=n)) for n in (0, 3, 4)] == [
        "A",
        "B",
        "A",
    ]
    # Counted backwards too: the week before 12 Oct is a B.
    assert calendar.week_letter(SCHOOL, date(2026, 10, 5)) == "B"


mondays = st.integers(min_value=-400, max_value=400).map(lambda n: date(2026, 11, 2) + timedelta(weeks=n))
holidays = st.lists(
    st.tuples(st.integers(min_value=-2800, max_value=2800), st.integers(min_value=0, max_value=40)).map(
        lambda t: Holiday(
            "",
            "Vacances",
            date(2026, 11, 2) + timedelta(days=t[0]),
            date(2026, 11, 2) + timedelta(days=t[0] + t[1]),
        )
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(reference=mondays, monday=mondays, found=holidays)
def test_the_quick_letter_is_the_week_by_week_one(reference, monday, found):
    calendar = calendar_with(reference, found)
    assert calendar.week_letter(SCHOOL, monday) == counted_week_by_week(calendar, reference, monday)


@pytest.mark.django_db
def test_a_week_a_saved_in_year_1_keeps_the_letters_right(world, week):
    settings_for(world, week_a_monday=date(1, 1, 1))
    found = queries.lessons_for_groups([world.class_6a.pk], MONDAY, MONDAY + timedelta(days=13))
    holidays, _settings = queries.school_calendars()
    calendar = Calendar(holidays=list(holidays), zones={SCHOOL: "C"})
    expected = counted_week_by_week(calendar, date(1, 1, 1), MONDAY)
    other = "B" if expected == "A" else "A"
    assert {(lesson.date < MONDAY + timedelta(weeks=1), lesson.week) for lesson in found} == {
        (True, expected),
        (False, other),
    }


@pytest.mark.django_db
def test_the_ical_feed_answers_with_a_week_a_saved_in_year_1(client, world, week):
    settings_for(world, week_a_monday=date(1, 1, 1))
    world.login(client, "alice")
    assert client.post(reverse("timetable:token_create"), {"label": "Téléphone"}).status_code == 302
    page = client.get(reverse("portal:preferences")).content.decode()
    marker = "/emploi-du-temps/ical/"
    start = page.index(marker) + len(marker)
    token = page[start : page.index(".ics", start)]
    client.logout()
    answer = client.get(reverse("timetable:feed", args=[token]))
    assert answer.status_code == 200 and b"BEGIN:VEVENT" in answer.content


FAR = ["0001-01-01", "0001-01-07", "9999-12-31", "10000-01-01", "2026-02-30", "١٢٣٤-٠١-٠١"]  # noqa: RUF001 (digits of other scripts, refused on purpose)


@pytest.mark.django_db
@pytest.mark.parametrize("far", FAR)
def test_weeks_asked_far_off_show_this_week(client, world, week, far):
    world.login(client, "tom")
    gym = room(world.school_a, "101")
    for url in (
        reverse("timetable:week"),
        reverse("timetable:group", args=[world.class_6a.pk]),
        reverse("timetable:room", args=[gym.pk]),
    ):
        answer = client.get(url, {"semaine": far})
        assert answer.status_code == 200, url
        assert answer.context["monday"] == queries.monday_of(timezone.localdate())
    world.login(client, "vera")
    answer = client.get(reverse("timetable:change_new", args=[week["maths"].pk]), {"date": far})
    assert answer.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("far", ["0001-01-01", "9999-12-31", "2020-12-31", "2040-01-01", "10000-01-01"])
def test_the_principal_cannot_save_a_week_a_out_of_the_window(client, world, week, far):
    before = TimetableSettings.objects.get(school=world.school_a).week_a_monday
    world.login(client, "paul")
    url = reverse("timetable:manage_school", args=[world.school_a.uai])
    answer = client.post(url, {"zone": "C", "week_a_monday": far})
    assert answer.status_code == 200
    assert answer.context["form"].errors["week_a_monday"]
    assert TimetableSettings.objects.get(school=world.school_a).week_a_monday == before


COURSE = {"label": "Chorale", "weekday": 4, "start": "14:00", "end": "15:00", "weeks": "every"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("valid_from", "0001-01-01"),
        ("valid_until", "9999-12-31"),
        ("groups", "99999999999999999999"),
        ("groups", "²"),
        ("teachers", str(2**63)),
    ],
)
def test_course_forms_refuse_far_dates_and_impossible_ids(client, world, week, field, value):
    world.login(client, "vera")
    url = reverse("timetable:course_new", args=[world.school_a.uai])
    data = {"groups": [world.class_5b.pk], **COURSE, field: value}
    answer = client.post(url, data)
    assert answer.status_code == 200
    assert answer.context["form"].errors[field]
    assert not Course.objects.filter(label="Chorale").exists()


@pytest.mark.django_db
def test_the_class_asked_in_the_address_is_an_id_or_404(client, world, week):
    world.login(client, "vera")
    url = reverse("timetable:course_new", args=[world.school_a.uai])
    assert client.get(url, {"classe": world.class_5b.pk}).status_code == 200
    for odd in ("²", "99999999999999999999", "9" * 5000, "-1"):
        assert client.get(url, {"classe": odd}).status_code == 404


@pytest.mark.django_db
def test_changes_and_ends_far_off_are_refused(client, world, week):
    world.login(client, "vera")
    maths = week["maths"]
    answer = client.post(reverse("timetable:course_end", args=[maths.pk]), {"last_day": "9999-12-31"})
    assert answer.status_code == 302
    maths.refresh_from_db()
    assert maths.valid_until is None
    url = reverse("timetable:change_new", args=[maths.pk])
    answer = client.post(
        url,
        {"kind": "moved", "date": "2026-11-23", "new_date": "9999-12-31", "start": "08:00", "end": "09:00"},
    )
    assert answer.status_code == 200 and answer.context["form"].errors["new_date"]
    assert not CourseException.objects.filter(date=date(2026, 11, 23)).exists()
