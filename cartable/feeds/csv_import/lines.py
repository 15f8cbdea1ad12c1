"""The spreadsheet import (cartable.feeds.csv_import): reading one line of the file, checked as a whole
before anything is written."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.directory.models import (
    Enrolment,
    Function,
    Group,
    GroupKind,
    Profile,
    School,
    SchoolYear,
)
from cartable.feeds.csv_import.columns import (
    Kind,
    fields_of,
    normalize_header,
)
from cartable.feeds.models import ImportJob
from cartable.feeds.onde import fold
from cartable.feeds.tabular import Row, Table

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
            parsed = datetime.strptime(text, pattern).date()  # noqa: DTZ007 (only the date is kept)
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
