"""Password policy after the CNIL 2022 recommendation on passwords (délibération n° 2022-100).

Two rules. Adults keep the stronger one (about 80 bits): at least 12 characters of three kinds, or a
passphrase of 4 words and 20 characters. Pupils get the one the CNIL allows when logins are throttled, as
Cartable's are (about 50 bits): at least 8 characters of three kinds, or a passphrase of 4 words and 16
characters, which a young child can type. A school may keep its pupils on the adult rule
(School.simple_pupil_passwords, on by default); a person who is also a parent or staff anywhere, or a pupil
in a school that turned it off, gets the adult rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cartable.directory.models import Membership, Profile

PASSPHRASE_MIN_WORDS = 4


@dataclass(frozen=True)
class PasswordRule:
    code: str
    min_length: int  # with characters of three kinds at least
    passphrase_min_length: int  # with PASSPHRASE_MIN_WORDS words at least

    def accepts(self, password: str) -> bool:
        if self.is_passphrase(password):
            return True
        return len(password) >= self.min_length and character_classes(password) >= 3

    def is_passphrase(self, password: str) -> bool:
        return len(password) >= self.passphrase_min_length and word_count(password) >= PASSPHRASE_MIN_WORDS

    def strength(self, password: str) -> str:
        """A plain-words hint: 'weak', 'fair' or 'strong' (cartable.js gives the same hint while typing)."""
        if self.is_passphrase(password) or (
            len(password) >= self.min_length + 4 and character_classes(password) >= 3
        ):
            return "strong"
        if self.accepts(password):
            return "fair"
        return "weak"

    def error(self) -> str:
        # The rule itself is the field's help text, right above: the error says what is missing.
        return _(
            "Mot de passe trop faible : il faut au moins %(length)d caractères de trois sortes différentes, "
            "ou une phrase de passe plus longue."
        ) % {"length": self.min_length}

    def help_text(self) -> str:
        return _(
            "Votre mot de passe doit avoir au moins %(length)d caractères mêlant trois sortes parmi : "
            "minuscules, majuscules, chiffres, autres signes ; ou être une phrase de passe d'au moins "
            "%(words)d mots et %(phrase)d caractères."
        ) % {"length": self.min_length, "words": PASSPHRASE_MIN_WORDS, "phrase": self.passphrase_min_length}

    def letter_text(self) -> str:
        """Step 4 of an activation letter or a pupil's card, in plain words."""
        return _(
            "Choisissez votre mot de passe : au moins %(length)d signes mêlant lettres, chiffres ou autres "
            "signes, ou une phrase d'au moins %(words)d mots, que vous seul connaissez. Tapez-le deux fois. "
            "Notez-le et rangez-le dans un endroit sûr."
        ) % {"length": self.min_length, "words": PASSPHRASE_MIN_WORDS}

    def card_text(self) -> str:
        """The same for a young pupil, on the card their teacher prints."""
        return _(
            "Choisis ton mot de passe : au moins %(length)d signes (lettres, chiffres…) ou une phrase de "
            "%(words)d mots. Garde-le pour toi."
        ) % {"length": self.min_length, "words": PASSPHRASE_MIN_WORDS}


ADULT_RULE = PasswordRule(code="adult", min_length=12, passphrase_min_length=20)
PUPIL_RULE = PasswordRule(code="pupil", min_length=8, passphrase_min_length=16)


def character_classes(password: str) -> int:
    classes = [r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]"]
    return sum(1 for pattern in classes if re.search(pattern, password))


def word_count(password: str) -> int:
    return len([w for w in re.split(r"[\s\-_.,;]+", password) if w])


def rules_for(users: list[Any]) -> dict[int, PasswordRule]:
    """{user id: the rule of that person} in one query: PUPIL_RULE for someone who is a pupil and nothing
    else, in schools that all allow it; ADULT_RULE for everyone else (the platform admin included)."""

    ids = [user.pk for user in users if user is not None and user.pk is not None]
    rules = dict.fromkeys(ids, ADULT_RULE)
    pupil: dict[int, bool] = {}
    held = Membership.objects.filter(person__user_id__in=ids).values_list(
        "person__user_id", "profile", "school__simple_pupil_passwords"
    )
    for user_id, profile, allowed in held:
        pupil[user_id] = pupil.get(user_id, True) and profile == Profile.STUDENT and allowed
    for user_id, is_pupil in pupil.items():
        if is_pupil:
            rules[user_id] = PUPIL_RULE
    return rules


def rule_for(user: Any) -> PasswordRule:
    if user is None or user.pk is None:
        return ADULT_RULE
    return rules_for([user])[user.pk]


def strength(password: str, user: Any = None) -> str:
    return rule_for(user).strength(password)


class CnilPasswordValidator:
    """The rule of the person (see rule_for); without a person, the adult rule."""

    def validate(self, password: str, user: Any = None) -> None:
        rule = rule_for(user)
        if not rule.accepts(password):
            raise ValidationError(rule.error(), code="password_policy")

    def get_help_text(self, user: Any = None) -> str:
        return rule_for(user).help_text()
