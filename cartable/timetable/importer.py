"""Reading a timetable from a simple CSV or XLSX export, one row per course:

    jour;debut;fin;classe;matiere;enseignant;salle;semaine
    lundi;08:00;09:00;6A;Mathématiques;LEROY Tom;101;
    mardi;10:00;11:00;6A+6B;Anglais;MOREAU Tess;203;A

The file is read by the one spreadsheet reader (`cartable.feeds.tabular`: separator `;`, `,` or tab, the
usual encodings, or an Excel workbook); the header row is required (columns in any order, accents and case
ignored). Several classes or groups are joined with `+`, several teachers with `/`. The week is empty (every
week), A or B.
Each line is checked on its own: a line with an error is reported with its reasons and not imported; the
others are.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.directory.models import STAFF_PROFILES, Group, Membership, Person, School, Subject
from cartable.feeds.tabular import Table, TableError, read_table
from cartable.timetable.actions import ImportedCourse
from cartable.timetable.models import TimeSlot, Weeks

MAX_BYTES = 1_000_000
COLUMNS = {
    "jour": "day",
    "day": "day",
    "debut": "start",
    "start": "start",
    "fin": "end",
    "end": "end",
    "classe": "groups",
    "classes": "groups",
    "groupe": "groups",
    "class": "groups",
    "matiere": "subject",
    "subject": "subject",
    "enseignant": "teachers",
    "enseignants": "teachers",
    "professeur": "teachers",
    "teacher": "teachers",
    "salle": "room",
    "room": "room",
    "semaine": "weeks",
    "week": "weeks",
}
REQUIRED = ("day", "start", "end", "groups", "subject")
# Messages name the columns as the user writes them in the file, not by their internal names.
HEADER_NAMES = {
    "day": "jour",
    "start": "debut",
    "end": "fin",
    "groups": "classe",
    "subject": "matiere",
    "teachers": "enseignant",
    "room": "salle",
    "weeks": "semaine",
}
HEADER = ";".join(HEADER_NAMES.values())
DAYS = {
    "lundi": 0,
    "lun": 0,
    "monday": 0,
    "mardi": 1,
    "mar": 1,
    "tuesday": 1,
    "mercredi": 2,
    "mer": 2,
    "wednesday": 2,
    "jeudi": 3,
    "jeu": 3,
    "thursday": 3,
    "vendredi": 4,
    "ven": 4,
    "friday": 4,
    "samedi": 5,
    "sam": 5,
    "saturday": 5,
    "dimanche": 6,
    "dim": 6,
    "sunday": 6,
}
DAY_NAMES = {
    0: gettext_lazy("lundi"),
    1: gettext_lazy("mardi"),
    2: gettext_lazy("mercredi"),
    3: gettext_lazy("jeudi"),
    4: gettext_lazy("vendredi"),
    5: gettext_lazy("samedi"),
    6: gettext_lazy("dimanche"),
}
# Before the school has entered its time grid, the usual week: Monday to Friday.
USUAL_DAYS = frozenset({0, 1, 2, 3, 4})
TIME = re.compile(r"^(\d{1,2})[:hH](\d{2})?$")


def plain(text: str) -> str:
    """Lower case, no accents, single spaces: how names are compared."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").split())


@dataclass
class Line:
    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    course: ImportedCourse | None = None
    new_room: bool = False


@dataclass
class Preview:
    lines: list[Line] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the whole file
    # The rows read, written again as CSV: what the confirmation sends back, whatever the file's format.
    content: str = ""

    @property
    def valid(self) -> list[ImportedCourse]:
        return [line.course for line in self.lines if line.course is not None and not line.errors]

    @property
    def error_count(self) -> int:
        return sum(1 for line in self.lines if line.errors)


def parse_time(value: str) -> time | None:
    match = TIME.match(value.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class Directory:
    """The school's classes, groups, subjects, teachers and rooms, read once for the whole file."""

    def __init__(self, school: School):
        self.groups = {plain(g.name): g for g in Group.objects.filter(school=school, year__is_current=True)}
        self.subjects: dict[str, Subject] = {}
        for subject in Subject.objects.filter(school=school):
            self.subjects[plain(subject.name)] = subject
            self.subjects.setdefault(plain(subject.code), subject)
        self.teachers: dict[str, list[Person]] = {}
        staff = Person.objects.filter(
            pk__in=Membership.objects.filter(school=school, profile__in=STAFF_PROFILES).values("person_id"),
            left_at__isnull=True,
        )
        for person in staff:
            for key in {
                plain(f"{person.last_name} {person.first_name}"),
                plain(f"{person.first_name} {person.last_name}"),
                plain(person.last_name),
            }:
                self.teachers.setdefault(key, []).append(person)
        from cartable.timetable.models import Room

        self.rooms = {r.name for r in Room.objects.filter(school=school)}
        # A course on a day without any slot of the grid is a typo or a wrong file, not a Saturday class.
        grid = set(TimeSlot.objects.filter(school=school).values_list("weekday", flat=True).distinct())
        self.days = frozenset(grid) or USUAL_DAYS


def parse(content: bytes | str, school: School) -> Preview:
    """The courses of an uploaded file (bytes), or of the text the confirmation form sends back (str)."""
    preview = Preview()
    try:
        table = read_table(content.encode() if isinstance(content, str) else content, rows_required=False)
    except TableError as error:
        preview.errors.append(str(error))
        return preview
    columns = [COLUMNS.get(plain(name)) for name in table.headers]
    missing = [HEADER_NAMES[name] for name in REQUIRED if name not in columns]
    if missing:
        preview.errors.append(header_error(list(table.headers), missing))
        return preview
    preview.content = as_csv(table)
    directory = Directory(school)
    for row in table.rows:
        values = {column: row.cell(i) for i, column in enumerate(columns) if column}
        preview.lines.append(read_line(row.line, values, directory))
    if not preview.lines:
        preview.errors.append(_("Le fichier ne contient aucun cours."))
    return preview


def as_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(table.headers)
    writer.writerows(row.cells for row in table.rows)
    return out.getvalue()


def header_error(header: list[str], missing: list[str]) -> str:
    # A file that starts with a course, not a header, is the usual mistake: say what the first line must be.
    if header and plain(header[0]) in DAYS:
        return _("La première ligne doit être l'en-tête des colonnes : %(header)s") % {"header": HEADER}
    return _("Colonnes manquantes : %(names)s. La première ligne doit nommer les colonnes : %(header)s") % {
        "names": ", ".join(missing),
        "header": HEADER,
    }


def read_line(number: int, values: dict[str, str], directory: Directory) -> Line:
    line = Line(number=number, values=values)
    errors = line.errors
    weekday = DAYS.get(plain(values.get("day", "")))
    if weekday is None:
        errors.append(_("Jour inconnu : « %(value)s ».") % {"value": values.get("day", "")})
    elif weekday not in directory.days:
        errors.append(
            _("Le %(day)s n'est pas dans la grille horaire de l'établissement.") % {"day": DAY_NAMES[weekday]}
        )
        weekday = None
    start, end = parse_time(values.get("start", "")), parse_time(values.get("end", ""))
    if start is None:
        errors.append(_("Heure de début illisible : « %(value)s ».") % {"value": values.get("start", "")})
    if end is None:
        errors.append(_("Heure de fin illisible : « %(value)s ».") % {"value": values.get("end", "")})
    if start and end and end <= start:
        errors.append(_("Le cours finit avant d'avoir commencé."))
    groups = []
    for name in filter(None, (n.strip() for n in values.get("groups", "").split("+"))):
        group = directory.groups.get(plain(name))
        if group is None:
            errors.append(_("Classe ou groupe inconnu cette année : « %(value)s ».") % {"value": name})
        else:
            groups.append(group)
    if not groups and not values.get("groups", "").strip():
        errors.append(_("Classe ou groupe manquant."))
    subject = None
    label = ""
    subject_text = values.get("subject", "").strip()
    if not subject_text:
        errors.append(_("Matière manquante."))
    else:
        subject = directory.subjects.get(plain(subject_text))
        if subject is None:
            label = subject_text[:120]  # a course without a subject of the directory (e.g. "Vie de classe")
    teachers = []
    for name in filter(None, (n.strip() for n in values.get("teachers", "").split("/"))):
        found = directory.teachers.get(plain(name), [])
        if not found:
            errors.append(_("Enseignant inconnu dans l'établissement : « %(value)s ».") % {"value": name})
        elif len(found) > 1:
            errors.append(
                _("Plusieurs personnes s'appellent « %(value)s » : écrivez NOM Prénom.") % {"value": name}
            )
        else:
            teachers.append(found[0])
    weeks_text = plain(values.get("weeks", ""))
    weeks = {"": Weeks.EVERY, "h": Weeks.EVERY, "toutes": Weeks.EVERY, "a": Weeks.A, "b": Weeks.B}.get(
        weeks_text.replace("semaine ", "").replace("sem ", "")
    )
    if weeks is None:
        errors.append(
            _("Semaine inconnue : « %(value)s » (vide, A ou B).") % {"value": values.get("weeks", "")}
        )
    room = " ".join(values.get("room", "").split())[:60]
    line.new_room = bool(room) and room not in directory.rooms
    if not errors and weekday is not None and start and end and weeks is not None:
        line.course = ImportedCourse(
            line=number,
            groups=groups,
            weekday=weekday,
            start=start,
            end=end,
            subject=subject,
            label=label,
            teachers=teachers,
            room_name=room,
            weeks=weeks,
        )
    return line
