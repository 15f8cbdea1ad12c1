"""Password policy after the CNIL 2022 recommendation on passwords."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 12
PASSPHRASE_MIN_LENGTH = 20
PASSPHRASE_MIN_WORDS = 4


def character_classes(password: str) -> int:
    classes = [r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]"]
    return sum(1 for pattern in classes if re.search(pattern, password))


def is_passphrase(password: str) -> bool:
    words = [w for w in re.split(r"[\s\-_.,;]+", password) if w]
    return len(password) >= PASSPHRASE_MIN_LENGTH and len(words) >= PASSPHRASE_MIN_WORDS


def strength(password: str) -> str:
    """A plain-words hint: 'weak', 'fair' or 'strong'."""
    if is_passphrase(password) or (len(password) >= 16 and character_classes(password) >= 3):
        return "strong"
    if len(password) >= MIN_LENGTH and character_classes(password) >= 3:
        return "fair"
    return "weak"


class CnilPasswordValidator:
    """At least 12 characters from 3 of the 4 kinds (lower, upper, digit, other), or a passphrase."""

    def validate(self, password: str, user=None) -> None:
        if is_passphrase(password):
            return
        if len(password) >= MIN_LENGTH and character_classes(password) >= 3:
            return
        # The rule itself is the field's help text, right above: the error says what is missing.
        raise ValidationError(
            _(
                "Mot de passe trop faible : il faut au moins 12 caractères de trois sortes différentes, "
                "ou une phrase de passe plus longue."
            ),
            code="password_policy",
        )

    def get_help_text(self) -> str:
        return _(
            "Votre mot de passe doit avoir au moins 12 caractères mêlant trois sortes parmi : minuscules, "
            "majuscules, chiffres, autres signes ; ou être une phrase de passe d'au moins 4 mots "
            "et 20 caractères."
        )
