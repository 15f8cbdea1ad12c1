"""Version numbers of the cahier de liaison, so that the home widget « mots à signer » costs no query (see
cartable.lib.facts).

Each pupil has a version, bumped when a mot concerns them (a new mot) and when one of their guardians signs
or replies for them. Mots are never edited once sent: their rows need no version of their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from cartable.lib import facts


def pupil_key(pupil_id: int) -> str:
    return f"liaison:pupil:{pupil_id}"


def bump_pupils(pupil_ids: Iterable[int], *, at_once: bool = True) -> None:
    facts.bump((pupil_key(pupil_id) for pupil_id in sorted(set(pupil_ids))), at_once=at_once)


facts.covers("liaison:", ["liaison.MotPupil", "liaison.Signature"])
