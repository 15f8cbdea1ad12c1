"""Demo cahier de liaison of the demo schools: in each, the demo child's teacher asks the class's families for
an outing authorisation (a reply slip, about half of them answered, the demo parent not yet), and a mot asking
a signature that the demo parent has signed; in the collège the direction writes about the school rules.

Written through the liaison actions, so that the mots reach the timelines like real ones. Only for the demo
(two schools): a benchmark dataset gets none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cartable.access.policy import current_enrolments
from cartable.directory.models import Function, Group, Guardianship, Membership, Person, Profile, SchoolKind
from cartable.liaison import actions
from cartable.liaison.models import Mot, Request
from cartable.timetable.queries import holidays_between

# The longest stretch without school (the summer holidays), and a little more.
HOLIDAY_REACH = 75


def seed_demo(plan: Any) -> None:
    if plan.schools > 2:
        return
    guardian = _demo_accounts().filter(memberships__profile=Profile.RELATIVE).first()
    if guardian is None:
        return
    children = [g.student for g in Guardianship.objects.filter(relative=guardian, legal_guardian=True)]
    classes = {
        e.student_id: e.group
        for e in current_enrolments()
        .filter(student__in=children, group__kind="class")
        .select_related("group__school")
    }
    for child in children:
        group = classes.get(child.pk)
        if group is None:
            continue
        teacher = _demo_accounts().filter(teaching_assignments__group=group).first()
        if teacher is None:
            continue
        _class_mots(teacher, group, guardian, child)
        if group.school.kind == SchoolKind.SECONDARY:
            _direction_mot(group)


def _demo_accounts():
    """People whose demo account one can log in to (a usable password), first made first."""
    return (
        Person.objects.filter(user__isnull=False).exclude(user__password__startswith="!").order_by("user__pk")
    )


def school_day(group: Group, days: int) -> dt.date:
    """The first school day at least `days` days from today in the class's school: not a weekend, not a
    Wednesday in an école (no class there in most of them), not in the school's holidays. A deadline or an
    outing on a Sunday or in the holidays would not make sense to anyone."""
    start = timezone.localdate() + dt.timedelta(days=days)
    days_off = holidays_between([group.school_id], start, start + dt.timedelta(days=HOLIDAY_REACH))
    primary = group.school.kind == SchoolKind.PRIMARY
    day = start
    while day.weekday() >= 5 or (primary and day.weekday() == 2) or day in days_off:
        day += dt.timedelta(days=1)
    return day


def _already(author: Person, title: str) -> bool:
    return Mot.objects.filter(author=author, title=title).exists()


def _class_mots(teacher: Person, group: Group, guardian: Person, child: Person) -> None:
    title = f"Sortie au musée — autorisation ({group.name})"
    if not _already(teacher, title):
        outing = actions.send_mot(
            teacher.user,
            actions.MotInput(
                title=title,
                body=(
                    "Bonjour,\n\n"
                    f"La classe de {group.name} se rendra au musée des Beaux-Arts dans deux semaines, "
                    "de 9 h à 12 h, en tramway avec trois accompagnateurs. La sortie est gratuite.\n\n"
                    "Merci de répondre au coupon ci-dessous avant la date indiquée.\n\n"
                    f"{teacher.full_name}"
                ),
                request=Request.REPLY,
                question="Mon enfant participe à la sortie au musée",
                choices=["Oui", "Non"],
                allow_comment=True,
                deadline=school_day(group, 10),
                group_ids=[group.pk],
            ),
        )
        _answer_half(outing, skip_pupil=child.pk)
    title = f"Réunion parents-professeurs ({group.name})"
    if not _already(teacher, title):
        meeting = actions.send_mot(
            teacher.user,
            actions.MotInput(
                title=title,
                body=(
                    f"La réunion des parents de {group.name} aura lieu mardi à 18 h dans la classe. Merci de "
                    "signer ce mot pour indiquer que vous en avez pris connaissance."
                ),
                request=Request.SIGNATURE,
                deadline=school_day(group, 5),
                group_ids=[group.pk],
            ),
        )
        actions.sign(guardian.user, meeting, child.pk)
        _answer_half(meeting, skip_pupil=child.pk)


def _direction_mot(group: Group) -> None:
    """The principal asks every family of the class to sign the school rules (nobody has yet)."""
    direction = Membership.objects.filter(school_id=group.school_id, functions__icontains=Function.DIRECTION)
    principal = (
        Person.objects.filter(pk__in=direction.values("person_id"))
        .select_related("user")
        .order_by("pk")
        .first()
    )
    title = "Règlement intérieur de l'établissement"
    if principal is None or _already(principal, title):
        return
    actions.send_mot(
        principal.user,
        actions.MotInput(
            title=title,
            body=(
                "Madame, Monsieur,\n\nLe règlement intérieur a été modifié par le conseil d'administration. "
                "Merci d'en prendre connaissance (il est affiché au collège et disponible au secrétariat) "
                "et de signer ce mot."
            ),
            request=Request.SIGNATURE,
            both_guardians=True,
            group_ids=[group.pk],
        ),
    )


def _answer_half(mot: Mot, skip_pupil: int) -> None:
    """One family in two answers (the first legal guardian of every other pupil), so the table shows both."""
    pupils = list(mot.pupils.exclude(pupil_id=skip_pupil).order_by("pupil__last_name", "pupil_id"))
    for index, row in enumerate(pupils):
        if index % 2:
            continue
        first = (
            Guardianship.objects.filter(student_id=row.pupil_id, legal_guardian=True)
            .select_related("relative__user")
            .order_by("relative_id")
            .first()
        )
        if first is None:
            continue
        choice = ("Oui" if index % 4 == 0 else "Non") if mot.is_reply else ""
        actions.sign(first.relative.user, mot, row.pupil_id, choice)
