"""The generic spreadsheet import of the admin console: pupils, guardians or staff of one school.

The file carries no identifiers, so people are found again by what the file says about them, in the school:

- a pupil: family name + first name + birth date, among the school's pupils;
- a guardian: family name + first name among the guardians of the pupil the row names (family name,
  first name and class), else among the school's relatives with the same email address; rows naming the
  same guardian (same names and email) are one person with several children;
- a staff member: family name + first name among the school's teachers and personnel.

Names are compared folded (no accents, case or extra spaces), as the ONDE import does. Importing the same file
twice creates nobody the second time. The file is checked as a whole first (missing values, bad dates, unknown
classes, lines in double), then written batch by batch, each batch in one transaction with a constant number
of queries: a long import shows its progress, and stopping half-way loses nothing, since running it again
finds what the first run wrote.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.access import policy
from cartable.accounts.models import User
from cartable.accounts.usernames import base_username
from cartable.console.access import manageable_accounts, schools_of_accounts
from cartable.console.models import AdminAction
from cartable.directory import actions as directory
from cartable.directory import versions
from cartable.directory.models import (
    STAFF_PROFILES,
    Enrolment,
    Function,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    SchoolYear,
)
from cartable.feeds.models import ImportJob
from cartable.feeds.onde import fold
from cartable.feeds.tabular import Row, Table

Kind = ImportJob.Kind
BATCH = 200
PREVIEW_ROWS = 20


# --- What a file may describe, and how its columns are recognised ---------------------------------------


@dataclass(frozen=True)
class Field:
    code: str
    label: str | Promise
    required: bool
    # Headers that name this field, compared normalised (see normalize_header).
    aliases: tuple[str, ...]
    help: str | Promise = ""


LAST_NAME = ("nom", "nom de famille", "nom d usage", "nom patronymique", "last name", "lastname", "surname")
FIRST_NAME = ("prenom", "prenom usuel", "first name", "firstname", "given name")
EMAIL = ("email", "e mail", "mail", "courriel", "adresse electronique", "adresse mail", "email address")

FIELDS: dict[str, tuple[Field, ...]] = {
    Kind.PUPILS: (
        Field(
            "last_name",
            gettext_lazy("Nom"),
            True,
            (*LAST_NAME, "nom eleve", "nom de l eleve", "student last name"),
        ),
        Field(
            "first_name",
            gettext_lazy("Prénom"),
            True,
            (*FIRST_NAME, "prenom eleve", "prenom de l eleve", "student first name"),
        ),
        Field(
            "birth_date",
            gettext_lazy("Date de naissance"),
            True,
            (
                "date de naissance",
                "date naissance",
                "naissance",
                "ne le",
                "nee le",
                "ne e le",
                "birth date",
                "birthdate",
                "date of birth",
                "dob",
            ),
            gettext_lazy("Par exemple 14/03/2015 ou 2015-03-14."),
        ),
        Field(
            "class_name",
            gettext_lazy("Classe"),
            True,
            ("classe", "division", "class", "form", "classe eleve"),
        ),
        Field("email", gettext_lazy("Adresse électronique"), False, EMAIL),
    ),
    Kind.GUARDIANS: (
        Field(
            "last_name",
            gettext_lazy("Nom du responsable"),
            True,
            (
                *LAST_NAME,
                "nom responsable",
                "nom du responsable",
                "nom representant",
                "nom parent",
                "guardian last name",
                "parent last name",
            ),
        ),
        Field(
            "first_name",
            gettext_lazy("Prénom du responsable"),
            True,
            (
                *FIRST_NAME,
                "prenom responsable",
                "prenom du responsable",
                "prenom representant",
                "prenom parent",
                "guardian first name",
                "parent first name",
            ),
        ),
        Field(
            "email",
            gettext_lazy("Adresse électronique"),
            False,
            (*EMAIL, "courriel responsable", "email responsable"),
        ),
        Field(
            "relationship",
            gettext_lazy("Lien avec l’élève"),
            False,
            ("lien", "lien de parente", "lien avec l eleve", "qualite", "relation", "relationship"),
            gettext_lazy("Mère, père, tuteur… (facultatif)."),
        ),
        Field(
            "pupil_last_name",
            gettext_lazy("Nom de l’élève"),
            True,
            (
                "nom eleve",
                "nom de l eleve",
                "nom enfant",
                "nom de l enfant",
                "student last name",
                "pupil last name",
                "child last name",
            ),
        ),
        Field(
            "pupil_first_name",
            gettext_lazy("Prénom de l’élève"),
            True,
            (
                "prenom eleve",
                "prenom de l eleve",
                "prenom enfant",
                "prenom de l enfant",
                "student first name",
                "pupil first name",
                "child first name",
            ),
        ),
        Field(
            "pupil_class",
            gettext_lazy("Classe de l’élève"),
            True,
            (
                "classe",
                "classe eleve",
                "classe de l eleve",
                "classe enfant",
                "division",
                "class",
                "student class",
            ),
        ),
    ),
    Kind.STAFF: (
        Field("last_name", gettext_lazy("Nom"), True, LAST_NAME),
        Field("first_name", gettext_lazy("Prénom"), True, FIRST_NAME),
        Field(
            "profile",
            gettext_lazy("Profil ou fonction"),
            True,
            ("profil", "profile", "statut", "type", "role", "fonction", "function", "poste", "job title"),
            gettext_lazy(
                "Enseignant, personnel, ou une fonction : direction, CPE, documentaliste, secrétariat…"
            ),
        ),
        Field(
            "functions",
            gettext_lazy("Fonctions"),
            False,
            ("fonctions", "functions", "fonctions ent", "missions"),
            gettext_lazy("Facultatif ; plusieurs fonctions séparées par des virgules."),
        ),
        Field("email", gettext_lazy("Adresse électronique"), False, EMAIL),
    ),
}


def fields_of(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def normalize_header(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text).lower()).split())


def guess_mapping(kind: str, headers: tuple[str, ...] | list[str]) -> dict[str, int]:
    """{field code: column index} from the headers: an exact name first, then the header that contains the
    longest name of the field ("Nom de famille de l'élève" is the pupil's name, not the guardian's)."""
    normalized = [normalize_header(h) for h in headers]
    candidates: list[tuple[int, int, int, str]] = []  # (-score, field position, column, field)
    for position, f in enumerate(fields_of(kind)):
        for column, header in enumerate(normalized):
            words = set(header.split())
            best = 0
            for alias in f.aliases:
                if header == alias:
                    best = max(best, 1000 + len(alias))
                elif alias and set(alias.split()) <= words:
                    best = max(best, len(alias))
            if best:
                candidates.append((-best, position, column, f.code))
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for _score, _position, column, code in sorted(candidates):
        if code not in mapping and column not in used:
            mapping[code] = column
            used.add(column)
    return mapping


# --- Reading one line ---------------------------------------------------------------------------------

PROFILE_WORDS: dict[str, tuple[str, str | None]] = {}
for _words, _meaning in (
    (
        (
            "enseignant",
            "enseignante",
            "professeur",
            "professeure",
            "prof",
            "ens",
            "teacher",
            "professeur des ecoles",
            "pe",
            "instituteur",
            "institutrice",
        ),
        (Profile.TEACHER, None),
    ),
    (
        (
            "personnel",
            "personnels",
            "staff",
            "administratif",
            "administrative staff",
            "agent",
            "aed",
            "assistant d education",
            "assistante d education",
            "surveillant",
            "surveillante",
        ),
        (Profile.PERSONNEL, None),
    ),
    (
        (
            "direction",
            "principal",
            "principale",
            "principal adjoint",
            "principale adjointe",
            "proviseur",
            "proviseure",
            "proviseur adjoint",
            "directeur",
            "directrice",
            "chef d etablissement",
            "head teacher",
            "headteacher",
        ),
        (Profile.PERSONNEL, Function.DIRECTION),
    ),
    (
        ("cpe", "vie scolaire", "conseiller principal d education", "conseillere principale d education"),
        (Profile.PERSONNEL, Function.VIE_SCOLAIRE),
    ),
    (
        ("documentaliste", "professeur documentaliste", "librarian"),
        (Profile.PERSONNEL, Function.DOCUMENTALIST),
    ),
    (
        ("secretariat", "secretaire", "gestionnaire", "administration", "secretary"),
        (Profile.PERSONNEL, Function.ADMINISTRATIVE),
    ),
    (("adml", "administrateur ent", "administratrice ent"), (Profile.PERSONNEL, Function.ADML)),
):
    for _word in _words:
        PROFILE_WORDS[_word] = _meaning
for _code, _label in Function.choices:
    PROFILE_WORDS.setdefault(normalize_header(str(_label)), (Profile.PERSONNEL, _code))
    PROFILE_WORDS.setdefault(normalize_header(_code), (Profile.PERSONNEL, _code))


def parse_date(text: str) -> date:
    """14/03/2015, 14-03-2015, 14.03.2015 or 2015-03-14; ValueError otherwise (two-digit years too)."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if parsed.year >= 1900 and parsed <= timezone.localdate():
            return parsed
        raise ValueError(text)
    raise ValueError(text)


def class_key(name: str) -> str:
    """ "6ème A", "6EME-A" and "6ème a" are one class; "6A" stays apart from "6ème A"."""
    return fold(name).replace(" ", "")


@dataclass
class Line:
    """One data row of the file, read with the mapping and checked."""

    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    birth_date: date | None = None
    group: Group | None = None
    profile: str = ""
    functions: list[str] = field(default_factory=list)
    pupil_id: int | None = None  # guardians: the pupil the row names
    identity: tuple = ()  # who the row is about, to find lines in double

    @property
    def name(self) -> str:
        return f"{self.values.get('first_name', '')} {self.values.get('last_name', '')}".strip()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class SchoolFacts:
    """What checking a file needs to know of the school, read once (a few queries, whatever the file)."""

    school: School
    year: SchoolYear | None
    classes: dict[str, Group]
    # guardians only: this year's pupils by (folded last name, folded first name, class key)
    pupils: dict[tuple[str, str, str], list[int]] = field(default_factory=lambda: defaultdict(list))


def school_facts(school: School, kind: str) -> SchoolFacts:
    year = SchoolYear.objects.filter(is_current=True).first()
    classes = (
        {class_key(g.name): g for g in Group.objects.filter(school=school, year=year, kind=GroupKind.CLASS)}
        if year is not None
        else {}
    )
    facts = SchoolFacts(school=school, year=year, classes=classes)
    if kind == Kind.GUARDIANS and year is not None:
        rows = Enrolment.objects.filter(
            group__school=school, group__year=year, group__kind=GroupKind.CLASS, student__left_at__isnull=True
        ).values_list("student_id", "student__last_name", "student__first_name", "group__name")
        for student_id, last_name, first_name, class_name in rows:
            facts.pupils[(fold(last_name), fold(first_name), class_key(class_name))].append(student_id)
    return facts


def read_line(kind: str, row: Row, mapping: dict[str, int], facts: SchoolFacts) -> Line:
    values = {f.code: row.cell(mapping.get(f.code)) for f in fields_of(kind)}
    line = Line(line=row.line, values=values)
    for f in fields_of(kind):
        if f.required and not values[f.code]:
            line.errors.append(_("%(field)s absent") % {"field": f.label})
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            line.errors.append(
                _("adresse électronique invalide : « %(value)s »") % {"value": values["email"]}
            )
    if len(values["last_name"]) > 120 or len(values["first_name"]) > 120:
        line.errors.append(_("nom ou prénom trop long (120 caractères au plus)"))
    if kind == Kind.PUPILS:
        _read_pupil(line, facts)
    elif kind == Kind.GUARDIANS:
        _read_guardian(line, facts)
    else:
        _read_staff(line)
    return line


def _find_class(line: Line, name: str, facts: SchoolFacts) -> Group | None:
    if not name:
        return None
    group = facts.classes.get(class_key(name))
    if group is None:
        line.errors.append(
            _("classe inconnue : « %(name)s » (aucune classe de ce nom cette année)") % {"name": name}
        )
    return group


def _read_pupil(line: Line, facts: SchoolFacts) -> None:
    text = line.values["birth_date"]
    if text:
        try:
            line.birth_date = parse_date(text)
        except ValueError:
            line.errors.append(_("date de naissance invalide : « %(value)s »") % {"value": text})
    line.group = _find_class(line, line.values["class_name"], facts)
    line.identity = (fold(line.values["last_name"]), fold(line.values["first_name"]), line.birth_date)


def _read_guardian(line: Line, facts: SchoolFacts) -> None:
    v = line.values
    if v["pupil_last_name"] and v["pupil_first_name"] and v["pupil_class"]:
        group = _find_class(line, v["pupil_class"], facts)
        if group is not None:
            found = facts.pupils.get(
                (fold(v["pupil_last_name"]), fold(v["pupil_first_name"]), class_key(group.name)), []
            )
            if not found:
                line.errors.append(
                    _("aucun élève « %(name)s » en classe %(group)s")
                    % {"name": f"{v['pupil_first_name']} {v['pupil_last_name']}", "group": group.name}
                )
            elif len(found) > 1:
                line.errors.append(
                    _(
                        "plusieurs élèves de la classe %(group)s portent ce nom : "
                        "créez ce lien depuis la console"
                    )
                    % {"group": group.name}
                )
            else:
                line.pupil_id = found[0]
    line.identity = (fold(v["last_name"]), fold(v["first_name"]), v["email"].lower(), line.pupil_id)


def _read_staff(line: Line) -> None:
    v = line.values
    functions: list[str] = []
    if v["profile"]:
        meaning = PROFILE_WORDS.get(normalize_header(v["profile"]))
        if meaning is None:
            line.errors.append(
                _("profil inconnu : « %(value)s » (enseignant, personnel, direction, CPE…)")
                % {"value": v["profile"]}
            )
        else:
            line.profile = meaning[0]
            if meaning[1]:
                functions.append(meaning[1])
    for word in re.split(r"[,;/+|]", v.get("functions", "")):
        if not word.strip():
            continue
        meaning = PROFILE_WORDS.get(normalize_header(word))
        if meaning is None or meaning[1] is None:
            line.errors.append(_("fonction inconnue : « %(value)s »") % {"value": word.strip()})
        else:
            functions.append(meaning[1])
    line.functions = sorted(set(functions))
    line.identity = (fold(v["last_name"]), fold(v["first_name"]))


def read_lines(job: ImportJob, table: Table, facts: SchoolFacts) -> list[Line]:
    """Every line of the file read and checked on its own, then lines in double marked (the first stays)."""
    lines = [read_line(job.kind, row, job.mapping, facts) for row in table.rows]
    first_seen: dict[tuple, int] = {}
    for line in lines:
        if not line.ok:
            continue
        earlier = first_seen.setdefault(line.identity, line.line)
        if earlier != line.line:
            line.errors.append(_("en double : même personne qu’à la ligne %(line)s") % {"line": earlier})
    return lines


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


# --- Preview -----------------------------------------------------------------------------------------


@dataclass
class Preview:
    lines: list[Line]
    shown: list[Line]  # the first rows, then every other row with an error
    will_create: int  # people
    will_update: int  # people already known (possibly unchanged)
    rejected: int


def preview(job: ImportJob, table: Table) -> Preview:
    """What the import would do, without writing anything: a constant number of queries."""
    facts = school_facts(job.school, job.kind)
    lines = read_lines(job, table, facts)
    good = [line for line in lines if line.ok]
    if job.kind == Kind.PUPILS:
        known = _known_pupils(job.school, good)
        existing = sum(1 for line in good if known.get(line.identity))
        new = len(good) - existing
    elif job.kind == Kind.STAFF:
        known = _known_staff(job.school)
        existing = sum(1 for line in good if known.get(line.identity))
        new = len(good) - existing
    else:
        # A guardian on several rows (several children) is one person.
        by_pupil, by_email = _known_guardians(job.school, good)
        found: dict[tuple, bool] = {}
        for line in good:
            key = _guardian_key(line)
            found[key] = found.get(key, False) or _match_guardian(line, by_pupil, by_email) is not None
        existing = sum(found.values())
        new = len(found) - existing
    shown = lines[:PREVIEW_ROWS] + [line for line in lines[PREVIEW_ROWS:] if not line.ok][:200]
    return Preview(
        lines=lines,
        shown=shown,
        will_create=new,
        will_update=existing,
        rejected=len(lines) - len(good),
    )


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


def _guardian_key(line: Line) -> tuple:
    if not line.ok:
        return ("line", line.line)
    return (line.identity[0], line.identity[1], line.identity[2])


def import_batch(job: ImportJob, facts: SchoolFacts, lines: list[Line]) -> list[Outcome]:
    """Write one batch in one transaction; returns what happened to each of its lines (in file order)."""
    outcomes: list[Outcome] = [
        Outcome(line.line, line.name, REJECTED, "; ".join(line.errors)) for line in lines if not line.ok
    ]
    good = [line for line in lines if line.ok]
    if good:
        with transaction.atomic():
            writer: Callable[[ImportJob, SchoolFacts, list[Line]], list[Outcome]] = {
                Kind.PUPILS: _import_pupils,
                Kind.GUARDIANS: _import_guardians,
                Kind.STAFF: _import_staff,
            }[Kind(job.kind)]
            outcomes.extend(writer(job, facts, good))
    return sorted(outcomes, key=lambda o: o.line)


def _create_people(job: ImportJob, lines: list[Line], profile: str) -> dict[int, Person]:
    """New accounts and persons for `lines` (keyed by line number), with their membership of the school and a
    trace of who created them. Activation codes come with the letters printed from the console."""
    if not lines:
        return {}
    bases = {base_username(line.values["first_name"], line.values["last_name"]) for line in lines}
    taken = set(
        User.objects.filter(reduce(or_, (Q(username__startswith=b) for b in bases))).values_list(
            "username", flat=True
        )
    )
    people = directory.bulk_create_people(
        [
            directory.ImportedPerson(
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
    Membership.objects.bulk_create(
        [
            Membership(
                person=person, school=job.school, profile=profile or line.profile, functions=line.functions
            )
            for line, person in zip(lines, people, strict=True)
        ]
    )
    AdminAction.objects.bulk_create(
        [
            AdminAction(
                school=job.school,
                actor=job.created_by,
                target_id=person.user_id,
                kind=AdminAction.Kind.CREATE,
            )
            for person in people
        ]
    )
    return {line.line: person for line, person in zip(lines, people, strict=True)}


def _logins(user_ids: set[int]) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username")) if user_ids else {}


def _set_missing_emails(
    job: ImportJob, matches: dict[int, Known], lines: list[Line], changed: set[int]
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
    if allowed:
        User.objects.bulk_update(allowed, ["email"])


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


def _reactivate(matches: dict[int, Known], changed: set[int]) -> None:
    returning = {k.person_id for k in matches.values() if k.left}
    if returning:
        directory.reactivate_people(returning)
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


def _import_pupils(job: ImportJob, facts: SchoolFacts, lines: list[Line]) -> list[Outcome]:
    matches, new, rejected = _match(
        lines,
        _known_pupils(job.school, lines),
        _("plusieurs élèves de l’établissement ont ce nom et cette date de naissance"),
    )
    lines, refused = _refuse_address_changes(job, matches, lines)
    rejected += refused
    changed: set[int] = set()
    details: dict[int, str] = {}
    created = _create_people(job, new, Profile.STUDENT)
    _reactivate(matches, changed)
    _set_missing_emails(job, matches, lines, changed)
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
    to_enrol: list[Enrolment] = []
    stale: list[int] = []
    for line in lines:
        person_id = person_of_line.get(line.line)
        if person_id is None or line.group is None:
            continue
        enrolments = current.get(person_id, [])
        if not any(group_id == line.group.pk for _pk, group_id, _name in enrolments):
            to_enrol.append(Enrolment(student_id=person_id, group=line.group))
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
    Enrolment.objects.bulk_create(to_enrol)
    if stale:
        Enrolment.objects.filter(pk__in=stale).delete()
    if created or changed:
        versions.bump_imported_schools([job.school.pk])
    return rejected + _outcomes(
        [line for line in lines if line.line in person_of_line], created, matches, changed, details
    )


def _import_staff(job: ImportJob, facts: SchoolFacts, lines: list[Line]) -> list[Outcome]:
    matches, new, rejected = _match(
        lines,
        _known_staff(job.school),
        _("plusieurs personnels de l’établissement portent ce nom : modifiez-les depuis la console"),
    )
    lines, refused = _refuse_address_changes(job, matches, lines)
    rejected += refused
    changed: set[int] = set()
    details: dict[int, str] = {}
    created = _create_people(job, new, "")  # each line gives its own profile
    _reactivate(matches, changed)
    _set_missing_emails(job, matches, lines, changed)
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
            to_update.append(membership)
            changed.add(line.line)
            details[line.line] = _("fonctions ajoutées")
    Membership.objects.bulk_create(to_create)
    if to_update:
        Membership.objects.bulk_update(to_update, ["functions"])
    if created or changed:
        versions.bump_imported_schools([job.school.pk])
    kept = [line for line in lines if line.line in created or line.line in matches]
    return rejected + _outcomes(kept, created, matches, changed, details)


def _import_guardians(job: ImportJob, facts: SchoolFacts, lines: list[Line]) -> list[Outcome]:
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
    created_first = _create_people(job, new_lines, Profile.RELATIVE)
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
    _reactivate(matches, changed)
    _set_missing_emails(job, matches, lines, changed)
    person_ids = {k.person_id for k in matches.values()} | {p.pk for p in created.values()}
    memberships = set(
        Membership.objects.filter(
            school=job.school, profile=Profile.RELATIVE, person_id__in=person_ids
        ).values_list("person_id", flat=True)
    ) | {p.pk for p in created.values()}
    existing = {
        (g.relative_id, g.student_id): g
        for g in Guardianship.objects.filter(
            relative_id__in=person_ids, student_id__in={line.pupil_id for line in lines}
        )
    }
    new_memberships: dict[int, Membership] = {}
    new_links: list[Guardianship] = []
    for line in lines:
        person_id = created[line.line].pk if line.line in created else matches[line.line].person_id
        pupil_id = line.pupil_id
        assert pupil_id is not None  # a guardian's line without its pupil is rejected when read
        if person_id not in memberships and person_id not in new_memberships:
            new_memberships[person_id] = Membership(
                person_id=person_id, school=job.school, profile=Profile.RELATIVE
            )
            changed.add(line.line)
        if (person_id, pupil_id) not in existing:
            link = Guardianship(
                relative_id=person_id,
                student_id=pupil_id,
                legal_guardian=True,
                relationship=line.values.get("relationship", "")[:40],
            )
            existing[(person_id, pupil_id)] = link
            new_links.append(link)
            if line.line not in created:
                changed.add(line.line)
                details[line.line] = _("nouvel enfant : %(name)s") % {
                    "name": f"{line.values['pupil_first_name']} {line.values['pupil_last_name']}"
                }
    Membership.objects.bulk_create(list(new_memberships.values()))
    Guardianship.objects.bulk_create(new_links)
    if created or changed:
        versions.bump_imported_schools([job.school.pk])
    return rejected + _outcomes(lines, created, matches, changed, details)
