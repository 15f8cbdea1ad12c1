"""The feeds in a person's lifecycle (cartable.lib.lifecycle): the image-rights consents given for a pupil go
at the purge; a feed imported into a new school year means its rollover can no longer be undone."""

from __future__ import annotations

from datetime import datetime

from cartable.feeds.history import imported_since
from cartable.feeds.models import ImageRightsConsent, ImportJob
from cartable.lib.lifecycle import Fate, Forgetting

PERSONAL_DATA = {
    ImageRightsConsent: Fate.FORGOTTEN,
    # Who sent a spreadsheet import.
    ImportJob: Fate.RECORD,
}


def forget(people: Forgetting) -> None:
    ImageRightsConsent.objects.filter(person_id__in=people.person_ids).delete()


def year_filled_since(year, since: datetime) -> bool:
    return imported_since(year, since)
