"""The spreadsheet import (cartable.feeds.csv_import): finding who already exists in the school."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models.functions import Lower

from cartable.directory.models import (
    STAFF_PROFILES,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
)
from cartable.feeds.csv_import.lines import (
    Line,
)
from cartable.feeds.onde import fold

# --- Finding who already exists ----------------------------------------------------------------------


@dataclass
class Known:
    person_id: int
    user_id: int
    email: str
    left: bool


def _known_pupils(school: School, lines: list[Line]) -> dict[tuple, list[Known]]:
    dates = {line.birth_date for line in lines if line.birth_date}
    found: dict[tuple, list[Known]] = defaultdict(list)
    rows = Person.objects.filter(
        pk__in=Membership.objects.filter(school=school, profile=Profile.STUDENT).values("person_id"),
        birth_date__in=dates,
    ).values_list("pk", "user_id", "user__email", "left_at", "last_name", "first_name", "birth_date")
    for pk, user_id, email, left_at, last_name, first_name, born in rows:
        found[(fold(last_name), fold(first_name), born)].append(
            Known(pk, user_id, email, left_at is not None)
        )
    return found


def _known_staff(school: School) -> dict[tuple, list[Known]]:
    found: dict[tuple, list[Known]] = defaultdict(list)
    rows = Person.objects.filter(
        pk__in=Membership.objects.filter(school=school, profile__in=STAFF_PROFILES).values("person_id")
    ).values_list("pk", "user_id", "user__email", "left_at", "last_name", "first_name")
    for pk, user_id, email, left_at, last_name, first_name in rows:
        found[(fold(last_name), fold(first_name))].append(Known(pk, user_id, email, left_at is not None))
    return found


def _known_guardians(
    school: School, lines: list[Line]
) -> tuple[dict[tuple, list[Known]], dict[tuple, list[Known]]]:
    """(Guardians of the rows' pupils by (pupil, folded names), the school's relatives by (folded names,
    email).)"""
    pupil_ids = {line.pupil_id for line in lines if line.pupil_id}
    by_pupil: dict[tuple, list[Known]] = defaultdict(list)
    links = Guardianship.objects.filter(student_id__in=pupil_ids).values_list(
        "student_id",
        "relative_id",
        "relative__user_id",
        "relative__user__email",
        "relative__left_at",
        "relative__last_name",
        "relative__first_name",
    )
    for student_id, pk, user_id, email, left_at, last_name, first_name in links:
        by_pupil[(student_id, fold(last_name), fold(first_name))].append(
            Known(pk, user_id, email, left_at is not None)
        )
    emails = {line.values["email"].lower() for line in lines if line.values.get("email")}
    by_email: dict[tuple, list[Known]] = defaultdict(list)
    if emails:
        # Addresses are stored as typed: compared in lower case on both sides.
        relatives = (
            Person.objects.alias(email_lower=Lower("user__email")).filter(
                pk__in=Membership.objects.filter(school=school, profile=Profile.RELATIVE).values("person_id"),
                email_lower__in=emails,
            )
        ).values_list("pk", "user_id", "user__email", "left_at", "last_name", "first_name")
        for pk, user_id, email, left_at, last_name, first_name in relatives:
            by_email[(fold(last_name), fold(first_name), email.lower())].append(
                Known(pk, user_id, email, left_at is not None)
            )
    return by_pupil, by_email


def _match_guardian(line: Line, by_pupil: dict, by_email: dict) -> Known | None:
    folded = (fold(line.values["last_name"]), fold(line.values["first_name"]))
    found = by_pupil.get((line.pupil_id, *folded), [])
    if len({k.person_id for k in found}) == 1:
        return found[0]
    email = line.values.get("email", "").lower()
    if email:
        found = by_email.get((*folded, email), [])
        if len({k.person_id for k in found}) == 1:
            return found[0]
    return None


def _guardian_key(line: Line) -> tuple:
    if not line.ok:
        return ("line", line.line)
    return (line.identity[0], line.identity[1], line.identity[2])
