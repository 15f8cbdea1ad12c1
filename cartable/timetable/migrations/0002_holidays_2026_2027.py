"""The 2026-2027 school holidays of metropolitan France (official calendar of the ministère de l'Éducation
nationale), as first and last days without classes. Blank zone: every zone. Public holidays falling on a school
day are listed too."""

from datetime import date

from django.db import migrations

from cartable.lib import facts

HOLIDAYS = [
    ("", "Vacances de la Toussaint", date(2026, 10, 17), date(2026, 11, 1)),
    ("", "Armistice de 1918", date(2026, 11, 11), date(2026, 11, 11)),
    ("", "Vacances de Noël", date(2026, 12, 19), date(2027, 1, 3)),
    ("C", "Vacances d'hiver", date(2027, 2, 6), date(2027, 2, 21)),
    ("A", "Vacances d'hiver", date(2027, 2, 13), date(2027, 2, 28)),
    ("B", "Vacances d'hiver", date(2027, 2, 20), date(2027, 3, 7)),
    ("", "Lundi de Pâques", date(2027, 3, 29), date(2027, 3, 29)),
    ("C", "Vacances de printemps", date(2027, 4, 3), date(2027, 4, 18)),
    ("A", "Vacances de printemps", date(2027, 4, 10), date(2027, 4, 25)),
    ("B", "Vacances de printemps", date(2027, 4, 17), date(2027, 5, 2)),
    ("", "Pont de l'Ascension", date(2027, 5, 6), date(2027, 5, 9)),
    ("", "Lundi de Pentecôte", date(2027, 5, 17), date(2027, 5, 17)),
    ("", "Vacances d'été", date(2027, 7, 3), date(2027, 8, 31)),
]


def add_holidays(apps, schema_editor):
    SchoolHoliday = apps.get_model("timetable", "SchoolHoliday")
    for zone, name, start, end in HOLIDAYS:
        SchoolHoliday.objects.get_or_create(zone=zone, name=name, start=start, defaults={"end": end})
    # The calendars are cached under the timetable version (cartable.timetable.versions).
    facts.bump_from_migration(["timetable:version"])


def remove_holidays(apps, schema_editor):
    SchoolHoliday = apps.get_model("timetable", "SchoolHoliday")
    for zone, name, start, _end in HOLIDAYS:
        SchoolHoliday.objects.filter(zone=zone, name=name, start=start).delete()
    facts.bump_from_migration(["timetable:version"])


class Migration(migrations.Migration):
    dependencies = [("timetable", "0001_initial")]

    operations = [migrations.RunPython(add_holidays, remove_holidays)]
