"""The AAF 2D importer (cartable.feeds.aaf_import): reading the feed's files, record by record, in batches;
`import_aaf`, the whole import in one transaction."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.db import transaction

from cartable.directory import bulk
from cartable.directory.models import (
    Membership,
    Person,
)
from cartable.feeds import history
from cartable.feeds.aaf import Record, files_in_order, read_records
from cartable.feeds.aaf_import.people import AafPeople
from cartable.feeds.aaf_import.rows import (
    ANALYZE_AFTER,
    MISSING_JOINTURE,
    UNKNOWN_PERSON,
    Known,
    PersonRow,
    batched,
    parse_date,
    refresh_statistics,
)
from cartable.feeds.models import FeedImport
from cartable.feeds.report import ImportReport, ProgressBar


class AafImport(AafPeople):
    # -- files ---------------------------------------------------------------------------------------------

    def run(self, directory: Path) -> None:
        files = files_in_order(directory)
        sizes = [path.stat().st_size for _family, path in files]
        if self.progress is not None:
            self.progress.start(sum(sizes))
        done = 0
        for (family, path), size in zip(files, sizes, strict=True):
            counts = copy.deepcopy(self.report.counts)
            rejections = len(self.report.rejections)
            try:
                with transaction.atomic():
                    self.import_file(family, path, done)
            except ParseError as error:
                # Nothing of a broken file is kept, in the database or in the report.
                self.report.counts = counts
                del self.report.rejections[rejections:]
                self.load()
                self.unreadable_files += 1
                self.report.reject("file", path.name, "", f"fichier XML illisible : {error}")
            done += size
        if self.progress is not None:
            self.progress.finish(self.records_read)

    def reader(self, path: Path, offset: int) -> Iterator[Record]:
        if self.progress is None:
            yield from read_records(path)
            return
        progress = self.progress
        for record in read_records(
            path, lambda position: progress.update(offset + position, self.records_read)
        ):
            self.records_read += 1
            yield record

    def import_file(self, family: str, path: Path, offset: int = 0) -> None:
        records = self.reader(path, offset)
        if family == "EtabEducNat":
            for record in records:
                self.import_school(record, path.name)
        elif family == "MatiereEducNat":
            for record in records:
                if record.operation == "delete":
                    # A subject stays while classes are taught it: the directory keeps it.
                    self.report.unchanged("subject_code")
                    continue
                code = record.first("ENTMatJointure") or record.id
                self.subject_names[code] = record.first("ENTLibelleMatiere") or code
                self.report.unchanged("subject_code")
        elif family == "MefEducNat":
            # Levels (MEF) are not stored yet: they are read and counted.
            for _record in records:
                self.report.unchanged("level")
        else:
            mapper = {
                "Eleve": self.map_student,
                "PersRelEleve": self.map_relative,
                "PersEducNat": self.map_staff,
            }[family]
            kind = {"Eleve": "student", "PersRelEleve": "relative", "PersEducNat": "staff"}[family]
            for chunk in batched(records):
                known = self.known_people(
                    [key for r in chunk if r.operation == "modify" and (key := r.key())]
                )
                rows = [
                    row
                    for record in chunk
                    if record.operation != "delete"
                    and (row := self.checked(mapper, kind, record, path.name, known))
                ]
                self.create_pending()
                self.write_people(kind, rows, path.name)
                if self.report.writes >= max(ANALYZE_AFTER, 2 * self.analyzed_at):
                    # The tables doubled since the planner last looked: a few times per import.
                    refresh_statistics()
                    self.analyzed_at = self.report.writes
                deleted = [record for record in chunk if record.operation == "delete"]
                if deleted:
                    self.delete_people(kind, deleted, path.name)

    def known_people(self, keys: list[str]) -> dict[str, Known]:
        """The people these modifications name, with their schools (two queries, none without keys)."""
        if not keys:
            return {}
        known = {
            key: Known(pk=pk)
            for key, pk in Person.objects.filter(aaf_jointure__in=keys)
            .order_by()
            .values_list("aaf_jointure", "pk")
        }
        by_pk = {k.pk: k for k in known.values()}
        for person_id, school_id, profile, functions in Membership.objects.filter(
            person_id__in=list(by_pk)
        ).values_list("person_id", "school_id", "profile", "functions"):
            by_pk[person_id].schools.setdefault(profile, []).append(school_id)
            by_pk[person_id].functions[(school_id, profile)] = sorted(functions or [])
        return known

    def checked(
        self, mapper, kind: str, record: Record, file: str, known: dict[str, Known]
    ) -> PersonRow | None:
        jointure = record.key()
        if jointure:
            # Seen, even if rejected below: a record the feed still carries is not a person who left.
            self.people_seen.add(jointure)
        else:
            self.report.reject(kind, file, record.id, MISSING_JOINTURE)
            return None
        row = PersonRow(record=record, jointure=jointure)
        if record.operation == "modify":
            row.known = known.get(jointure)
            if row.known is None:
                self.report.reject(kind, file, record.id, UNKNOWN_PERSON)
                return None
            # Only what the modification carries changes; a name is never blanked.
            fields = []
            if record.first("givenName"):
                fields.append("first_name")
            if record.first("sn") or record.first("ENTPersonNomPatro"):
                fields.append("last_name")
            if record.has("ENTPersonDateNaissance"):
                fields.append("birth_date")
            if record.first("ENTEleveINE"):
                fields.append("ine")
            row.fields = tuple(fields)
        try:
            row.birth_date = parse_date(record.first("ENTPersonDateNaissance"))
        except ValueError:
            self.report.reject(
                kind,
                file,
                record.id,
                f"date de naissance invalide : {record.first('ENTPersonDateNaissance')}",
            )
            return None
        row.first_name = record.first("givenName")
        row.last_name = record.first("sn") or record.first("ENTPersonNomPatro")
        reason = mapper(row, file)
        if reason:
            self.report.reject(kind, file, record.id, reason)
            return None
        return row


def import_aaf(
    directory: Path,
    *,
    dry_run: bool = False,
    delta: bool = False,
    force: bool = False,
    progress: ProgressBar | None = None,
) -> ImportReport:
    """Import every AAF 2D file of `directory`; with `dry_run`, everything is rolled back at the end.

    A full feed (not `delta`) is the whole truth for its schools: their people missing from it are
    deactivated (account lifecycle, rule C5). A delta feed only changes the people it names. A full feed
    identical to the last import is not read again unless `force` (cartable.feeds.history).
    """
    source = FeedImport.Source.AAF_DELTA if delta else FeedImport.Source.AAF
    paths = [path for _family, path in files_in_order(directory)]
    digest = history.feed_digest(paths)
    previous = None if delta else history.previous_identical_import(source, digest)
    if previous is not None and not (dry_run or force):
        return history.report_of_identical(previous)
    report = ImportReport()
    # One transaction; the directory version is bumped once at its end when anything was written.
    with bulk.provisioning() as writes:
        importer = AafImport(writes, report, progress)
        importer.run(directory)
        if not delta and not dry_run:
            importer.deactivate_missing()
        if dry_run:
            transaction.set_rollback(True)
        elif report.writes or previous is None:
            # A forced re-read that changed nothing leaves the history (and the database) as it was.
            history.record_import(source, digest, len(paths), report)
    return report
