"""CSV import of prospects: stream bytes in, deduplicate within the file and against the database, write in
atomic chunks, and report `{created, updated, duplicates, skipped, errors}`.

`ImportPlanner` decides, for a list of parsed rows, what each becomes (created / updated / duplicate / error) with
one lookup of all their keys; `ProspectImporter` (the synchronous route) feeds it `CHUNK_ROWS` at a time, and an
import job's slice (`shared/service_layer/import_jobs.py`) feeds it one slice and commits the slice atomically.

Memory stays flat: rows are parsed as bytes arrive and every full chunk is written before more is parsed; only
identity keys are kept for the whole file. A row that matches an existing prospect fills that prospect's empty
fields (never overwrites what a user entered); with nothing to fill it counts as a duplicate, so re-importing a
file creates nothing. A bad row is reported and skipped; the rest of the file goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.domain.activities import Activity
from shared.domain.csv_import import CsvBytesParser, InFileDeduper
from shared.domain.csv_import.results import DuplicateRow, ParsedRow, RowError, RowResult, RowWarning
from shared.domain.errors import ConstraintViolation, ValidationFailed
from shared.domain.prospect_records import ProspectRecord, new_record_from_fields, patched_record
from shared.domain.prospects import ProspectPatch
from shared.observability.log import Logger
from shared.ports.prospects import KeyMatches, PendingWrites, ProspectRepository
from shared.ports.runtime import Clock, IdFactory

CHUNK_ROWS = 1_000  # rows per lookup + write batch: 2 round trips and ~5 statements per 1,000 rows
PAUSE_ROWS = 50  # rows of CPU work between two turns of the event loop
FEED_BYTES = 32 * 1024
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


Outcome = Literal["created", "updated", "duplicate", "error"]


async def pause() -> None:
    """Give the event loop a turn: a slice of 1,000 rows is ~0.5 s of CPU, and other work shares the loop (other
    requests in the isolate; locally the dev server's /live and SMTP)."""
    await asyncio.sleep(0)


@dataclass(frozen=True, slots=True)
class RowPlan:
    """What one row of the file becomes. `writes` are the statements for an update; `create` a new prospect."""

    row: int
    outcome: Outcome
    warnings: tuple[RowWarning, ...] = ()
    create: tuple[ProspectRecord, Activity] | None = None
    writes: PendingWrites = field(default_factory=list)
    error_field: str | None = None
    error: str | None = None
    target: str | None = None  # the prospect an update fills


class ImportPlanner:
    """Plans rows against the database: one `match_keys` lookup per call, no writes.

    `token_for(row)` names the write token of each created or updated row (default: fresh ids); a prospect whose
    current write token starts with `own_tokens` was written by this same import earlier (an import job's earlier
    slice), so a row matching it is a duplicate within the file, as the in-file deduper would have said."""

    def __init__(
        self, *, repo: ProspectRepository, clock: Clock, ids: IdFactory, actor: str | None, lead_source: str,
        own_tokens: str | None = None,
    ) -> None:  # fmt: skip
        self._repo, self._clock, self._ids, self._actor = repo, clock, ids, actor
        self._lead_source = lead_source
        self._own_tokens = own_tokens

    def token_for(self, row: int) -> str:
        return f"{self._own_tokens}{row}" if self._own_tokens else self._ids.new_id()

    async def plan(self, results: Sequence[RowResult | DuplicateRow]) -> list[RowPlan]:
        rows = [r for r in results if isinstance(r, ParsedRow)]
        matches = (
            await self._repo.match_keys(
                emails=[r.email_normalized for r in rows if r.email_normalized],
                linkedins=[r.linkedin_normalized for r in rows if r.linkedin_normalized],
                person_keys=[r.person_key for r in rows if r.person_key],
            )
            if rows
            else KeyMatches()
        )
        touched: set[str] = set()
        plans: list[RowPlan] = []
        for index, result in enumerate(results):
            if index and index % PAUSE_ROWS == 0:
                await pause()
            plans.append(self._plan_one(result, matches, touched))
        return plans

    def _plan_one(self, result: RowResult | DuplicateRow, matches: KeyMatches, touched: set[str]) -> RowPlan:
        if isinstance(result, DuplicateRow):
            return RowPlan(result.row_number, "duplicate")
        if isinstance(result, RowError):
            return RowPlan(result.row_number, "error", error_field=result.field, error=result.message)
        row = result
        found: dict[str, str] = {}  # key kind -> the existing prospect holding this row's key of that kind
        for kind, attribute in _KEY_KINDS:
            key = getattr(row, attribute)
            if key and (owner := matches.owners.get((kind, key))) is not None:
                found[kind] = owner
        if len(set(found.values())) > 1:  # e.g. the email is A's and the LinkedIn URL is B's
            names = ", ".join(f"{kind} → {pid}" for kind, pid in found.items())
            return RowPlan(row.row_number, "error", row.warnings,
                           error=f"matches more than one existing prospect ({names})")  # fmt: skip
        target = next(iter(found.values()), None)
        try:
            if target is None:
                return RowPlan(row.row_number, "created", row.warnings, create=self._create(row))
            stored = matches.records.get(target)
            token = matches.write_tokens.get(target) or ""
            if stored is None or target in touched or (self._own_tokens and token.startswith(self._own_tokens)):
                return RowPlan(row.row_number, "duplicate", row.warnings)
            writes = self._fill(stored, row)
            touched.add(target)
            if not writes:
                return RowPlan(row.row_number, "duplicate", row.warnings)
            return RowPlan(row.row_number, "updated", row.warnings, writes=writes, target=target)
        except ValidationFailed as exc:
            return RowPlan(row.row_number, "error", row.warnings, error=str(exc))

    def _create(self, row: ParsedRow) -> tuple[ProspectRecord, Activity]:
        # `fields` is a ProspectFields dump the row builder validated, and lead_source came through the route's
        # check: validating them again would only cost time (tests/unit/test_import_hints.py compares the records).
        values = {"lead_source": self._lead_source, **row.fields}
        record = new_record_from_fields(values, prospect_id=self._ids.new_id(), now=self._clock.now(), hints=row.hints)
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
            record, stored.version, self.token_for(row.row_number), activity, tags_changed=record.tags != stored.tags
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


class ProspectImporter:
    def __init__(
        self, *, repo: ProspectRepository, clock: Clock, ids: IdFactory, log: Logger, actor: str | None,
        lead_source: str = "csv_import", on_created: Callable[[list[str]], Awaitable[None]] | None = None,
    ) -> None:  # fmt: skip
        """`on_created(ids)` hears about the prospects each written chunk created (enrichment queues them)."""
        self._repo, self._ids, self._log = repo, ids, log
        self._on_created = on_created
        self._planner = ImportPlanner(repo=repo, clock=clock, ids=ids, actor=actor, lead_source=lead_source)
        self._parser = CsvBytesParser()
        self._deduper = InFileDeduper()
        self._pending: list[RowResult | DuplicateRow] = []
        self.report = ImportReport()
        self._created: list[str] = []  # this chunk's new prospects, handed to on_created once it is written

    async def feed(self, data: bytes) -> None:
        """Parse `data` FEED_BYTES at a time, writing every full chunk as soon as it is parsed: however large
        `data` is (the SDK hands over a whole buffered body), only one slice's rows are ever held."""
        view = memoryview(data)
        for start in range(0, len(view), FEED_BYTES):
            self._accept(self._parser.feed(bytes(view[start : start + FEED_BYTES])))
            while len(self._pending) >= CHUNK_ROWS:
                await self._flush()

    async def finish(self) -> ImportReport:
        self._accept(self._parser.finish())
        while self._pending:
            await self._flush()
        self._log.info("csv import finished", **{k: v for k, v in self.report.as_dict().items() if k != "errors"})
        return self.report

    def _accept(self, results: list[RowResult]) -> None:
        self._pending.extend(self._deduper.check(result) for result in results)

    async def _flush(self) -> None:
        chunk, self._pending = self._pending[:CHUNK_ROWS], self._pending[CHUNK_ROWS:]
        plans = await self._planner.plan(chunk)
        for plan in plans:
            record_plan(self.report, plan)
        await self._write([p for p in plans if p.create], [p for p in plans if p.outcome == "updated"])
        created, self._created = self._created, []
        if created and self._on_created is not None:
            await self._on_created(created)

    async def _write(self, creates: list[RowPlan], updates: list[RowPlan]) -> None:
        """All of a chunk in one atomic batch; if one row collides (a concurrent insert, two keys naming two
        prospects), fall back to one batch per row so only the colliding rows are lost to duplicates."""
        if not creates and not updates:
            return
        inserts = self._repo.insert_many_queries([p.create for p in creates if p.create])
        try:
            changes = await self._repo.run_batch(inserts + [q for p in updates for q in p.writes])
        except ConstraintViolation:
            for plan in creates:
                assert plan.create is not None
                record, activity = plan.create
                await self._write_one(self._repo.insert_queries(record, self._ids.new_id(), activity), "created",
                                      record.id)  # fmt: skip
            for plan in updates:
                await self._write_one(plan.writes, "updated")
            return
        self.report.created += len(creates)
        self._created += [p.create[0].id for p in creates if p.create]
        position = len(inserts)
        for plan in updates:  # each update's first statement is its version-guarded UPDATE
            if changes[position] > 0:
                self.report.updated += 1
            else:
                self.report.duplicates += 1  # changed by someone else meanwhile: left as they made it
            position += len(plan.writes)

    async def _write_one(self, queries: PendingWrites, outcome: str, created_id: str | None = None) -> None:
        try:
            changes = await self._repo.run_batch(queries)
        except ConstraintViolation:
            self.report.duplicates += 1
            return
        if changes[0] > 0:
            if outcome == "created":
                self.report.created += 1
                if created_id is not None:
                    self._created.append(created_id)
            else:
                self.report.updated += 1
        else:
            self.report.duplicates += 1


def record_plan(report: ImportReport, plan: RowPlan) -> None:
    """Count a planned row in the report: warnings, errors and duplicates now; created/updated once written."""
    for warning in plan.warnings:
        report.warn(plan.row, warning.field, warning.message)
    if plan.outcome == "duplicate":
        report.duplicates += 1
    elif plan.outcome == "error":
        report.error(plan.row, plan.error_field, plan.error or "invalid row")
