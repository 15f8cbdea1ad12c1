"""The French catalogues: French is the source language, but a plural string needs a catalogue to follow the
French rule. Without one, gettext's fallback picks the singular for 1 only (the English rule), and
« 0 familles sur 1 » shows where French writes « 0 famille sur 1 » (singular for 0 and 1).

`make messages` extracts each catalogue for `fr` as for `en`, then runs this module on the `fr` files: it
keeps only the plural entries, each translated by itself (form 0 the singular source, form 1 the plural
source), under the French plural rule. Singular strings need no French catalogue (the source is French), so
the files stay small and change only when a plural string does.

    python -m cartable.lib.french_plurals cartable/locale/fr/LC_MESSAGES/django.po cartable/*/locale/fr/…
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PLURAL_FORMS = "nplurals=2; plural=(n > 1);"
HEADER = f"""# French plural forms of Cartable, whose strings are French (cartable/lib/french_plurals.py).
# This file is distributed under the same license as Cartable (AGPL-3.0-or-later).
msgid ""
msgstr ""
"Project-Id-Version: Cartable\\n"
"Report-Msgid-Bugs-To: \\n"
"Language: fr\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {PLURAL_FORMS}\\n"
"""

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$")


def _plural_entry(block: str) -> str | None:
    """The entry with its two forms filled from its own source, or None for a singular entry or the
    header. Location comments are kept; flags (fuzzy) and previous strings are dropped."""
    locations: list[str] = []
    parts: dict[str, list[str]] = {}
    key = ""
    for line in block.splitlines():
        if line.startswith("#:"):
            locations.append(line)
            continue
        if line.startswith("#") or not line.strip():
            continue
        match = _KEYWORD.match(line)
        if match:
            key = match.group(1)
            parts[key] = [match.group(2)]
        elif key:
            parts[key].append(line)
    if "msgid_plural" not in parts or parts.get("msgid") == ['""']:
        return None
    lines = list(locations)
    if "msgctxt" in parts:
        lines += _keyword_lines("msgctxt", parts["msgctxt"])
    lines += _keyword_lines("msgid", parts["msgid"])
    lines += _keyword_lines("msgid_plural", parts["msgid_plural"])
    lines += _keyword_lines("msgstr[0]", parts["msgid"])
    lines += _keyword_lines("msgstr[1]", parts["msgid_plural"])
    return "\n".join(lines)


def _keyword_lines(keyword: str, quoted: list[str]) -> list[str]:
    return [f"{keyword} {quoted[0]}", *quoted[1:]]


def rewrite(path: Path) -> int:
    """Rewrite one `fr` catalogue; returns how many plural entries it holds."""
    blocks = re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
    entries = [entry for entry in map(_plural_entry, blocks) if entry is not None]
    path.write_text("\n\n".join([HEADER.rstrip("\n"), *entries]) + "\n", encoding="utf-8")
    return len(entries)


def main(paths: list[str]) -> None:
    for name in paths:
        count = rewrite(Path(name))
        print(f"{name}: {count} plural string(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
