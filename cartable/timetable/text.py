"""How a room is named in a sentence.

Schools name rooms two ways: a number or code ("104", "B12"), which needs the word "Salle" in front to be
understood, and a name that already says what the room is ("Gymnase", "Salle de musique", "CDI"), which
reads wrong with it ("Salle Gymnase", "Salle Salle de musique"). One rule for every page, the widget, the
timeline and the cahier de textes.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# Three letters in a row make a word ("CDI", "Gym", "Salle"); a code has at most a letter or two beside
# its digits ("B12", "TP1", "A").
WORD = re.compile(r"[^\W\d_]{3,}")


def is_room_code(name: str) -> bool:
    """A number or short code rather than a name that says what the room is."""
    return not WORD.search(name)


def room_label(name: str | None) -> str:
    """The room as a sentence names it: "Salle 104" for a code, a named room as stored, "" for none."""
    name = " ".join((name or "").split())
    if not name:
        return ""
    if is_room_code(name):
        return _("Salle %(name)s") % {"name": name}
    return name
