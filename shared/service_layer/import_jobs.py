"""CSV imports as background jobs (docs/decisions/0013): stage the upload, then process it slice by slice.

Staging (the POST request): the body is decoded and split into records as it arrives (the header is checked
first, so an unreadable file is refused at once), and the records are stored as JSON chunks in D1. No row is
built yet: that is the expensive part, and it belongs to the slices.

A slice (one `import.slice` queue message, one invocation): read the job and its cursor, read one chunk, build
and deduplicate its rows after the cursor, plan them with one key lookup, and commit the prospects *and* the
job's new cursor and counts in one D1 batch. The job's `slice_guard` CHECK fails that batch when the job is no
longer where the slice started, so a redelivered slice writes nothing twice and a crash mid-slice (nothing
committed) is simply redone. Each slice publishes its successor just before committing (see `run_slice`). A
slice commits at most `SLICE_STATEMENT_BUDGET` statements (updates cost a few each; creates are three statements
for the whole slice), ending early at a row boundary when the budget is spent.

Rows repeating an earlier slice's row are duplicates, as in the synchronous import: every prospect a job writes
carries the write token `import:<job>:<row>`, and a match still carrying this job's token is one of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from shared.domain.csv_import import CsvBytesParser, CsvFormatError, CsvParser, InFileDeduper
from shared.domain.csv_import.results import DuplicateRow, RowResult
from shared.domain.errors import Conflict, ConstraintViolation, NotFound
from shared.domain.import_jobs import ImportJob, JobState, SliceCursor
from shared.domain.import_jobs.chunks import RecordChunker, decode_chunk
from shared.messages.payloads import ImportSlice
from shared.messages.queues import QueueName
from shared.observability.log import Logger
from shared.ports.import_jobs import ImportJobRepository, SliceCommit
from shared.ports.prospects import ProspectRepository
from shared.ports.queues import QueuePublisher
from shared.ports.runtime import Clock, IdFactory
from shared.service_layer.envelopes import new_envelope
from shared.service_layer.imports import MAX_REPORTED_ERRORS, PAUSE_ROWS, ImportPlanner, RowPlan, pause


class SliceNotReady(Exception):
    """A slice arrived before the commit of the slice that published it: retry it later."""


SLICE_STATEMENT_BUDGET = 300  # of D1's ~1,000 queries per invocation (paid plan; 50 on free)
STAGE_FEED_BYTES = 64 * 1024
STAGE_BATCH_CHUNKS = 4


class ImportJobService:
    def __init__(
        self, *, jobs: ImportJobRepository, prospects: ProspectRepository, publisher: QueuePublisher, clock: Clock,
        ids: IdFactory, log: Logger, on_created: Callable[[list[str], str], Awaitable[None]] | None = None,
    ) -> None:  # fmt: skip
        """`on_created(ids, trace_id)` hears about the prospects each committed slice created (enrichment queues
        them); it must not raise (a lost call is caught up by the off-hours enrichment top-up)."""
        self._jobs, self._prospects, self._publisher = jobs, prospects, publisher
        self._clock, self._ids, self._log = clock, ids, log
        self._on_created = on_created

    def _now(self) -> str:
        return self._clock.now().isoformat()

    # -- staging -------------------------------------------------------------------------------------------------
    async def stage(
        self, body: AsyncIterator[bytes], *, lead_source: str, actor: str | None,
        filename: Callable[[], str | None], trace_id: str,
    ) -> ImportJob:  # fmt: skip
        """Store the upload as a queued job and enqueue its first slice. Raises CsvFormatError (nothing stored)
        for an empty or unreadable file."""
        parser = CsvBytesParser()
        chunker = RecordChunker()
        job_id = self._ids.new_id()
        created = False
        pending: list[str] = []
        stored = 0
        received = 0
        try:
            async for data in body:
                received += len(data)
                for start in range(0, len(data), STAGE_FEED_BYTES):
                    pending += chunker.add(parser.feed_records(data[start : start + STAGE_FEED_BYTES]))
                    if len(pending) >= STAGE_BATCH_CHUNKS:
                        created = created or await self._create(job_id, lead_source, actor, filename)
                        await self._jobs.add_chunks(job_id, stored, pending)
                        stored, pending = stored + len(pending), []
            if received == 0:
                raise CsvFormatError("The file is empty.", code="empty_file")
            pending += chunker.add(parser.finish_records())
            pending += chunker.finish()
            created = created or await self._create(job_id, lead_source, actor, filename)
            if pending:
                await self._jobs.add_chunks(job_id, stored, pending)
                stored += len(pending)
            assert parser.parser.dialect is not None and parser.parser.header_cells is not None
            queued = await self._jobs.finish_staging(
                job_id, encoding=parser.decoder.encoding, delimiter=parser.parser.dialect.delimiter,
                header=parser.parser.header_cells, bytes_total=received, chunks_total=stored,
                rows_total=chunker.rows, now=self._now(),
            )  # fmt: skip
            if queued:
                await self._publish(job_id, SliceCursor(0, 0), trace_id)
            else:  # cancelled while the upload was still arriving: drop what was stored meanwhile
                await self._jobs.end(job_id, JobState.CANCELLED, failure=None, now=self._now())
        except BaseException as exc:
            if created:
                await self._jobs.end(job_id, JobState.FAILED, failure=f"staging failed: {exc}"[:500], now=self._now())
            raise
        job = await self._jobs.get(job_id)
        assert job is not None
        self._log.info("import job staged", job_id=job_id, rows=job.rows_total, chunks=stored, bytes=received)
        return job

    async def _create(
        self, job_id: str, lead_source: str, actor: str | None, filename: Callable[[], str | None]
    ) -> bool:
        await self._jobs.create(job_id, lead_source=lead_source, actor=actor, filename=filename(), now=self._now())
        return True

    async def _publish(self, job_id: str, cursor: SliceCursor, trace_id: str) -> None:
        payload = ImportSlice(job_id=job_id, chunk=cursor.chunk, row=cursor.row)
        envelope = new_envelope(payload, trace_id=trace_id, clock=self._clock, ids=self._ids)
        await self._publisher.publish(QueueName.IMPORTS, envelope)

    # -- reading and cancelling ------------------------------------------------------------------------------
    async def get(self, job_id: str) -> ImportJob:
        job = await self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no import job {job_id}")
        return job

    async def report(self, job_id: str) -> dict[str, Any]:
        job = await self.get(job_id)
        body = job.summary()
        body["errors"] = await self._jobs.issues(job_id, "error", MAX_REPORTED_ERRORS)
        body["warnings"] = await self._jobs.issues(job_id, "warning", MAX_REPORTED_ERRORS)
        body["errors_truncated"] = job.errors_count > MAX_REPORTED_ERRORS or job.warnings_count > MAX_REPORTED_ERRORS
        return body

    async def page(self, *, limit: int, after: tuple[str, str] | None) -> list[ImportJob]:
        return await self._jobs.page(limit=limit, after=after)

    async def cancel(self, job_id: str) -> ImportJob:
        job = await self.get(job_id)
        if not job.state.live or not await self._jobs.end(job_id, JobState.CANCELLED, failure=None, now=self._now()):
            raise Conflict(f"import job {job_id} has already ended ({job.state.value})", details={"state": job.state})
        self._log.info("import job cancelled", job_id=job_id)
        return await self.get(job_id)

    async def fail(self, job_id: str, reason: str) -> None:
        await self._jobs.end(job_id, JobState.FAILED, failure=reason[:500], now=self._now())

    # -- slices ----------------------------------------------------------------------------------------------
    async def run_slice(self, message: ImportSlice, *, trace_id: str) -> None:
        """Process the slice `message` names. Its successor is published *before* the commit, so every committed
        slice has one; a successor that arrives before that commit is retried (`SliceNotReady`), a message behind
        the job's cursor (redelivered, or the orphan of a commit that failed) is dropped."""
        start = SliceCursor(message.chunk, message.row)
        for attempt in (1, 2):
            found = await self._jobs.get_with_chunk(message.job_id)
            if found is None or found[0].state not in (JobState.QUEUED, JobState.RUNNING):
                return  # gone, cancelled, failed or done: nothing to do
            job, text = found
            if (start.chunk, start.row) > (job.cursor.chunk, job.cursor.row):
                raise SliceNotReady(f"import job {job.id} is at {job.cursor}, this slice starts at {start}")
            if job.cursor != start:
                return
            try:
                await self._commit_slice(job, text, trace_id)
            except ConstraintViolation:
                if attempt == 2:
                    raise
                continue  # stale (the re-read shows it) or a concurrent insert of one of our keys: plan again
            return

    async def fail_at(self, message: ImportSlice, reason: str) -> None:
        """A slice gave up for good (dead-lettered): fail its job, unless the job has moved on without it."""
        job = await self._jobs.get(message.job_id)
        if job is not None and job.state.live and job.cursor == SliceCursor(message.chunk, message.row):
            await self.fail(job.id, f"row after {message.row} of chunk {message.chunk}: {reason}")

    async def _commit_slice(self, job: ImportJob, text: str | None, trace_id: str) -> None:
        """Plan the slice at the job's cursor, publish its successor, then commit it in one batch."""
        start = job.cursor
        if start.chunk >= job.chunks_total:
            await self._prospects.run_batch(self._jobs.commit_queries(self._commit(job, start, start, [], 0)))
            return
        if text is None:
            await self.fail(job.id, f"staged chunk {start.chunk} is missing")
            return
        records = [r for r in decode_chunk(text) if r.number > start.row]
        parser = CsvParser.resumed(job.delimiter, job.header)
        deduper = InFileDeduper(expected_rows=len(records))
        results: list[RowResult | DuplicateRow] = []
        for first in range(0, len(records), PAUSE_ROWS):
            results += [deduper.check(r) for r in parser.rows(records[first : first + PAUSE_ROWS])]
            await pause()
        planner = ImportPlanner(
            repo=self._prospects, clock=self._clock, ids=self._ids, actor=job.actor, lead_source=job.lead_source,
            own_tokens=f"import:{job.id}:",
        )  # fmt: skip
        plans = await planner.plan(results)
        kept, cut_row = _within_budget(plans)
        if cut_row is None:
            end = SliceCursor(start.chunk + 1, 0)
            done = len(records)
        else:
            end = SliceCursor(start.chunk, cut_row)
            done = sum(1 for r in records if r.number <= cut_row)
        await pause()
        creates = [p for p in kept if p.create is not None]
        inserts = self._prospects.insert_many_queries(
            [p.create for p in creates if p.create is not None], tokens=[planner.token_for(p.row) for p in creates]
        )
        updates = [p for p in kept if p.outcome == "updated"]
        await pause()
        commit = self._commit(job, start, end, kept, done)
        queries = [*inserts, *(q for p in updates for q in p.writes), *self._jobs.commit_queries(commit)]
        if commit.state is JobState.RUNNING:
            await self._publish(job.id, end, trace_id)
        await self._prospects.run_batch(queries)
        if self._on_created is not None and creates:
            await self._on_created([p.create[0].id for p in creates if p.create is not None], trace_id)

    def _commit(
        self, job: ImportJob, start: SliceCursor, end: SliceCursor, plans: list[RowPlan], rows_done: int
    ) -> SliceCommit:
        issues: list[list[Any]] = []
        errors = warnings = 0
        for plan in plans:
            for n, warning in enumerate(plan.warnings):
                if job.warnings_count + warnings < MAX_REPORTED_ERRORS:
                    issues.append(["warning", plan.row, n, warning.field, warning.message])
                warnings += 1
            if plan.outcome == "error":
                if job.errors_count + errors < MAX_REPORTED_ERRORS:
                    issues.append(["error", plan.row, 0, plan.error_field, plan.error or "invalid row"])
                errors += 1
        finished = end.chunk >= job.chunks_total
        return SliceCommit(
            job_id=job.id, start=start, end=end, state=JobState.DONE if finished else JobState.RUNNING,
            rows_done=rows_done, created=sum(p.create is not None for p in plans),
            duplicates=sum(p.outcome == "duplicate" for p in plans), skipped=errors, errors=errors,
            warnings=warnings, now=self._now(), issues=issues,
            updates=[[p.target or "", f"import:{job.id}:{p.row}"] for p in plans if p.outcome == "updated"],
        )  # fmt: skip


def _within_budget(plans: list[RowPlan]) -> tuple[list[RowPlan], int | None]:
    """The plans that fit the slice's statement budget, and the last row kept when not all of them do."""
    spent = 6  # the slice's inserts, issues and bookkeeping
    for index, plan in enumerate(plans):
        spent += len(plan.writes)
        if spent > SLICE_STATEMENT_BUDGET and index > 0:
            return plans[:index], plans[index - 1].row
    return plans, None
