"""The cahier de textes in a person's lifecycle (cartable.lib.lifecycle): it is an official record, kept
under "Ancien compte" for its author and the principal who signed it; a pupil's "done" marks go at the
purge."""

from __future__ import annotations

from cartable.homework import versions
from cartable.homework.models import Entry, HomeworkDone, Visa
from cartable.lib import facts
from cartable.lib.lifecycle import Fate, Forgetting

PERSONAL_DATA = {
    Entry: Fate.RECORD,
    Visa: Fate.RECORD,
    HomeworkDone: Fate.FORGOTTEN,
}


def forget(people: Forgetting) -> None:
    marks = HomeworkDone.objects.filter(pupil_id__in=people.person_ids)
    pupils = sorted(set(marks.values_list("pupil_id", flat=True)))
    marks.delete()
    if pupils:  # their cached to-do lists showed the ticks
        facts.bump([versions.done_key(pupil_id) for pupil_id in pupils])
