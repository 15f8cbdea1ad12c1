"""The portal in a person's lifecycle (cartable.lib.lifecycle): their correction requests go at the purge."""

from __future__ import annotations

from cartable.lib.lifecycle import Fate, Forgetting
from cartable.portal.models import CorrectionRequest

PERSONAL_DATA = {CorrectionRequest: Fate.FORGOTTEN}


def forget(people: Forgetting) -> None:
    CorrectionRequest.objects.filter(person_id__in=people.person_ids).delete()
