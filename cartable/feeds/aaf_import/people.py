"""The AAF 2D importer (cartable.feeds.aaf_import): writing people, their memberships, enrolments,
teaching assignments and guardianships, and the account lifecycle, through the directory's provisioning API
(cartable.directory.bulk)."""

from __future__ import annotations

from django.utils import timezone

from cartable.accounts.usernames import base_username
from cartable.directory.bulk import ImportedPerson, NewGuardianship, NewMembership
from cartable.directory.models import (
    Enrolment,
    Guardianship,
    Membership,
    Person,
    Profile,
    TeachingAssignment,
)
from cartable.feeds.aaf import Record
from cartable.feeds.aaf_import.mapping import AafMapping
from cartable.feeds.aaf_import.rows import (
    BATCH,
    FEED_KINDS,
    GUARDIAN_FIELDS,
    LOGIN_WINDOW,
    MISSING_JOINTURE,
    PERSON_FIELDS,
    UNKNOWN_DELETED,
    PendingGuardian,
    PersonRow,
    batched,
    logins_among,
)


class AafPeople(AafMapping):
    # -- writing people ------------------------------------------------------------------------------------

    def write_people(self, kind: str, rows: list[PersonRow], file: str) -> None:
        unique: dict[str, PersonRow] = {}
        for row in rows:
            if row.jointure in unique:
                self.report.reject(
                    kind, file, row.record.id, "identifiant de jointure en double dans le flux"
                )
            else:
                unique[row.jointure] = row
        if not unique:
            return
        # Plain tuples, not model instances: most people of a feed are unchanged and cost one tuple each.
        existing: dict[str, tuple] = {
            values[1]: values
            for values in Person.objects.filter(aaf_jointure__in=list(unique))
            .order_by()
            .values_list("pk", "aaf_jointure", "left_at", *PERSON_FIELDS)
        }
        ids = {key: values[0] for key, values in existing.items()}
        returning = [values[0] for values in existing.values() if values[2] is not None]
        if returning:
            # Back before the purge: the same account and data, updated below like everyone's.
            self.report.updated("reactivated", self.directory.reactivate(returning))
        new_rows = [row for key, row in unique.items() if key not in existing]
        changed = []
        for key, values in existing.items():
            row = unique[key]
            current = dict(zip(PERSON_FIELDS, values[3:], strict=True))
            wanted = {name: getattr(row, name) for name in row.fields}
            if "ine" in wanted:
                wanted["ine"] = row.ine or current["ine"]
            if any(current[name] != value for name, value in wanted.items()):
                changed.append(Person(pk=values[0], **{**current, **wanted}))
        self.directory.update_people(changed, PERSON_FIELDS, batch_size=BATCH)
        self.report.updated(kind, len(changed))
        self.report.unchanged(kind, len(existing) - len(changed))
        if new_rows:
            people = self.directory.create_people(
                [
                    ImportedPerson(
                        first_name=row.first_name,
                        last_name=row.last_name,
                        jointure=row.jointure,
                        birth_date=row.birth_date,
                        ine=row.ine,
                    )
                    for row in new_rows
                ],
                self.taken_logins(new_rows),
                self.password,
                BATCH,
            )
            ids.update({p.aaf_jointure: p.pk for p in people})
            self.report.created(kind, len(people))
        self.write_memberships({ids[k]: r.memberships for k, r in unique.items()})
        if kind == "relative":
            self.relatives_seen.update(unique)
        if kind == "student":
            links = []
            for key, row in unique.items():
                for link in row.guardians:
                    link.student_id = ids[key]
                    links.append(link)
            self.write_guardians(links)
            self.write_enrolments(
                {
                    ids[k]: ({self.groups[g] for g in r.groups}, r.group_kinds)
                    for k, r in unique.items()
                    if r.group_kinds
                }
            )
        if kind == "staff":
            self.write_teaching(
                {
                    ids[k]: (
                        {(self.groups[g], self.subjects[c] if c else None) for g, c in r.teaching},
                        r.teaching_kinds,
                    )
                    for k, r in unique.items()
                    if r.teaching_kinds
                }
            )

    def taken_logins(self, rows: list[PersonRow]) -> set[str]:
        """The logins already taken among those these people may get (prenom.nom, prenom.nom2, …), read
        window by window: memory does not grow with the number of accounts."""
        pending = {base_username(row.first_name, row.last_name) for row in rows}
        taken: set[str] = set()
        start, size = 1, LOGIN_WINDOW
        while pending:
            window = range(start, start + size)
            candidates = [base if n == 1 else f"{base}{n}" for base in pending for n in window]
            found = logins_among(candidates)
            taken |= found
            pending = {b for b in pending if all((b if n == 1 else f"{b}{n}") in found for n in window)}
            start += size
            size *= 4  # the few names shared by many people are looked up in wider windows
        return taken

    def delete_people(self, kind: str, records: list[Record], file: str) -> None:
        """A `deleteRequest`: the person has left (left_at, no login); their data stay until the purge."""
        keys = {record.key(): record for record in records if record.key()}
        found = dict(
            Person.objects.filter(aaf_jointure__in=list(keys))
            .order_by()
            .values_list("aaf_jointure", "left_at")
        )
        for record in records:
            if not record.key():
                self.report.reject(kind, file, record.id, MISSING_JOINTURE)
            elif record.key() not in found:
                self.report.reject(kind, file, record.id, UNKNOWN_DELETED)
        gone = [key for key, left_at in found.items() if left_at is None]
        self.report.unchanged("deactivated", len(found) - len(gone))
        if gone:
            ids = Person.objects.filter(aaf_jointure__in=gone).values_list("pk", flat=True)
            self.report.updated("deactivated", self.directory.deactivate(list(ids), timezone.now()))

    def write_memberships(self, wanted: dict[int, dict[tuple[int, str], list[str] | None]]) -> None:
        """Create the memberships asked for and update their functions (None: leave them as they are)."""
        current = {
            (person_id, school_id, profile): (pk, functions)
            for pk, person_id, school_id, profile, functions in Membership.objects.filter(
                person_id__in=[pk for pk, links in wanted.items() if links]
            ).values_list("pk", "person_id", "school_id", "profile", "functions")
        }
        to_create: list[NewMembership] = []
        to_update = []
        for person_id, links in wanted.items():
            for (school_id, profile), functions in links.items():
                # The people records' schools: their cached facts are read again after the import.
                self.directory.concerns_schools([school_id])
                found = current.get((person_id, school_id, profile))
                if found is None:
                    to_create.append(NewMembership(person_id, school_id, profile, functions or []))
                elif functions is not None and sorted(found[1] or []) != functions:
                    to_update.append((found[0], functions))
        self.directory.add_memberships(to_create)
        self.directory.set_functions(to_update, batch_size=BATCH)
        self.report.created("membership", len(to_create))
        self.report.updated("membership", len(to_update))

    def write_enrolments(self, wanted: dict[int, tuple[set[int], frozenset[str]]]) -> None:
        """Make each pupil's enrolments in this year's feed groups of the given kinds exactly the wanted ones
        (manual groups, and the kinds a modification does not name, stay)."""
        if self.year is None or not wanted:
            return
        kind = "enrolment"
        rows = Enrolment.objects.filter(
            student_id__in=list(wanted),
            group__year=self.year,
            group__kind__in=list(FEED_KINDS),
        ).values_list("pk", "student_id", "group_id", "group__kind")
        have: dict[tuple[int, int], int] = {}
        stale = []
        for pk, o, t, group_kind in rows:
            if t in wanted[o][0]:
                have[(o, t)] = pk
            elif group_kind in wanted[o][1]:
                stale.append(pk)
        new = [(o, t) for o, (targets, _kinds) in wanted.items() for t in targets if (o, t) not in have]
        self.directory.enrol(new)
        self.directory.unenrol(stale)
        self.report.created(kind, len(new))
        self.report.updated(kind, len(stale))
        self.report.unchanged(kind, len(have))

    def write_teaching(self, wanted: dict[int, tuple[set[tuple[int, int | None]], frozenset[str]]]) -> None:
        if self.year is None or not wanted:
            return
        rows = TeachingAssignment.objects.filter(
            teacher_id__in=list(wanted),
            group__year=self.year,
            group__kind__in=list(FEED_KINDS),
        ).values_list("pk", "teacher_id", "group_id", "subject_id", "group__kind")
        have = set()
        stale = []
        for pk, t, g, s, group_kind in rows:
            if (g, s) in wanted[t][0]:
                have.add((t, g, s))
            elif group_kind in wanted[t][1]:
                stale.append(pk)
        new = [(t, g, s) for t, (links, _kinds) in wanted.items() for g, s in links if (t, g, s) not in have]
        self.directory.assign_teaching(new)
        self.directory.unassign_teaching(stale)
        self.report.created("teaching_assignment", len(new))
        self.report.updated("teaching_assignment", len(stale))
        self.report.unchanged("teaching_assignment", len(have))

    # -- account lifecycle ---------------------------------------------------------------------------------

    def deactivate_missing(self) -> None:
        """After a full feed: people of the feed's schools who are no longer in it have left.

        Only AAF keys count (ONDE people have theirs, "onde:…"), and someone also attached to a school
        this feed does not describe stays: another feed still carries them.
        """
        if not self.feed_school_ids:
            return
        if self.unreadable_files:
            self.report.reject("deactivated", "", "", "fichier illisible : aucun compte désactivé")
            return
        outside = Membership.objects.exclude(school_id__in=self.feed_school_ids).values("person_id")
        candidates = (
            Person.objects.filter(left_at__isnull=True, memberships__school_id__in=self.feed_school_ids)
            .exclude(aaf_jointure="")
            .exclude(aaf_jointure__startswith="onde:")
            .exclude(pk__in=outside)
            .values_list("pk", "aaf_jointure")
            .distinct()
        )
        gone = [pk for pk, key in candidates.iterator() if key not in self.people_seen]
        for chunk in batched(gone):
            self.report.updated("deactivated", self.directory.deactivate(chunk, timezone.now()))

    # -- guardianships, with each batch of pupils (their relatives came first) -----------------------------

    def write_guardians(self, links: list[PendingGuardian]) -> None:
        for chunk in batched(links):
            # A relative is someone of this feed's PersRelEleve files or already a relative: a link to any
            # other person with that id (the sample feeds link a pupil to their own id) is not a guardian.
            wanted = {p.relative for p in chunk}
            seen = {key for key in wanted if key in self.relatives_seen}
            relatives = dict(
                Person.objects.filter(aaf_jointure__in=wanted & seen)
                .order_by()
                .values_list("aaf_jointure", "pk")
            )
            relatives.update(
                Person.objects.filter(aaf_jointure__in=wanted - seen, memberships__profile=Profile.RELATIVE)
                .order_by()
                .distinct()
                .values_list("aaf_jointure", "pk")
            )
            known = []
            for link in chunk:
                if link.relative not in relatives:
                    self.report.reject(
                        "guardianship",
                        link.file,
                        link.record,
                        f"responsable {link.relative} inconnu (absent des fichiers PersRelEleve)",
                    )
                else:
                    known.append(link)
            memberships: dict[int, dict[tuple[int, str], list[str] | None]] = {}
            for link in known:
                memberships.setdefault(relatives[link.relative], {})[(link.school_id, Profile.RELATIVE)] = []
            self.write_memberships(memberships)
            have = {
                (values[1], values[2]): values
                for values in Guardianship.objects.filter(
                    relative_id__in=[relatives[link.relative] for link in known],
                    student_id__in=[link.student_id for link in known],
                ).values_list("pk", "relative_id", "student_id", *GUARDIAN_FIELDS)
            }
            to_create: dict[tuple[int, int], NewGuardianship] = {}
            to_update = []
            for link in known:
                fields = {
                    "relationship": link.relationship,
                    "legal_guardian": link.legal_guardian,
                    "financial": link.financial,
                    "contact": link.contact,
                }
                pair = (relatives[link.relative], link.student_id)
                current = have.get(pair)
                if current is None:
                    # A relative named twice for the same pupil: the last link wins.
                    to_create[pair] = NewGuardianship(
                        *pair, link.relationship, link.legal_guardian, link.financial, link.contact
                    )
                elif current[3:] != tuple(fields.values()):
                    to_update.append(Guardianship(pk=current[0], **fields))
                else:
                    self.report.unchanged("guardianship")
            self.directory.link_guardians(to_create.values())
            self.directory.update_guardianships(
                to_update, ["relationship", "legal_guardian", "financial", "contact"], batch_size=BATCH
            )
            self.report.created("guardianship", len(to_create))
            self.report.updated("guardianship", len(to_update))
