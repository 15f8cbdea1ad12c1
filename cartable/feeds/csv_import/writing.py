"""The spreadsheet import (cartable.feeds.csv_import): writing batch by batch, through the directory's
provisioning API (cartable.directory.bulk)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils.translation import gettext as _

from cartable.access import policy
from cartable.accounts.models import User
from cartable.accounts.usernames import base_username
from cartable.console.access import manageable_accounts, schools_of_accounts
from cartable.directory import bulk
from cartable.directory.bulk import NewGuardianship, NewMembership, Provisioning
from cartable.directory.models import (
    Enrolment,
    Function,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
)
from cartable.feeds.csv_import.columns import (
    Kind,
)
from cartable.feeds.csv_import.known import (
    Known,
    _guardian_key,
    _known_guardians,
    _known_pupils,
    _known_staff,
    _match_guardian,
)
from cartable.feeds.csv_import.lines import (
    Line,
    SchoolFacts,
)
from cartable.feeds.models import ImportJob

BATCH = 200


# --- Import ------------------------------------------------------------------------------------------

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"


@dataclass
class Outcome:
    line: int
    name: str
    outcome: str
    detail: str = ""
    login: str = ""

    def as_list(self) -> list[Any]:
        return [self.line, self.name, self.outcome, self.detail, self.login]


def batches(job: ImportJob, lines: list[Line]) -> Iterator[list[Line]]:
    """Lines in batches of about BATCH; a guardian's rows stay together, so that a guardian met again in a
    later batch is never taken for a new person."""
    if job.kind != Kind.GUARDIANS:
        for start in range(0, len(lines), BATCH):
            yield lines[start : start + BATCH]
        return
    groups: dict[tuple, list[Line]] = defaultdict(list)
    for line in lines:
        groups[_guardian_key(line)].append(line)
    batch: list[Line] = []
    for group in groups.values():
        batch.extend(group)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def import_batch(job: ImportJob, facts: SchoolFacts, lines: list[Line]) -> list[Outcome]:
    """Write one batch in one transaction; returns what happened to each of its lines (in file order)."""
    outcomes: list[Outcome] = [
        Outcome(line.line, line.name, REJECTED, "; ".join(line.errors)) for line in lines if not line.ok
    ]
    good = [line for line in lines if line.ok]
    if good:
        # One transaction; the accounts created are traced in the school's console history.
        with bulk.provisioning(school=job.school, actor=job.created_by) as directory:
            writer: Callable[[Provisioning, ImportJob, SchoolFacts, list[Line]], list[Outcome]] = {
                Kind.PUPILS: _import_pupils,
                Kind.GUARDIANS: _import_guardians,
                Kind.STAFF: _import_staff,
            }[Kind(job.kind)]
            outcomes.extend(writer(directory, job, facts, good))
    return sorted(outcomes, key=lambda o: o.line)


def _create_people(
    directory: Provisioning, job: ImportJob, lines: list[Line], profile: str
) -> dict[int, Person]:
    """New accounts and persons for `lines` (keyed by line number), with their membership of the school (the
    provisioning traces who created them). Activation codes come with the letters printed from the console."""
    if not lines:
        return {}
    bases = {base_username(line.values["first_name"], line.values["last_name"]) for line in lines}
    taken = set(
        User.objects.filter(reduce(or_, (Q(username__startswith=b) for b in bases))).values_list(
            "username", flat=True
        )
    )
    people = directory.create_people(
        [
            bulk.ImportedPerson(
                first_name=line.values["first_name"],
                last_name=line.values["last_name"],
                jointure="",
                birth_date=line.birth_date,
                email=line.values.get("email", ""),
            )
            for line in lines
        ],
        taken,
        make_password(None),
        BATCH,
    )
    directory.add_memberships(
        NewMembership(person.pk, job.school.pk, profile or line.profile, line.functions)
        for line, person in zip(lines, people, strict=True)
    )
    return {line.line: person for line, person in zip(lines, people, strict=True)}


def _logins(user_ids: set[int]) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username")) if user_ids else {}


def _set_missing_emails(
    directory: Provisioning, job: ImportJob, matches: dict[int, Known], lines: list[Line], changed: set[int]
) -> None:
    """An address from the file for accounts that have none; an address already there is never replaced
    (it may be the one the person chose to recover their password). Only on accounts the ADML may manage:
    an address is a way into an account (password reset), and an account with more rights than the ADML
    (another school's ADML who also teaches here) must not be handed one by a file."""
    wanted: dict[int, tuple[str, list[int]]] = {}
    for line in lines:
        known = matches.get(line.line)
        email = line.values.get("email", "")
        if known is not None and email and not known.email:
            wanted.setdefault(known.user_id, (email, []))[1].append(line.line)
    if not wanted:
        return
    users = list(User.objects.filter(pk__in=wanted, email=""))
    allowed = manageable_accounts(job.created_by, users) if job.created_by is not None else []
    for user in allowed:
        user.email = wanted[user.pk][0]
        changed.update(wanted[user.pk][1])
    directory.set_emails(allowed)


def _refuse_address_changes(
    job: ImportJob, matches: dict[int, Known], lines: list[Line]
) -> tuple[list[Line], list[Outcome]]:
    """Lines that would give an address to an account the importer may not manage are rejected, with the
    schools that stand in the way, and take no part in the rest of the import (console.access: an account
    that also reaches another school is managed from neither school's console alone). Returns the lines
    kept; the rejected ones are taken out of `matches`."""
    wanting = {
        line.line: matches[line.line]
        for line in lines
        if line.line in matches and line.values.get("email") and not matches[line.line].email
    }
    if not wanting:
        return lines, []
    users = list(User.objects.filter(pk__in={known.user_id for known in wanting.values()}))
    allowed = {u.pk for u in manageable_accounts(job.created_by, users)} if job.created_by else set()
    refused = {number for number, known in wanting.items() if known.user_id not in allowed}
    if not refused:
        return lines, []
    administered = (
        policy.viewer_for(job.created_by).schools_with_function(Function.ADML) if job.created_by else set()
    )
    reached = schools_of_accounts([u for u in users if u.pk not in allowed])
    names = dict(School.objects.filter(pk__in=set().union(*reached.values())).values_list("pk", "name"))
    outcomes = []
    for line in lines:
        if line.line not in refused:
            continue
        others = sorted(names[pk] for pk in reached.get(matches[line.line].user_id, set()) - administered)
        outcomes.append(
            Outcome(
                line.line,
                line.name,
                REJECTED,
                _(
                    "adresse électronique non enregistrée : cette personne est rattachée aussi à "
                    "%(schools)s, seul l’administrateur de la plateforme ou un administrateur ENT de tous "
                    "ses établissements peut la changer"
                )
                % {"schools": ", ".join(others) or _("un autre établissement")},
            )
        )
        del matches[line.line]
    return [line for line in lines if line.line not in refused], outcomes


def _reactivate(directory: Provisioning, matches: dict[int, Known], changed: set[int]) -> None:
    returning = {k.person_id for k in matches.values() if k.left}
    if returning:
        directory.reactivate(returning)
        changed.update(line for line, k in matches.items() if k.left)


def _outcomes(
    lines: list[Line],
    created: dict[int, Person],
    matches: dict[int, Known],
    changed: set[int],
    details: dict[int, str],
) -> list[Outcome]:
    logins = _logins({k.user_id for k in matches.values()} | {p.user_id for p in created.values()})
    result = []
    for line in lines:
        if line.line in created:
            person = created[line.line]
            result.append(
                Outcome(line.line, line.name, CREATED, details.get(line.line, ""), logins[person.user_id])
            )
        else:
            known = matches[line.line]
            outcome = UPDATED if line.line in changed else UNCHANGED
            result.append(
                Outcome(
                    line.line, line.name, outcome, details.get(line.line, ""), logins.get(known.user_id, "")
                )
            )
    return result


def _match(
    lines: list[Line], known: dict, ambiguous: str
) -> tuple[dict[int, Known], list[Line], list[Outcome]]:
    """Each line against the people the school already has: the one it names (line number -> person), a new
    person, or a rejection with `ambiguous` when several people fit."""
    matches: dict[int, Known] = {}
    new: list[Line] = []
    rejected: list[Outcome] = []
    for line in lines:
        found = known.get(line.identity, [])
        if len({k.person_id for k in found}) > 1:
            rejected.append(Outcome(line.line, line.name, REJECTED, ambiguous))
        elif found:
            matches[line.line] = found[0]
        else:
            new.append(line)
    return matches, new, rejected


def _import_pupils(
    directory: Provisioning, job: ImportJob, facts: SchoolFacts, lines: list[Line]
) -> list[Outcome]:
    matches, new, rejected = _match(
        lines,
        _known_pupils(job.school, lines),
        _("plusieurs élèves de l’établissement ont ce nom et cette date de naissance"),
    )
    lines, refused = _refuse_address_changes(job, matches, lines)
    rejected += refused
    changed: set[int] = set()
    details: dict[int, str] = {}
    created = _create_people(directory, job, new, Profile.STUDENT)
    _reactivate(directory, matches, changed)
    _set_missing_emails(directory, job, matches, lines, changed)
    # This year's class: enrolled in the file's class, and out of another class of the school this year.
    person_of_line = {
        line.line: (created[line.line].pk if line.line in created else matches[line.line].person_id)
        for line in lines
        if line.line in created or line.line in matches
    }
    current: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, student_id, group_id, group_name in Enrolment.objects.filter(
        student_id__in=[pid for line, pid in person_of_line.items() if line in matches],
        group__school=job.school,
        group__year=facts.year,
        group__kind=GroupKind.CLASS,
    ).values_list("pk", "student_id", "group_id", "group__name"):
        current[student_id].append((pk, group_id, group_name))
    to_enrol: list[tuple[int, int]] = []
    stale: list[int] = []
    for line in lines:
        person_id = person_of_line.get(line.line)
        if person_id is None or line.group is None:
            continue
        enrolments = current.get(person_id, [])
        if not any(group_id == line.group.pk for _pk, group_id, _name in enrolments):
            to_enrol.append((person_id, line.group.pk))
            if line.line in matches:
                changed.add(line.line)
                moved_from = [name for _pk, group_id, name in enrolments if group_id != line.group.pk]
                details[line.line] = (
                    _("changement de classe : %(old)s → %(new)s")
                    % {"old": ", ".join(moved_from), "new": line.group.name}
                    if moved_from
                    else _("inscrit(e) en %(new)s") % {"new": line.group.name}
                )
        stale.extend(pk for pk, group_id, _name in enrolments if group_id != line.group.pk)
    directory.enrol(to_enrol)
    directory.unenrol(stale)
    return rejected + _outcomes(
        [line for line in lines if line.line in person_of_line], created, matches, changed, details
    )


def _import_staff(
    directory: Provisioning, job: ImportJob, facts: SchoolFacts, lines: list[Line]
) -> list[Outcome]:
    matches, new, rejected = _match(
        lines,
        _known_staff(job.school),
        _("plusieurs personnels de l’établissement portent ce nom : modifiez-les depuis la console"),
    )
    lines, refused = _refuse_address_changes(job, matches, lines)
    rejected += refused
    changed: set[int] = set()
    details: dict[int, str] = {}
    created = _create_people(directory, job, new, "")  # each line gives its own profile
    _reactivate(directory, matches, changed)
    _set_missing_emails(directory, job, matches, lines, changed)
    # Functions are only added: a file never takes away a function (nor locks an ADML out of their console).
    memberships = {
        (m.person_id, m.profile): m
        for m in Membership.objects.filter(
            school=job.school, person_id__in=[k.person_id for k in matches.values()]
        )
    }
    to_create: list[Membership] = []
    to_update: list[Membership] = []
    for line in lines:
        if line.line in created:
            continue
        if line.line not in matches:
            continue
        person_id = matches[line.line].person_id
        membership = memberships.get((person_id, line.profile))
        if membership is None:
            membership = Membership(
                person_id=person_id, school=job.school, profile=line.profile, functions=line.functions
            )
            memberships[(person_id, line.profile)] = membership
            to_create.append(membership)
            changed.add(line.line)
            details[line.line] = _("nouveau profil : %(profile)s") % {"profile": Profile(line.profile).label}
        elif not set(line.functions) <= set(membership.functions):
            membership.functions = sorted(set(membership.functions) | set(line.functions))
            if membership.pk is not None:  # else created below, with them
                to_update.append(membership)
            changed.add(line.line)
            details[line.line] = _("fonctions ajoutées")
    directory.add_memberships(
        NewMembership(m.person_id, job.school.pk, m.profile, m.functions) for m in to_create
    )
    directory.set_functions((m.pk, m.functions) for m in dict.fromkeys(to_update))
    kept = [line for line in lines if line.line in created or line.line in matches]
    return rejected + _outcomes(kept, created, matches, changed, details)


def _import_guardians(
    directory: Provisioning, job: ImportJob, facts: SchoolFacts, lines: list[Line]
) -> list[Outcome]:
    by_pupil, by_email = _known_guardians(job.school, lines)
    # One person per guardian of the file: the first of their rows decides whether they exist already.
    person_of_key: dict[tuple, Known | None] = {}
    for line in lines:
        key = _guardian_key(line)
        match = _match_guardian(line, by_pupil, by_email)
        if person_of_key.get(key) is None:
            person_of_key[key] = match
    matches: dict[int, Known] = {}
    first_rows: dict[tuple, Line] = {}
    for line in lines:
        key = _guardian_key(line)
        if person_of_key[key] is not None:
            matches[line.line] = person_of_key[key]  # type: ignore[assignment]
        else:
            first_rows.setdefault(key, line)
    lines, rejected = _refuse_address_changes(job, matches, lines)
    changed: set[int] = set()
    details: dict[int, str] = {}
    new_lines = list(first_rows.values())
    created_first = _create_people(directory, job, new_lines, Profile.RELATIVE)
    created: dict[int, Person] = {}
    for line in lines:
        key = _guardian_key(line)
        if key in first_rows:
            person = created_first[first_rows[key].line]
            if line.line == first_rows[key].line:
                created[line.line] = person
            else:
                # A later row of a guardian created by this batch: one more child for the same person.
                matches[line.line] = Known(person.pk, person.user_id, person.user.email, False)
    _reactivate(directory, matches, changed)
    _set_missing_emails(directory, job, matches, lines, changed)
    person_ids = {k.person_id for k in matches.values()} | {p.pk for p in created.values()}
    memberships = set(
        Membership.objects.filter(
            school=job.school, profile=Profile.RELATIVE, person_id__in=person_ids
        ).values_list("person_id", flat=True)
    ) | {p.pk for p in created.values()}
    existing = set(
        Guardianship.objects.filter(
            relative_id__in=person_ids, student_id__in={line.pupil_id for line in lines}
        ).values_list("relative_id", "student_id")
    )
    new_memberships: dict[int, NewMembership] = {}
    new_links: list[NewGuardianship] = []
    for line in lines:
        person_id = created[line.line].pk if line.line in created else matches[line.line].person_id
        pupil_id = line.pupil_id
        assert pupil_id is not None  # a guardian's line without its pupil is rejected when read
        if person_id not in memberships and person_id not in new_memberships:
            new_memberships[person_id] = NewMembership(person_id, job.school.pk, Profile.RELATIVE)
            changed.add(line.line)
        if (person_id, pupil_id) not in existing:
            link = NewGuardianship(
                person_id,
                pupil_id,
                relationship=line.values.get("relationship", "")[:40],
                legal_guardian=True,
            )
            existing.add((person_id, pupil_id))
            new_links.append(link)
            if line.line not in created:
                changed.add(line.line)
                details[line.line] = _("nouvel enfant : %(name)s") % {
                    "name": f"{line.values['pupil_first_name']} {line.values['pupil_last_name']}"
                }
    directory.add_memberships(new_memberships.values())
    directory.link_guardians(new_links)
    return rejected + _outcomes(lines, created, matches, changed, details)
