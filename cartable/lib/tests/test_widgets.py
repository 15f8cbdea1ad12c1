"""The fields every form uses for dates and ids: out-of-window dates and impossible ids are form errors."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms

from cartable.directory.models import Person
from cartable.lib.widgets import DateField, DateTimeField, IdField, IdsChoiceField, birth_dates

PARIS = ZoneInfo("Europe/Paris")
TODAY = dt.datetime(2026, 12, 3, 12, 0, tzinfo=PARIS)


class SampleForm(forms.Form):
    day = DateField(required=False)
    moment = DateTimeField(required=False)
    birth = DateField(window=birth_dates, required=False)
    course = IdField()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("day", "0001-01-01"),
        ("day", "9999-12-31"),
        ("day", "2020-12-31"),
        ("day", "2033-01-01"),
        ("moment", "9999-12-31T23:59"),
        ("moment", "0001-01-01T00:00"),
        ("birth", "1899-12-31"),
        ("birth", "2026-12-04"),
    ],
)
def test_dates_out_of_their_window_are_form_errors(field, value):
    form = SampleForm({field: value})
    assert not form.is_valid()
    assert "Choisissez une date entre le" in form.errors[field][0]


@time_machine.travel(TODAY, tick=False)
def test_dates_in_their_window_are_accepted():
    form = SampleForm({"day": "2021-01-01", "moment": "2032-12-31T23:59", "birth": "1950-06-01"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2021, 1, 1)


@time_machine.travel(TODAY, tick=False)
def test_the_browser_picker_gets_the_window():
    html = str(SampleForm()["day"]) + str(SampleForm()["moment"]) + str(SampleForm()["birth"])
    assert 'min="2021-01-01"' in html and 'max="2032-12-31"' in html
    assert 'min="2021-01-01T00:00"' in html and 'max="2032-12-31T23:59"' in html
    assert 'min="1900-01-01"' in html and 'max="2026-12-03"' in html


def test_the_window_follows_the_calendar():
    with time_machine.travel(dt.datetime(2026, 12, 3, 12, 0, tzinfo=PARIS), tick=False):
        assert 'min="2021-01-01"' in str(SampleForm()["day"])
    with time_machine.travel(dt.datetime(2027, 9, 1, 12, 0, tzinfo=PARIS), tick=False):
        assert 'min="2022-01-01"' in str(SampleForm()["day"])


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "99999999999999999999", str(2**63), "0", "-1"])
def test_hidden_ids_out_of_range_are_form_errors(value):
    form = SampleForm({"course": value})
    assert not form.is_valid()
    assert "course" in form.errors


def test_hidden_ids_are_read():
    form = SampleForm({"course": "12"})
    assert form.is_valid() and form.cleaned_data["course"] == 12
    assert SampleForm({}).is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "99999999999999999999", str(2**63), "9" * 5000])
def test_ticked_ids_that_no_row_can_have_are_form_errors(world, value):
    class Ticks(forms.Form):
        people = IdsChoiceField(queryset=Person.objects.all())

    form = Ticks({"people": [str(world.person("alice").pk), value]})
    assert not form.is_valid()
    assert "people" in form.errors
    assert Ticks({"people": [str(world.person("alice").pk)]}).is_valid()
