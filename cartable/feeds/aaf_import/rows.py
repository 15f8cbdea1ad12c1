"""The AAF 2D importer (cartable.feeds.aaf_import): what it keeps while reading a feed — join keys, the
people records once mapped, the pending guardianships — and small helpers."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice

from django.db import connection

from cartable.accounts.models import User
from cartable.directory.models import (
    Enrolment,
    Function,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    Subject,
    TeachingAssignment,
)
from cartable.feeds.aaf import Record

BATCH = 1000
LOGIN_WINDOW = 3

MISSING_JOINTURE = "identifiant de jointure manquant"
NO_CURRENT_YEAR = "aucune année scolaire en cours : classes et groupes non importés"

# AAF function codes (second field of ENTPersonFonctions) → Cartable functions.
FUNCTIONS = {
    "DIR": Function.DIRECTION,
    "EDU": Function.VIE_SCOLAIRE,
    "DOC": Function.DOCUMENTALIST,
    "ADF": Function.ADMINISTRATIVE,
}
PRIMARY_TYPES = {"ECOLE", "EP", "EE", "EM", "E.E.PU", "E.M.PU", "E.P.PU", "EEPU", "EMPU", "EPPU"}


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy → date; raises ValueError when malformed."""
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None  # noqa: DTZ007 (only the date is kept)


def batched[T](items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


UNKNOWN_PERSON = "personne inconnue de l'annuaire : modification impossible"
UNKNOWN_DELETED = "personne inconnue de l'annuaire : suppression ignorée"

FEED_KINDS = frozenset({GroupKind.CLASS, GroupKind.TEACHING})


def logins_among(candidates: list[str]) -> set[str]:
    """Which of these logins exist (on PostgreSQL one array parameter, not thousands of placeholders)."""
    if connection.vendor != "postgresql":
        return set(User.objects.filter(username__in=candidates).values_list("username", flat=True))
    table, column = User._meta.db_table, User._meta.get_field("username").column or "username"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} = ANY(%s)",  # noqa: S608
            [candidates],
        )
        return {row[0] for row in cursor.fetchall()}


ANALYZE_AFTER = 2000  # rows written before the first refresh of the statistics


def refresh_statistics() -> None:
    """Fresh planner statistics for the directory tables (PostgreSQL). The import runs in one
    transaction, which autovacuum cannot see into: without this, once a table has grown by tens of
    thousands of rows, lookups by key become sequential scans. ANALYZE counts the transaction's own rows."""
    if connection.vendor != "postgresql":
        return
    models = (User, Person, Membership, Enrolment, Guardianship, TeachingAssignment, Group, Subject)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


class KeySet:
    """A set of join keys kept as sorted 64-bit hashes, 8 bytes a key: an académie's worth of people
    fits in a few megabytes, so the importer's memory stays flat whatever the feed's size. (Two keys with
    the same hash, one chance in 10^9 for a million people, would only make a departed person look seen.)"""

    def __init__(self) -> None:
        self.hashes = array("q")
        self.sorted_upto = 0

    def add(self, key: str) -> None:
        self.hashes.append(hash(key))

    def update(self, keys: Iterable[str]) -> None:
        self.hashes.extend(hash(key) for key in keys)

    def __contains__(self, key: str) -> bool:
        if self.sorted_upto != len(self.hashes):
            self.hashes = array("q", sorted(set(self.hashes)))
            self.sorted_upto = len(self.hashes)
        h = hash(key)
        i = bisect_left(self.hashes, h)
        return i < len(self.hashes) and self.hashes[i] == h


@dataclass(slots=True)
class Known:
    """A person a modification names, as the directory has them: id and schools per profile."""

    pk: int
    schools: dict[str, list[int]] = field(default_factory=dict)
    functions: dict[tuple[int, str], list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class PendingGuardian:
    relative: str
    student_id: int
    school_id: int
    relationship: str
    legal_guardian: bool
    financial: bool
    contact: bool
    file: str
    record: str


PERSON_FIELDS = ("first_name", "last_name", "birth_date", "ine")
GUARDIAN_FIELDS = ("relationship", "legal_guardian", "financial", "contact")
GroupKey = tuple[int, str]  # (school id, name)
SubjectKey = tuple[int, str]  # (school id, code)


@dataclass(slots=True)
class PersonRow:
    """One person record once mapped, with the links it asks for (resolved to ids).

    A full record sets everything; a modification sets only the `fields` it carries and replaces only the
    links of the group kinds it names (`group_kinds`, `teaching_kinds`).
    """

    record: Record
    jointure: str
    first_name: str = ""
    last_name: str = ""
    birth_date: date | None = None
    ine: str = ""
    fields: tuple[str, ...] = PERSON_FIELDS
    known: Known | None = None
    # (school id, profile) → functions (None: keep the functions the membership has)
    memberships: dict[tuple[int, str], list[str] | None] = field(default_factory=dict)
    groups: set[GroupKey] = field(default_factory=set)
    group_kinds: frozenset[str] = FEED_KINDS
    # (group id, subject id or None)
    teaching: set[tuple[GroupKey, SubjectKey | None]] = field(default_factory=set)
    teaching_kinds: frozenset[str] = FEED_KINDS
    guardians: list[PendingGuardian] = field(default_factory=list)
