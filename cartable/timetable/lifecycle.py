"""The timetable in a person's lifecycle (cartable.lib.lifecycle): the school's timetable keeps a purged
teacher as "Ancien compte"; their calendar addresses go at the purge."""

from __future__ import annotations

from cartable.lib.lifecycle import Fate, Forgetting
from cartable.timetable.models import CalendarToken, Course, CourseException

PERSONAL_DATA = {
    Course: Fate.RECORD,
    CourseException: Fate.RECORD,
    CalendarToken: Fate.FORGOTTEN,
}


def forget(people: Forgetting) -> None:
    CalendarToken.objects.filter(user_id__in=people.user_ids).delete()
