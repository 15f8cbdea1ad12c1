"""Importing an ONDE / BE1D extraction (primary school) into the directory.

The files carry no identifiers, so people are keyed on what they say about themselves, stored in
`Person.aaf_jointure` so that a second import of the same files finds everyone again and writes nothing:

- pupils: school + family name + first name + birth date;
- teachers: school + family name + first name;
- guardians: school + family name + first name + postal address (street and postcode) when the row has one,
  else the email address when it has one, else the name alone. Two parents at the same address keep apart
  by their first names; a guardian listed on two rows (more than three children) is one person. Namesakes
  with neither address nor email are taken for one person: the extraction gives nothing to tell them apart.

Names are compared folded (no accents, upper case, single spaces): "Eléa" in one file is "ELEA" in another.
Lookups and writes go in batches, never one query per row.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cartable.accounts.models import User
from cartable.directory import bulk
from cartable.directory.bulk import NewGuardianship, NewMembership, Provisioning
from cartable.directory.models import (
    Enrolment,
    Function,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    SchoolKind,
    SchoolYear,
    TeachingAssignment,
)
from cartable.feeds import history, onde
from cartable.feeds.models import ConsentSource, FeedImport, ImageRightsConsent
from cartable.feeds.report import ImportReport, ProgressBar

BATCH = 500
KEY_MAX = 64  # Person.aaf_jointure
UAI_PATTERN = re.compile(r"^\d{7}[A-Z]$")


class OndeImportError(Exception):
    """The import cannot start (bad UAI, no current school year, no file to read)."""


def person_key(uai: str, *parts: str, tail: str = "") -> str:
    readable = ":".join(["onde", uai, *(onde.fold(p) for p in parts)]) + (f":{tail}" if tail else "")
    if len(readable) <= KEY_MAX:
        return readable
    # Long names and addresses do not fit the column: a digest of the same text is just as stable.
    return f"onde:{uai}:#{hashlib.sha256(readable.encode()).hexdigest()[:40]}"


def pupil_key(uai: str, last_name: str, first_name: str, birth_date: date) -> str:
    return person_key(uai, last_name, first_name, tail=birth_date.isoformat())


def teacher_key(uai: str, last_name: str, first_name: str) -> str:
    return person_key(uai, "ens", last_name, first_name)


def guardian_key(uai: str, row: onde.GuardianRow) -> str:
    where = f"{row.address} {row.postcode}" if row.address else row.email.lower()
    return person_key(uai, "resp", row.last_name, row.first_name, where)


def _chunks[T](items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class PersonSpec:
    key: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    email: str = ""
    functions: list[str] | None = None  # None: leave the membership's functions alone


@dataclass
class _Context:
    directory: Provisioning  # every directory write goes through it (cartable.directory.bulk)
    school: School
    year: SchoolYear
    report: ImportReport
    password: str
    taken_usernames: set[str] | None = None
    groups: dict[str, Group] = field(default_factory=dict)
    # For the account lifecycle: the keys this extraction carries, and the profiles whose file it had.
    seen: set[str] = field(default_factory=set)
    profiles: set[str] = field(default_factory=set)

    def taken_logins(self) -> set[str]:
        """Every login in use, read once per import."""
        if self.taken_usernames is None:
            self.taken_usernames = set(User.objects.values_list("username", flat=True))
        return self.taken_usernames


def _upsert_people(
    ctx: _Context, specs: list[PersonSpec], profile: str
) -> tuple[dict[str, Person], set[str], set[str]]:
    """Persons (account, membership in the school) for the specs: (by key, created keys, updated keys)."""
    people: dict[str, Person] = {}
    for batch in _chunks([s.key for s in specs]):
        for person in Person.objects.filter(aaf_jointure__in=batch).select_related("user"):
            people.setdefault(person.aaf_jointure, person)
    ctx.seen.update(s.key for s in specs)
    ctx.profiles.add(profile)
    returning = [p.pk for p in people.values() if p.left_at is not None]
    if returning:
        # Back before the purge: the same account and data, updated below like everyone's.
        ctx.report.updated("reactivated", ctx.directory.reactivate(returning))
    created: set[str] = set()
    updated: set[str] = set()

    new_specs = [s for s in specs if s.key not in people]
    if new_specs:
        persons = ctx.directory.create_people(
            [
                bulk.ImportedPerson(
                    first_name=s.first_name,
                    last_name=s.last_name,
                    jointure=s.key,
                    birth_date=s.birth_date,
                    email=s.email,
                )
                for s in new_specs
            ],
            ctx.taken_logins(),
            ctx.password,
            BATCH,
        )
        for s, person in zip(new_specs, persons, strict=True):
            people[s.key] = person
            created.add(s.key)

    changed_people: list[Person] = []
    changed_users: list[User] = []
    for s in specs:
        if s.key in created:
            continue
        person = people[s.key]
        values = {"first_name": s.first_name, "last_name": s.last_name, "birth_date": s.birth_date}
        if any(getattr(person, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(person, name, value)
            changed_people.append(person)
            updated.add(s.key)
        if s.email and person.user.email != s.email:
            person.user.email = s.email
            changed_users.append(person.user)
            updated.add(s.key)
    ctx.directory.update_people(changed_people, ["first_name", "last_name", "birth_date"], batch_size=BATCH)
    ctx.directory.set_emails(changed_users, batch_size=BATCH)

    memberships: dict[int, Membership] = {}
    ids = [p.pk for p in people.values()]
    for id_batch in _chunks(ids):
        for m in Membership.objects.filter(school=ctx.school, profile=profile, person_id__in=id_batch):
            memberships[m.person_id] = m
    to_create: list[NewMembership] = []
    to_update: list[Membership] = []
    for s in specs:
        person = people[s.key]
        membership = memberships.get(person.pk)
        if membership is None:
            to_create.append(NewMembership(person.pk, ctx.school.pk, profile, s.functions or []))
            if s.key not in created:
                updated.add(s.key)
        elif s.functions is not None and sorted(membership.functions) != sorted(s.functions):
            membership.functions = s.functions
            to_update.append(membership)
            updated.add(s.key)
    ctx.directory.add_memberships(to_create)
    ctx.directory.set_functions(((m.pk, m.functions) for m in to_update), batch_size=BATCH)
    return people, created, updated - created


def _count(ctx: _Context, kind: str, keys: Iterable[str], created: set[str], updated: set[str]) -> None:
    for key in keys:
        if key in created:
            ctx.report.created(kind)
        elif key in updated:
            ctx.report.updated(kind)
        else:
            ctx.report.unchanged(kind)


def _ensure_groups(ctx: _Context, levels: dict[str, str]) -> None:
    """The classes named in the files, for the current year (level updated when the pupils file gives it)."""
    wanted = [name for name in levels if name not in ctx.groups]
    if not wanted:
        return
    relevelled = []
    for group in Group.objects.filter(school=ctx.school, year=ctx.year, name__in=wanted):
        ctx.groups[group.name] = group
        level = levels[group.name]
        if level and group.level != level:
            group.level = level
            relevelled.append(group)
            ctx.report.updated("class")
        else:
            ctx.report.unchanged("class")
    ctx.directory.update_groups(relevelled, ["level"])
    missing = [name for name in wanted if name not in ctx.groups]
    for group in ctx.directory.create_groups(
        [
            Group(school=ctx.school, year=ctx.year, name=name, kind=GroupKind.CLASS, level=levels[name])
            for name in missing
        ]
    ):
        ctx.groups[group.name] = group
        ctx.report.created("class")


def import_pupils(ctx: _Context, path: Path) -> None:
    specs: dict[str, PersonSpec] = {}
    classes: dict[str, str] = {}
    image_rights: dict[str, bool | None] = {}
    levels: dict[str, str] = {}
    for row in onde.read_pupils(path):
        record = f"ligne {row.line} : {row.first_name} {row.last_name}".strip()
        if not row.last_name or not row.first_name:
            ctx.report.reject("student", path.name, record, "nom ou prénom absent")
            continue
        if not row.class_name:
            ctx.report.reject("student", path.name, record, "classe absente")
            continue
        try:
            birth_date = onde.parse_date(row.birth_date_text)
        except ValueError:
            ctx.report.reject(
                "student", path.name, record, f"date de naissance invalide : « {row.birth_date_text} »"
            )
            continue
        key = pupil_key(ctx.school.uai, row.last_name, row.first_name, birth_date)
        if key in specs:
            ctx.report.reject(
                "student",
                path.name,
                record,
                "élève en double dans le fichier (même nom et date de naissance)",
            )
            continue
        specs[key] = PersonSpec(
            key=key, first_name=row.first_name, last_name=row.last_name, birth_date=birth_date
        )
        classes[key] = row.class_name
        image_rights[key] = row.image_rights
        levels[row.class_name] = levels.get(row.class_name) or row.level
    if not specs:
        return
    _ensure_groups(ctx, levels)
    people, created, updated = _upsert_people(ctx, list(specs.values()), Profile.STUDENT)
    ids = {key: people[key].pk for key in specs}

    # Enrolment in this year's class; a pupil who changed class leaves the old one.
    current: dict[int, list[Enrolment]] = defaultdict(list)
    for batch in _chunks(ids.values()):
        for enrolment in Enrolment.objects.filter(
            student_id__in=batch, group__school=ctx.school, group__year=ctx.year, group__kind=GroupKind.CLASS
        ):
            current[enrolment.student_id].append(enrolment)
    new_enrolments: list[tuple[int, int]] = []
    stale: list[int] = []
    for key, person_id in ids.items():
        group = ctx.groups[classes[key]]
        enrolments = current.get(person_id, [])
        if not any(e.group_id == group.pk for e in enrolments):
            new_enrolments.append((person_id, group.pk))
            updated.add(key)
        for e in enrolments:
            if e.group_id != group.pk:
                stale.append(e.pk)
                updated.add(key)
    ctx.directory.enrol(new_enrolments)
    ctx.directory.unenrol(stale)

    consents: dict[int, ImageRightsConsent] = {}
    for batch in _chunks(ids.values()):
        for known in ImageRightsConsent.objects.filter(person_id__in=batch):
            consents[known.person_id] = known
    new_consents: list[ImageRightsConsent] = []
    changed_consents: list[ImageRightsConsent] = []
    now = timezone.now()
    for key, person_id in ids.items():
        granted = image_rights[key]
        if granted is None:
            continue
        consent = consents.get(person_id)
        if consent is None:
            new_consents.append(ImageRightsConsent(person_id=person_id, granted=granted, recorded_at=now))
            updated.add(key)
        elif consent.source == ConsentSource.ONDE and consent.granted != granted:
            # A guardian's or the school's answer recorded in Cartable is newer than the extraction's.
            consent.granted = granted
            consent.recorded_at = now
            changed_consents.append(consent)
            updated.add(key)
    ImageRightsConsent.objects.bulk_create(new_consents, batch_size=BATCH)
    if changed_consents:
        ImageRightsConsent.objects.bulk_update(changed_consents, ["granted", "recorded_at"], batch_size=BATCH)

    _count(ctx, "student", specs, created, updated)


def import_teachers(ctx: _Context, path: Path) -> None:
    specs: dict[str, PersonSpec] = {}
    classes: dict[str, set[str]] = defaultdict(set)
    for row in onde.read_teachers(path):
        record = f"ligne {row.line} : {row.first_name} {row.last_name}".strip()
        last_name = row.last_name or row.usage_name
        if not last_name or not row.first_name:
            ctx.report.reject("teacher", path.name, record, "nom ou prénom absent")
            continue
        key = teacher_key(ctx.school.uai, last_name, row.first_name)
        functions = [Function.DIRECTION.value] if row.director else []
        spec = specs.get(key)
        if spec is None:
            specs[key] = PersonSpec(
                key=key, first_name=row.first_name, last_name=last_name, email=row.email, functions=functions
            )
        elif functions:
            # The same teacher on two rows (two classes): director if either row says so.
            spec.functions = functions
        if row.class_name:
            classes[key].add(row.class_name)
    if not specs:
        return
    _ensure_groups(ctx, {name: "" for names in classes.values() for name in names})
    people, created, updated = _upsert_people(ctx, list(specs.values()), Profile.TEACHER)
    ids = [people[key].pk for key in specs]
    existing: set[tuple[int, int]] = set()
    for batch in _chunks(ids):
        existing.update(
            TeachingAssignment.objects.filter(
                teacher_id__in=batch, group__school=ctx.school, group__year=ctx.year, subject=None
            ).values_list("teacher_id", "group_id")
        )
    new_assignments: list[tuple[int, int, int | None]] = []
    for key in specs:
        person_id = people[key].pk
        for name in sorted(classes.get(key, ())):
            group = ctx.groups[name]
            if (person_id, group.pk) not in existing:
                new_assignments.append((person_id, group.pk, None))
                updated.add(key)
    ctx.directory.assign_teaching(new_assignments)
    _count(ctx, "teacher", specs, created, updated - created)


def _pupil_index(ctx: _Context) -> dict[tuple[str, str, str], list[tuple[int, date | None]]]:
    """This year's pupils of the school by (folded last name, folded first name, folded class)."""
    index: dict[tuple[str, str, str], list[tuple[int, date | None]]] = defaultdict(list)
    rows = Enrolment.objects.filter(
        group__school=ctx.school, group__year=ctx.year, group__kind=GroupKind.CLASS
    ).values_list(
        "student_id", "student__last_name", "student__first_name", "student__birth_date", "group__name"
    )
    for student_id, last_name, first_name, birth_date, class_name in rows:
        index[(onde.fold(last_name), onde.fold(first_name), onde.fold(class_name))].append(
            (student_id, birth_date)
        )
    return index


def _match_child(
    index: dict[tuple[str, str, str], list[tuple[int, date | None]]], child: onde.ChildRef
) -> tuple[int | None, str]:
    """The pupil a child block names (id, "") or (None, why not)."""
    candidates: list[tuple[int, date | None]] = []
    for last_name in dict.fromkeys(n for n in (child.last_name, child.usage_name) if n):
        candidates = index.get(
            (onde.fold(last_name), onde.fold(child.first_name), onde.fold(child.class_name)), []
        )
        if candidates:
            break
    if child.birth_date_text:
        try:
            born = onde.parse_date(child.birth_date_text)
        except ValueError:
            return None, f"date de naissance invalide : « {child.birth_date_text} »"
        candidates = [c for c in candidates if c[1] == born]
    if not candidates:
        return None, f"aucun élève de la classe « {child.class_name} » ne porte ce nom"
    if len({c[0] for c in candidates}) > 1:
        return None, "plusieurs élèves de la classe portent ce nom"
    return candidates[0][0], ""


def import_guardians(ctx: _Context, path: Path) -> None:
    specs: dict[str, PersonSpec] = {}
    # (student id) → (legal guardian, relationship), per guardian key
    links: dict[str, dict[int, tuple[bool, str]]] = defaultdict(dict)
    index = _pupil_index(ctx)
    for row in onde.read_guardians(path):
        record = f"ligne {row.line} : {row.first_name} {row.last_name}".strip()
        last_name = row.last_name or row.usage_name
        if not last_name or not row.first_name:
            ctx.report.reject("relative", path.name, record, "nom ou prénom absent")
            continue
        key = guardian_key(ctx.school.uai, row)
        specs.setdefault(
            key, PersonSpec(key=key, first_name=row.first_name, last_name=last_name, email=row.email)
        )
        # BE1D lists the school's "responsables": legal guardians unless a column says otherwise.
        legal = row.legal_guardian if row.legal_guardian is not None else True
        for child in row.children:
            student_id, reason = _match_child(index, child)
            if student_id is None:
                child_name = f"{child.first_name} {child.last_name or child.usage_name}".strip()
                ctx.report.reject("guardianship", path.name, f"{record} → enfant {child_name}", reason)
                continue
            links[key][student_id] = (legal, row.relationship)
    if not specs:
        return
    people, created, updated = _upsert_people(ctx, list(specs.values()), Profile.RELATIVE)
    existing: dict[tuple[int, int], Guardianship] = {}
    for batch in _chunks([people[key].pk for key in specs]):
        for link in Guardianship.objects.filter(relative_id__in=batch):
            existing[(link.relative_id, link.student_id)] = link
    new_links: list[NewGuardianship] = []
    changed_links: list[Guardianship] = []
    for key in specs:
        relative_id = people[key].pk
        for student_id, (legal, relationship) in links.get(key, {}).items():
            g = existing.get((relative_id, student_id))
            if g is None:
                new_links.append(
                    NewGuardianship(relative_id, student_id, relationship=relationship, legal_guardian=legal)
                )
                ctx.report.created("guardianship")
            elif g.legal_guardian != legal or (relationship and g.relationship != relationship):
                g.legal_guardian = legal
                g.relationship = relationship or g.relationship
                changed_links.append(g)
                ctx.report.updated("guardianship")
            else:
                ctx.report.unchanged("guardianship")
    ctx.directory.link_guardians(new_links)
    ctx.directory.update_guardianships(changed_links, ["legal_guardian", "relationship"], batch_size=BATCH)
    _count(ctx, "relative", specs, created, updated)


def deactivate_missing(ctx: _Context) -> None:
    """People of the school's earlier extractions who are no longer in this one have left.

    Only this school's ONDE keys count, and only for the files the extraction had (no guardians file:
    no guardian leaves). A profile with rejected rows keeps everyone: a row that could not be read is
    not a person who left.
    """
    kinds: dict[str, str] = {
        Profile.STUDENT: "student",
        Profile.TEACHER: "teacher",
        Profile.RELATIVE: "relative",
    }
    profiles = set()
    for profile in ctx.profiles:
        kind = kinds.get(profile, "")
        counts = ctx.report.counts.get(kind)
        if counts is not None and counts.rejected:
            ctx.report.reject(
                "deactivated", "", kind, "lignes rejetées : aucun départ enregistré pour ce profil"
            )
        else:
            profiles.add(profile)
    if not profiles:
        return
    candidates = (
        Person.objects.filter(
            left_at__isnull=True,
            aaf_jointure__startswith=f"onde:{ctx.school.uai}:",
            memberships__school=ctx.school,
            memberships__profile__in=profiles,
        )
        .values_list("pk", "aaf_jointure")
        .distinct()
    )
    gone = [pk for pk, key in candidates.iterator() if key not in ctx.seen]
    for batch in _chunks(gone):
        ctx.report.updated("deactivated", ctx.directory.deactivate(batch, timezone.now()))


def _school(directory: Provisioning, uai: str, name: str | None, report: ImportReport) -> School:
    school = School.objects.filter(uai=uai).first()
    if school is None:
        school = directory.create_school(uai=uai, name=name or f"École {uai}", kind=SchoolKind.PRIMARY)
        report.created("school")
    elif name and school.name != name:
        school.name = name
        directory.update_school(school, ["name"])
        report.updated("school")
    else:
        report.unchanged("school")
    return school


def _records(report: ImportReport) -> int:
    people = ("student", "teacher", "relative")
    return sum(
        c.created + c.updated + c.unchanged + c.rejected for k, c in report.counts.items() if k in people
    )


def import_onde(
    directory: Path,
    uai: str,
    *,
    name: str | None = None,
    dry_run: bool = False,
    progress: ProgressBar | None = None,
) -> ImportReport:
    """Import the pupils, teachers and guardians files found in `directory` into the school `uai`.

    The school is created (primary) when it does not exist yet: the extraction does not name its UAI.
    Everything happens in one transaction; a dry run rolls it back and reports what would have changed.
    """
    uai = uai.strip().upper()
    if not UAI_PATTERN.match(uai):
        raise OndeImportError(f"UAI invalide : « {uai} » (7 chiffres suivis d'une lettre)")
    if not directory.is_dir():
        raise OndeImportError(f"dossier introuvable : {directory}")
    files = {
        kind: onde.find_file(directory, kind)
        for kind in (onde.PUPILS_FILE, onde.TEACHERS_FILE, onde.GUARDIANS_FILE)
    }
    if not any(files.values()):
        raise OndeImportError(
            f"aucun fichier d'extraction ONDE (élèves, enseignants, responsables) dans {directory}"
        )
    year = SchoolYear.objects.filter(is_current=True).first()
    if year is None:
        raise OndeImportError("aucune année scolaire en cours : créez-la avant d'importer")

    report = ImportReport()
    try:
        # One transaction; the directory version is bumped once at its end when anything was written.
        with bulk.provisioning() as writes:
            ctx = _Context(
                directory=writes,
                school=_school(writes, uai, name, report),
                year=year,
                report=report,
                password=make_password(None),
            )
            writes.concerns_schools([ctx.school.pk])
            ctx.groups = {g.name: g for g in Group.objects.filter(school=ctx.school, year=year)}
            # Pupils first: teachers' classes and guardians' children are found among them.
            steps = [
                (step, path)
                for step, kind in (
                    (import_pupils, onde.PUPILS_FILE),
                    (import_teachers, onde.TEACHERS_FILE),
                    (import_guardians, onde.GUARDIANS_FILE),
                )
                if (path := files[kind])
            ]
            if progress is not None:
                progress.start(sum(path.stat().st_size for _step, path in steps))
            done = 0
            for step, path in steps:
                step(ctx, path)
                done += path.stat().st_size
                if progress is not None:
                    progress.update(done, _records(report), force=True)
            if progress is not None:
                progress.finish(_records(report))
            if not dry_run:
                deactivate_missing(ctx)
            if dry_run:
                transaction.set_rollback(True)
            elif report.writes:
                # An AAF feed imported again after this is read again, not recognised by its fingerprint.
                paths = [path for _step, path in steps]
                history.record_import(FeedImport.Source.ONDE, history.feed_digest(paths), len(paths), report)
    except onde.OndeFormatError as error:
        raise OndeImportError(str(error)) from error
    return report
