"""The timetable as an iCalendar file (RFC 5545) for calendar apps: times in Europe/Paris with its VTIMEZONE,
one stable UID per session (a change keeps the UID, so the app updates the event in place), cancelled
sessions kept with STATUS:CANCELLED."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from cartable.timetable.queries import Lesson, Status, describe
from cartable.timetable.text import room_label

# The address of a calendar just made, kept in the session until the preferences page has shown it once.
FRESH_TOKEN_KEY = "timetable_fresh_token"

PRODID = "-//Cartable//Emploi du temps//FR"


def calendar_of(lessons_by_owner: list[tuple[str, str, list[Lesson]]], name: str) -> bytes:
    """`lessons_by_owner`: (a key for the UIDs, a label for the titles, the lessons) for each person whose
    timetable is in the feed: ("", "", …) for the user's own, ("p42", "Alice", …) for a child."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for key, label, lessons in lessons_by_owner:
        for lesson in lessons:
            cal.add_component(_event(lesson, key, label, stamp))
    cal.add_missing_timezones()
    return cal.to_ical()


def _event(lesson: Lesson, key: str, label: str, stamp: datetime) -> Event:
    event = Event()
    uid = lesson.uid
    if key:
        # Two children in one class: one event each, as each is their own timetable.
        uid = uid.replace("@", f"-{key}@")
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", lesson.starts_at)
    event.add("dtend", lesson.ends_at)
    summary = lesson.subject
    if label:
        summary = f"{summary} ({label})"
    event.add("summary", summary)
    if lesson.room:
        event.add("location", room_label(lesson.room))
    details = [lesson.teachers_label, lesson.groups_label]
    change = describe(lesson)
    if change:
        details.insert(0, change)
    event.add("description", "\n".join(d for d in details if d))
    event.add("status", "CANCELLED" if lesson.status == Status.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event
