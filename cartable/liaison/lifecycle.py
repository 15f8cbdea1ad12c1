"""The cahier de liaison in a person's lifecycle (cartable.lib.lifecycle).

Mots, signatures and replies are what their authors wrote: kept under "Ancien compte" when the account is
purged, deleted with it when the person objected at closure (rule C5). The pupils a mot concerns are the
school's record of whom it was sent to.
"""

from __future__ import annotations

from cartable.liaison.models import FamilyMot, Mot, MotPupil, Signature
from cartable.lib.lifecycle import Fate

PERSONAL_DATA = {
    Mot: Fate.CONTRIBUTION,
    Signature: Fate.CONTRIBUTION,
    FamilyMot: Fate.CONTRIBUTION,
    MotPupil: Fate.RECORD,
}
