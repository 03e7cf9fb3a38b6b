"""CSV import of prospects: stream bytes in, deduplicate within the file and against the database, write in
atomic chunks, and report `{created, updated, duplicates, skipped, errors}`.

Memory stays flat: rows are parsed as bytes arrive and written every `CHUNK_ROWS` rows; only identity keys are
kept for the whole file. A row that matches an existing prospect fills that prospect's empty fields (never
overwrites what a user entered); with nothing to fill it counts as a duplicate, so re-importing a file creates
nothing. A bad row is reported and skipped; the rest of the file goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.domain.activities import Activity
from shared.domain.csv_import import CsvBytesParser, InFileDeduper
from shared.domain.csv_import.results import DuplicateRow, ParsedRow, RowError
from shared.domain.errors import ConstraintViolation, ValidationFailed
from shared.domain.prospect_records import ProspectRecord, new_record, patched_record
from shared.domain.prospects import ProspectCreate, ProspectPatch
from shared.observability.log import Logger
from shared.ports.prospects import PendingWrites, ProspectRepository
from shared.ports.runtime import Clock, IdFactory

CHUNK_ROWS = 200
MAX_REPORTED_ERRORS = 1_000
_KEY_KINDS = (("email", "email_normalized"), ("linkedin", "linkedin_normalized"), ("person", "person_key"))


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    errors_truncated: bool = False

    def warn(self, row: int, field_name: str | None, message: str) -> None:
        if len(self.warnings) < MAX_REPORTED_ERRORS:
            self.warnings.append({"row": row, "field": field_name, "message": message})
        else:
            self.errors_truncated = True

    def error(self, row: int, field_name: str | None, message: str) -> None:
        self.skipped += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "field": field_name, "message": message})
        else:
            self.errors_truncated = True

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "created": self.created,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "errors": self.errors,
            "warnings": self.warnings,
        }
        if self.errors_truncated:
            body["errors_truncated"] = True
        return body


class ProspectImporter:
    def __init__(
        self, *, repo: ProspectRepository, clock: Clock, ids: IdFactory, log: Logger, actor: str | None,
        lead_source: str = "csv_import",
    ) -> None:  # fmt: skip
        self._repo, self._clock, self._ids, self._log, self._actor = repo, clock, ids, log, actor
        self._lead_source = lead_source
        self._parser = CsvBytesParser()
        self._deduper = InFileDeduper()
        self._pending: list[ParsedRow] = []
        self.report = ImportReport()

    async def feed(self, data: bytes) -> None:
        self._accept(self._parser.feed(data))
        if len(self._pending) >= CHUNK_ROWS:
            await self._flush()

    async def finish(self) -> ImportReport:
        self._accept(self._parser.finish())
        while self._pending:
            await self._flush()
        self._log.info("csv import finished", **{k: v for k, v in self.report.as_dict().items() if k != "errors"})
        return self.report

    def _accept(self, results: list[Any]) -> None:
        for result in results:
            checked = self._deduper.check(result)
            if isinstance(checked, DuplicateRow):
                self.report.duplicates += 1
            elif isinstance(checked, RowError):
                self.report.error(checked.row_number, checked.field, checked.message)
            elif isinstance(checked, ParsedRow):
                for warning in checked.warnings:
                    self.report.warn(checked.row_number, warning.field, warning.message)
                self._pending.append(checked)

    async def _flush(self) -> None:
        rows, self._pending = self._pending[:CHUNK_ROWS], self._pending[CHUNK_ROWS:]
        existing = await self._repo.find_existing_keys(
            emails=[r.email_normalized for r in rows if r.email_normalized],
            linkedins=[r.linkedin_normalized for r in rows if r.linkedin_normalized],
            person_keys=[r.person_key for r in rows if r.person_key],
        )
        matches: dict[int, str] = {}
        ambiguous: set[int] = set()
        for row in rows:
            found = {
                kind: existing[(kind, getattr(row, attribute))]
                for kind, attribute in _KEY_KINDS
                if getattr(row, attribute) and (kind, getattr(row, attribute)) in existing
            }
            if len(set(found.values())) > 1:  # e.g. the email is A's and the LinkedIn URL is B's
                ambiguous.add(row.row_number)
                names = ", ".join(f"{kind} → {pid}" for kind, pid in found.items())
                self.report.error(row.row_number, None, f"matches more than one existing prospect ({names})")
            elif found:
                matches[row.row_number] = next(iter(found.values()))
        stored = await self._repo.get_many(sorted(set(matches.values())))
        creates: list[tuple[ProspectRecord, Activity]] = []
        updates: list[PendingWrites] = []
        touched: set[str] = set()
        for row in rows:
            if row.row_number in ambiguous:
                continue
            target = matches.get(row.row_number)
            try:
                if target is None:
                    creates.append(self._create(row))
                elif target in touched or target not in stored:
                    self.report.duplicates += 1
                else:
                    queries = self._fill(stored[target], row)
                    touched.add(target)
                    if queries:
                        updates.append(queries)
                    else:
                        self.report.duplicates += 1
            except ValidationFailed as exc:
                self.report.error(row.row_number, None, str(exc))
        await self._write(creates, updates)

    def _create(self, row: ParsedRow) -> tuple[ProspectRecord, Activity]:
        data = ProspectCreate.model_validate({"lead_source": self._lead_source, **row.fields})
        record = new_record(data, prospect_id=self._ids.new_id(), now=self._clock.now())
        return record, self._activity(record, "imported", "Imported from CSV")

    def _fill(self, stored: ProspectRecord, row: ParsedRow) -> PendingWrites:
        """Queries that fill the stored prospect's empty fields from the row; none when nothing is new."""
        changes = {
            name: value for name, value in row.fields.items()
            if value not in (None, "", []) and getattr(stored, name, None) in (None, "", [])
        }  # fmt: skip
        if row.fields.get("tags"):
            merged = sorted({*stored.tags, *row.fields["tags"]})
            if merged != stored.tags:
                changes["tags"] = merged
        changes.pop("stage", None)  # an import never moves a prospect through the pipeline
        if not changes:
            return []
        record = patched_record(stored, ProspectPatch.model_validate(changes), now=self._clock.now())
        activity = self._activity(record, "import_merged", f"Filled {', '.join(sorted(changes))} from CSV")
        return self._repo.update_queries(
            record, stored.version, self._ids.new_id(), activity, tags_changed=record.tags != stored.tags
        )

    def _activity(self, record: ProspectRecord, type_: str, summary: str) -> Activity:
        return Activity(
            id=self._ids.new_id(),
            prospect_id=record.id,
            type=type_,
            summary=summary,
            actor=self._actor,
            occurred_at=self._clock.now(),
        )

    async def _write(self, creates: list[tuple[ProspectRecord, Activity]], updates: list[PendingWrites]) -> None:
        """All of a chunk in one atomic batch; if one row collides (a concurrent insert, two keys naming two
        prospects), fall back to one batch per row so only the colliding rows are lost to duplicates."""
        if not creates and not updates:
            return
        inserts = self._repo.insert_many_queries(creates)
        try:
            changes = await self._repo.run_batch(inserts + [q for queries in updates for q in queries])
        except ConstraintViolation:
            for record, activity in creates:
                await self._write_one(self._repo.insert_queries(record, self._ids.new_id(), activity), "created")
            for queries in updates:
                await self._write_one(queries, "updated")
            return
        self.report.created += len(creates)
        position = len(inserts)
        for queries in updates:  # each update's first statement is its version-guarded UPDATE
            if changes[position] > 0:
                self.report.updated += 1
            else:
                self.report.duplicates += 1  # changed by someone else meanwhile: left as they made it
            position += len(queries)

    async def _write_one(self, queries: PendingWrites, outcome: str) -> None:
        try:
            changes = await self._repo.run_batch(queries)
        except ConstraintViolation:
            self.report.duplicates += 1
            return
        if changes[0] > 0:
            self._count(outcome)
        else:
            self.report.duplicates += 1

    def _count(self, outcome: str) -> None:
        if outcome == "created":
            self.report.created += 1
        else:
            self.report.updated += 1
