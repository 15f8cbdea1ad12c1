"""The news in a person's lifecycle (cartable.lib.lifecycle): a news item is the school's voice, kept under
"Ancien compte" when its author's account goes; so is the switch of the public page. Nightly, news withdrawn
more than EXPIRED_KEPT_DAYS ago are deleted with their files, and the audience of a news item published
while the background worker was down is told of it."""

from __future__ import annotations

import datetime as dt

from cartable.lib.lifecycle import Fate
from cartable.news.actions import notify_due, purge_expired
from cartable.news.models import News, PublicPage

PERSONAL_DATA = {
    News: Fate.RECORD,
    PublicPage: Fate.RECORD,
}

EXPIRED_KEPT_DAYS = 365


def nightly(now: dt.datetime) -> dict[str, int]:
    return {
        "actualités retirées supprimées": purge_expired(now - dt.timedelta(days=EXPIRED_KEPT_DAYS)),
        "actualités annoncées en retard": notify_due(now),
    }
