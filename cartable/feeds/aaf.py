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
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

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


CHUNK = 1 << 16
FIELDS = ("attr", "modification")
LISTS = ("attributes", "modifications")


class _Reader:
    """Expat callbacks that build records straight from the parser's events (no element tree): a record
    is handed over when its closing tag is read, then forgotten, so memory stays flat."""

    def __init__(self) -> None:
        self.done: list[Record] = []
        self.record: Record | None = None
        self.in_list = False
        self.name = ""
        self.values: list[str] | None = None
        self.text: list[str] | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "value":
            if self.values is not None:
                self.text = []
        elif tag in FIELDS:
            if self.record is not None and self.in_list:
                self.name = attrs.get("name", "")
                self.values = []
        elif tag == "id":
            if self.record is not None:
                self.text = []
        elif tag in LISTS:
            self.in_list = True
        elif tag in OPERATIONS:
            self.record = Record(operation=OPERATIONS[tag], id="")
            self.in_list = False

    def end(self, tag: str) -> None:
        if tag == "value":
            if self.text is not None and self.values is not None:
                if value := "".join(self.text).strip():
                    self.values.append(value)
                self.text = None
        elif tag in FIELDS:
            if self.values is not None and self.record is not None:
                self.record.attrs[self.name] = self.values
                self.values = None
        elif tag == "id":
            if self.text is not None and self.record is not None:
                self.record.id = "".join(self.text).strip()
                self.text = None
        elif tag in LISTS:
            self.in_list = False
        elif tag in OPERATIONS and self.record is not None:
            self.done.append(self.record)
            self.record = None

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)


def read_records(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[Record]:
    """Yield the records of one file as they are parsed; raises xml.etree.ElementTree.ParseError if the
    file is not well-formed (records before the error have been yielded). `progress`, if given, is told
    now and then how many bytes of the file have been read.

    Expat honours the declared encoding, never fetches the external DTD nor external entities, and caps
    entity expansion (≥ 2.4).
    """
    reader = _Reader()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    with open(path, "rb") as stream:
        while True:
            chunk = stream.read(CHUNK)
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as error:
                yield from reader.done
                raise ParseError(str(error)) from error
            yield from reader.done
            reader.done.clear()
            if progress is not None:
                progress(stream.tell())
            if not chunk:
                return
