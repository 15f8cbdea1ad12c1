"""Who each person proposed to a writer is, in a few words: « Professeur de mathématiques — 6A, 5B »,
« Parent d’Alice (6A) », « Vie scolaire ». Four queries whatever the number of people."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from cartable.access import policy
from cartable.directory.models import Function, GroupKind, Guardianship, Membership, Person, Profile
from cartable.lib.french import de


def describe_people(user, people: list[Person]) -> list[Person]:
    """Each person gets `role`, worked out in four queries whatever their number, from the schools the
    writer belongs to only (a guardian's child in another school is none of the writer's business), naming
    only children the writer may see: a description tells no more than the profile would."""
    if not people:
        return people
    schools = sorted(policy.viewer_for(user).school_ids)
    ids = [p.pk for p in people]
    kinds: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
    for person_id, profile, functions in Membership.objects.filter(
        person_id__in=ids, school_id__in=schools
    ).values_list("person_id", "profile", "functions"):
        kinds[person_id].append((profile, list(functions or [])))
    teachers = [pk for pk in ids if any(p == Profile.TEACHER for p, _f in kinds[pk])]
    taught = _taught(teachers, schools)
    children = _children(
        user, [pk for pk in ids if any(p == Profile.RELATIVE for p, _f in kinds[pk])], schools
    )
    pupils = [pk for pk in ids if any(p == Profile.STUDENT for p, _f in kinds[pk])]
    classes = _classes(pupils + [child for rows in children.values() for child, _name in rows], schools)
    shown: list[Any] = people  # each gets a `role` for the template
    for person in shown:
        lines = [
            _role(profile, functions, person.pk, taught, children, classes)
            for profile, functions in sorted(kinds[person.pk])
        ]
        person.role = " · ".join(dict.fromkeys(line for line in lines if line))
    return people


def _taught(teacher_ids: list[int], schools: list[int]) -> dict[int, tuple[list[str], list[str]]]:
    """teacher -> (subjects, groups) of the current year."""
    found: dict[int, tuple[list[str], list[str]]] = {}
    if not teacher_ids:
        return found
    rows = (
        policy.current_teaching_assignments()
        .filter(teacher_id__in=teacher_ids, group__school_id__in=schools)
        .order_by("group__name", "subject__name")
        .values_list("teacher_id", "subject__name", "group__name")
    )
    for teacher_id, subject, group in rows:
        subjects, groups = found.setdefault(teacher_id, ([], []))
        if subject and subject not in subjects:
            subjects.append(subject)
        if group not in groups:
            groups.append(group)
    return found


def _children(user: Any, relative_ids: list[int], schools: list[int]) -> dict[int, list[tuple[int, str]]]:
    """relative -> [(child id, first name)] of the children in the writer's schools whom the writer may see in
    the directory (the policy of profiles): a teacher who may write to every parent of the school does not
    learn from « Parent de Kylian (6B) » who Kylian is and where he is."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if not relative_ids:
        return found
    rows = (
        Guardianship.objects.filter(
            relative_id__in=relative_ids,
            student__memberships__school_id__in=schools,
            student_id__in=policy.visible_person_ids(user),
        )
        .order_by("student__first_name", "student_id")
        .values_list("relative_id", "student_id", "student__first_name")
        .distinct()
    )
    for relative_id, student_id, first_name in rows:
        found[relative_id].append((student_id, first_name))
    return found


def _classes(pupil_ids: list[int], schools: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if not pupil_ids:
        return found
    rows = (
        policy.current_enrolments()
        .filter(student_id__in=pupil_ids, group__kind=GroupKind.CLASS, group__school_id__in=schools)
        .order_by("group__name")
        .values_list("student_id", "group__name")
    )
    for student_id, name in rows:
        found[student_id].append(name)
    return found


def _subject_word(name: str) -> str:
    """ "Mathématiques" reads "mathématiques" inside a sentence; "SVT" stays as it is."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _role(profile: str, functions: list[str], person_id: int, taught, children, classes) -> str:
    if profile == Profile.TEACHER:
        subjects, groups = taught.get(person_id, ([], []))
        if not subjects and not groups:
            return str(Profile.TEACHER.label)
        of_subjects = ", ".join(de(_subject_word(subject)) for subject in subjects)
        title = _("Professeur %(of_subjects)s") % {"of_subjects": of_subjects} if subjects else ""
        title = title or str(Profile.TEACHER.label)
        return f"{title} — {', '.join(groups)}" if groups else title
    if profile == Profile.RELATIVE:
        kids = children.get(person_id, [])
        if not kids:
            return str(Profile.RELATIVE.label)
        named = [
            f"{de(first_name)} ({', '.join(classes[child])})" if classes.get(child) else de(first_name)
            for child, first_name in kids
        ]
        return _("Parent %(of_children)s") % {"of_children": ", ".join(named)}
    if profile == Profile.STUDENT:
        mine = classes.get(person_id, [])
        if not mine:
            return str(Profile.STUDENT.label)
        return _("Élève %(of_class)s") % {"of_class": de(", ".join(mine))}
    labels = [str(Function(code).label) for code in functions if code in Function.values]
    return ", ".join(labels) if labels else str(Profile(profile).label)
