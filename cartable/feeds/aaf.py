"""Reading AAF 2D feeds (ficAlimMENESR XML files) one record at a time, in flat memory.

A file is a list of `addRequest` (full feeds) or `modifyRequest` / `deleteRequest` (delta feeds). Each record
has an `identifier/id` (the person's or structure's join key) and attributes `attr name=…` holding one or more
`value`s; a `modifyRequest` carries only the changed attributes, as `modifications/modification name=…
operation="replace"`, and a `deleteRequest` nothing but its identifier (ficAlimMENESR.dtd). A record becomes
a plain dict of attribute name → list of values. Empty `<value/>` elements are dropped, so an attribute with
only empty values is an empty list. The parser honours the declared encoding (UTF-8 or ISO-8859-15) and XML
already turns CRLF into LF.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import iterparse

# Families in the order they must be imported: schools, then what refers to them. Relatives come before
# pupils, so that each batch of pupils is linked to its guardians at once (nothing waits in memory).
FAMILIES = ("EtabEducNat", "MatiereEducNat", "MefEducNat", "PersRelEleve", "Eleve", "PersEducNat")

OPERATIONS = {"addRequest": "add", "modifyRequest": "modify", "deleteRequest": "delete"}


@dataclass
class Record:
    operation: str  # add, modify or delete
    id: str
    attrs: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        """The first non-empty value of an attribute, or ""."""
        values = self.attrs.get(name)
        return values[0] if values else ""

    def values(self, name: str) -> list[str]:
        return self.attrs.get(name, [])

    def has(self, *names: str) -> bool:
        """Does the record carry one of these attributes (a modification may carry only a few)?"""
        return any(name in self.attrs for name in names)

    def key(self, attribute: str = "ENTPersonJointure") -> str:
        """The join key: the attribute when present, else (modifications and deletions) the identifier."""
        return self.first(attribute) or ("" if self.operation == "add" else self.id)


def family_of(path: Path) -> str | None:
    """`ENT_Complet_20200101_Eleve_0000.xml` → "Eleve"; None for a file that is not an AAF family."""
    for family in FAMILIES:
        if re.search(rf"_{family}_", path.name) and path.suffix.lower() == ".xml":
            return family
    return None


def files_in_order(directory: Path) -> list[tuple[str, Path]]:
    found = [(family, path) for path in sorted(directory.iterdir()) if (family := family_of(path))]
    return sorted(found, key=lambda item: FAMILIES.index(item[0]))


def _values(attr) -> list[str]:
    return [text.strip() for value in attr if value.tag == "value" and (text := value.text or "").strip()]


PROGRESS_EVERY = 500


def read_records(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[Record]:
    """Yield the records of one file as they are parsed; raises xml.etree.ElementTree.ParseError if the
    file is not well-formed (records before the error have been yielded). `progress`, if given, is told
    now and then how many bytes of the file have been read."""
    count = 0
    with open(path, "rb") as stream:
        root = None
        # Expat (≥ 2.4) never fetches external entities and caps entity expansion.
        for event, elem in iterparse(stream, events=("start", "end")):  # noqa: S314
            if root is None:
                root = elem
            if event == "start":
                continue
            operation = OPERATIONS.get(elem.tag)
            if operation is None:
                continue
            record = Record(operation=operation, id=(elem.findtext("identifier/id") or "").strip())
            for attr in elem.iterfind("attributes/attr"):
                record.attrs[attr.get("name", "")] = _values(attr)
            for change in elem.iterfind("modifications/modification"):
                record.attrs[change.get("name", "")] = _values(change)
            yield record
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(stream.tell())
            # Drop the record and its already-read siblings: memory stays flat whatever the file size.
            root.clear()
        if progress is not None:
            progress(stream.tell())
