"""The GAR app in a person's lifecycle (cartable.lib.lifecycle): the IDO is the person's and goes at the
purge, with any function of responsable d'affectation they held and their Médiacentre favourites (a school's
own links stay, the school's record); the nightly delivery to the GAR is queued by
plan_daily_tasks when it is configured (GAR_SFTP_HOST)."""

from __future__ import annotations

from cartable.gar import delivery
from cartable.gar.actions import forget_people
from cartable.gar.models import AssignmentManager, Favourite, GarIdentity, SchoolResource
from cartable.gar.tasks import plan_export
from cartable.lib.lifecycle import Fate, Forgetting

PERSONAL_DATA = {
    GarIdentity: Fate.FORGOTTEN,
    # The person named goes at the purge; who named them (set_by) is emptied with their account.
    AssignmentManager: Fate.FORGOTTEN,
    # The Médiacentre: a person's favourites are theirs; a school's link is the school's (its author emptied).
    Favourite: Fate.FORGOTTEN,
    SchoolResource: Fate.RECORD,
}


def forget(people: Forgetting) -> None:
    forget_people(people.person_ids)


def schedule() -> list[str]:
    if not delivery.is_configured():
        return ["export GAR non configuré (GAR_SFTP_HOST vide) : rien à programmer"]
    queued = plan_export()
    return [f"export GAR {'programmé' if queued else 'déjà programmé'}"]
