"""On a phone the current week opens on today: the page marks the days already gone (timetable.css folds
them away below 56rem) and offers the way back to Monday; other weeks are shown whole."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cartable.timetable.tests.helpers import MONDAY

pytestmark = pytest.mark.django_db

WEDNESDAY_MORNING = datetime(2026, 11, 18, 7, 30, tzinfo=ZoneInfo("Europe/Paris"))


@time_machine.travel(WEDNESDAY_MORNING, tick=False)
def test_this_week_marks_the_days_gone_and_links_back_to_monday(client, world, week):
    world.login(client, "alice")
    body = client.get(reverse("timetable:week")).content.decode()
    assert 'class="week week-from-today" id="semaine-entiere"' in body
    assert body.count('class="day day-past"') == 2  # Monday and Tuesday
    assert 'class="day day-today" aria-labelledby="day-20261118"' in body
    assert '<a href="#semaine-entiere">← Voir depuis lundi</a>' in body
    # The class's week, a room's week: the same.
    world.login(client, "vera")
    body = client.get(reverse("timetable:group", args=[world.class_6a.pk])).content.decode()
    assert body.count('class="day day-past"') == 2


@time_machine.travel(WEDNESDAY_MORNING, tick=False)
def test_another_week_is_shown_whole(client, world, week):
    world.login(client, "alice")
    for monday in (MONDAY + timedelta(weeks=1), MONDAY - timedelta(weeks=1)):
        body = client.get(f"{reverse('timetable:week')}?semaine={monday.isoformat()}").content.decode()
        assert "day-past" not in body and "week-from-today" not in body and "Voir depuis lundi" not in body


@time_machine.travel(WEDNESDAY_MORNING - timedelta(days=2), tick=False)
def test_on_monday_nothing_is_folded(client, world, week):
    world.login(client, "alice")
    body = client.get(reverse("timetable:week")).content.decode()
    assert "day-past" not in body and "Voir depuis lundi" not in body
