"""Version numbers of the cahier de liaison, so that the home widget « mots à signer » costs no query (see
cartable.lib.facts).

Each pupil has a version, bumped when a mot concerns them (a new mot, or its author's correction before
anyone signed: the widget shows its title and deadline) and when one of their guardians signs or replies for
them. The pupils a mot concerns never change once it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from cartable.lib import facts


def pupil_key(pupil_id: int) -> str:
    return f"liaison:pupil:{pupil_id}"


def bump_pupils(pupil_ids: Iterable[int], *, at_once: bool = True) -> None:
    facts.bump((pupil_key(pupil_id) for pupil_id in sorted(set(pupil_ids))), at_once=at_once)


facts.covers("liaison:", ["liaison.MotPupil", "liaison.Signature"])
