"""Demo messages for the demo accounts: a teacher writes to the parents of the demo pupil's class, a parent
answers, the CPE asks about an absence, the école teacher invites the parents of CE2 to a meeting.

Written through the messaging actions, so that the messages follow the communication rules and reach the
timeline like real ones. Only for the demo (two schools): a benchmark dataset keeps empty mailboxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cartable.access.policy import current_enrolments
from cartable.accounts.models import User
from cartable.directory.models import Function, Guardianship, Person, Profile, SchoolKind
from cartable.lib.french import de
from cartable.messaging import actions
from cartable.messaging.models import Message

# The demo accounts are among the first ones created and alone to have a usable password.
DEMO_SEARCH_LIMIT = 60


def _demo_people() -> list[Person]:
    users = (
        User.objects.exclude(password__startswith="!")
        .filter(is_superuser=False, person__isnull=False)
        .order_by("pk")[:DEMO_SEARCH_LIMIT]
    )
    return list(
        Person.objects.filter(user__in=users)
        .select_related("user")
        .prefetch_related("memberships__school", "teaching_assignments__group__school", "enrolments__group")
    )


def _profiles(person: Person) -> set[str]:
    return {m.profile for m in person.memberships.all()}


def _send(
    sender: Person,
    *,
    to: Sequence[Person] = (),
    groups: Sequence[str] = (),
    subject: str,
    body: str,
    reply_to: Message | None = None,
) -> Message:
    return actions.send_message(
        sender.user,
        actions.Draft(
            people=[p.pk for p in to], groups=list(groups), subject=subject, body=body, reply_to=reply_to
        ),
    )


def seed_demo(plan: Any) -> None:
    if plan.schools > 2:
        return
    people = _demo_people()
    guardian = next((p for p in people if Profile.RELATIVE in _profiles(p)), None)
    if guardian is None:
        return
    children = [g.student for g in Guardianship.objects.filter(relative=guardian).select_related("student")]
    groups = {e.student_id: e.group for e in _enrolments(children)}
    college_child = next(
        (c for c in children if groups.get(c.pk) and groups[c.pk].school.kind == SchoolKind.SECONDARY), None
    )
    primary_child = next(
        (c for c in children if groups.get(c.pk) and groups[c.pk].school.kind == SchoolKind.PRIMARY), None
    )

    def teacher_of(child: Person | None) -> Person | None:
        if child is None:
            return None
        group = groups[child.pk]
        return next(
            (p for p in people if any(a.group_id == group.pk for a in p.teaching_assignments.all())), None
        )

    college_teacher = teacher_of(college_child)
    if college_child is not None and college_teacher is not None:
        group = groups[college_child.pk]
        outing = _send(
            college_teacher,
            groups=[f"parents:{group.pk}"],
            subject=f"Sortie au musée pour la {group.name}",
            body=(
                "Bonjour,\n\n"
                f"La classe de {group.name} se rendra au musée des Beaux-Arts jeudi prochain, "
                "de 9 h à 12 h. "
                "Le trajet se fait en tramway avec trois accompagnateurs.\n\n"
                "Merci de signer l’autorisation jointe au carnet de liaison "
                "et de prévoir un ticket de transport. "
                "Les parents qui souhaitent accompagner la classe peuvent me répondre ici.\n\n"
                f"Bien cordialement,\n{college_teacher.full_name}"
            ),
        )
        _send(
            guardian,
            to=[college_teacher],
            subject=f"Re : {outing.subject}",
            body=(
                "Bonjour,\n\n"
                f"{college_child.first_name} participera à la sortie. Je suis disponible "
                "jeudi matin et je peux accompagner la classe si vous avez besoin de quelqu’un.\n\n"
                "Bonne journée,\n"
                f"{guardian.full_name}"
            ),
            reply_to=outing,
        )
        cpe = next(
            (p for p in people if any(Function.VIE_SCOLAIRE in m.functions for m in p.memberships.all())),
            None,
        )
        if cpe is not None:
            _send(
                cpe,
                to=[guardian],
                subject=f"Absence {de(college_child.first_name)} lundi matin",
                body=(
                    "Bonjour,\n\n"
                    f"{college_child.first_name} était absent·e lundi de 8 h à 10 h. Pourriez-vous nous en "
                    "indiquer le motif, ou justifier l’absence depuis Cartable ?\n\n"
                    f"Merci,\n{cpe.full_name}, vie scolaire"
                ),
            )
    primary_teacher = teacher_of(primary_child)
    if primary_child is not None and primary_teacher is not None:
        group = groups[primary_child.pk]
        _send(
            primary_teacher,
            groups=[f"parents:{group.pk}"],
            subject=f"Réunion des parents de {group.name}",
            body=(
                "Bonjour à toutes et à tous,\n\n"
                f"La réunion des parents de {group.name} aura lieu mardi à 18 h dans la classe. "
                "Nous parlerons du projet de classe découverte et des évaluations de début d’année.\n\n"
                f"À mardi,\n{primary_teacher.full_name}"
            ),
        )


def _enrolments(children: list[Person]) -> list:

    return list(
        current_enrolments().filter(student__in=children, group__kind="class").select_related("group__school")
    )
