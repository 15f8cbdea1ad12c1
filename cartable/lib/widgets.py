"""Form widgets that give the browser's own pickers (date, time) with the value in the format they expect, and
the form fields every form uses for dates and ids: what a person types is checked here, once, so that a date
in year 9999 or an id beyond 64 bits is a form error rather than a server error or a slow page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cartable.lib import params


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


Window = Callable[[], tuple[dt.date, dt.date]]


def birth_dates() -> tuple[dt.date, dt.date]:
    """Birth dates: a grandparent's included, none after today."""
    return dt.date(1900, 1, 1), timezone.localdate()


class _Bounded:
    """The first and last day accepted come from `window` (by default the years around the current school
    year, see cartable.lib.params), worked out for each form so that they follow the calendar; the browser's
    picker gets them as min and max."""

    window: Window

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        copy = super().__deepcopy__(memo)  # type: ignore[misc]
        first, last = copy.window()
        copy.widget.attrs.update(min=self._attr(first, start=True), max=self._attr(last, start=False))
        return copy

    def _attr(self, day: dt.date, *, start: bool) -> str:
        return day.isoformat()

    def _check_window(self, day: dt.date) -> None:
        first, last = self.window()
        if not first <= day <= last:
            raise ValidationError(
                _("Choisissez une date entre le %(first)s et le %(last)s."),
                code="out_of_window",
                params={
                    "first": date_format(first, "SHORT_DATE_FORMAT"),
                    "last": date_format(last, "SHORT_DATE_FORMAT"),
                },
            )


class DateField(_Bounded, forms.DateField):
    """A date typed in a form, within `window`."""

    widget = DateInput

    def __init__(self, *, window: Window = params.date_window, **kwargs: Any):
        self.window = window
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value not in self.empty_values:
            self._check_window(value)


class DateTimeField(_Bounded, forms.DateTimeField):
    """A moment typed in a form, its day within `window`."""

    widget = DateTimeInput

    def __init__(self, *, window: Window = params.date_window, **kwargs: Any):
        self.window = window
        super().__init__(**kwargs)

    def _attr(self, day: dt.date, *, start: bool) -> str:
        return f"{day.isoformat()}T{'00:00' if start else '23:59'}"

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value not in self.empty_values:
            # Already in the current time zone (DateTimeField made it so): no conversion that could overflow.
            self._check_window(value.date())


class IdField(forms.IntegerField):
    """An id in a hidden field: ASCII digits, from 1 to the largest id a database row may have."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(min_value=1, max_value=params.MAX_ID, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = params.parse_int(str(value).strip())
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdsChoiceField(forms.ModelMultipleChoiceField[Any]):
    """Ticked rows by id: a value that is no database id (`²`, a number beyond 64 bits) is an invalid choice
    before any query (the database would refuse it, SQLite with an overflow)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            if params.parse_int(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]
