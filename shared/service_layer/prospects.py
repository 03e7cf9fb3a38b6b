"""Prospect use cases: create, read, change with optimistic locking, delete, list, bulk changes, timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import TypeAdapter

from shared.domain.activities import Activity
from shared.domain.bulk import MAX_BULK_IDS, BulkAction, Outcome, apply, check_value
from shared.domain.errors import Conflict, ConstraintViolation, NotFound, ValidationFailed
from shared.domain.prospect_query import ProspectQuery
from shared.domain.prospect_records import ProspectRecord, new_record, patched_record, record_to_prospect
from shared.domain.prospects import Prospect, ProspectCreate, ProspectPatch
from shared.observability.log import Logger
from shared.ports.prospects import PendingWrites, ProspectRepository
from shared.ports.runtime import Clock, IdFactory

BULK_CHUNK = 50  # prospects per atomic batch
PROSPECT_LIST = TypeAdapter(list[Prospect])


class DuplicateProspect(Conflict):
    def __init__(self, existing_id: str, reason: str) -> None:
        super().__init__(
            f"a prospect with the same {reason.replace('_', ' ')} already exists",
            details={"existing_id": existing_id, "matched_on": reason},
        )
        self.existing_id = existing_id


class StaleVersion(Conflict):
    def __init__(self, prospect_id: str, current_version: int) -> None:
        super().__init__(
            f"prospect {prospect_id} has changed: it is at version {current_version}",
            details={"current_version": current_version},
        )
        self.current_version = current_version


@dataclass(frozen=True)
class ProspectService:
    repo: ProspectRepository
    clock: Clock
    ids: IdFactory
    log: Logger

    def _activity(self, prospect_id: str, type_: str, summary: str, actor: str | None, **data: Any) -> Activity:
        return Activity(
            id=self.ids.new_id(),
            prospect_id=prospect_id,
            type=type_,
            summary=summary,
            data=data,
            actor=actor,
            occurred_at=self.clock.now(),
        )

    async def create(self, data: ProspectCreate, *, actor: str | None) -> Prospect:
        record = new_record(data, prospect_id=self.ids.new_id(), now=self.clock.now())
        duplicate = await self.repo.find_duplicate(record)
        if duplicate:
            raise DuplicateProspect(*duplicate)
        activity = self._activity(record.id, "created", "Prospect created", actor, source="api")
        try:
            await self.repo.insert(record, self.ids.new_id(), activity)
        except ConstraintViolation:
            duplicate = await self.repo.find_duplicate(record)  # lost a race with another insert
            if duplicate:
                raise DuplicateProspect(*duplicate) from None
            raise
        self.log.info("prospect created", prospect_id=record.id)
        return record_to_prospect(record)

    async def get(self, prospect_id: str) -> Prospect:
        record = await self.repo.get(prospect_id)
        if record is None:
            raise NotFound(f"prospect {prospect_id} does not exist")
        return record_to_prospect(record)

    async def update(
        self, prospect_id: str, patch: ProspectPatch, *, expected_version: int | None, actor: str | None
    ) -> Prospect:
        """Apply `patch` if the prospect is at `expected_version` (None: whatever version it is at now, `If-Match: *`;
        the write is still guarded by the version read here, so a concurrent change is a conflict, never lost)."""
        stored = await self.repo.get(prospect_id)
        if stored is None:
            raise NotFound(f"prospect {prospect_id} does not exist")
        if expected_version is None:
            expected_version = stored.version
        if stored.version != expected_version:
            raise StaleVersion(prospect_id, stored.version)
        record = patched_record(stored, patch, now=self.clock.now())
        changed = sorted(
            name for name, value in record.columns().items()
            if value != getattr(stored, name) and name not in ("updated_at", "sort_name", "search_text")
        )  # fmt: skip
        if not changed:
            return record_to_prospect(stored)
        if {"email_normalized", "linkedin_normalized", "person_key"} & set(changed):
            duplicate = await self.repo.find_duplicate(record)
            if duplicate:
                raise DuplicateProspect(*duplicate)
        summary = (
            f"Stage {stored.stage} → {record.stage}" if "stage" in changed else f"Updated {', '.join(changed[:5])}"
        )
        activity = self._activity(
            prospect_id, "stage_changed" if "stage" in changed else "updated", summary, actor, changed=changed
        )
        try:
            won = await self.repo.update(
                record, expected_version, self.ids.new_id(), activity, tags_changed=record.tags != stored.tags
            )
        except ConstraintViolation:
            duplicate = await self.repo.find_duplicate(record)
            if duplicate:
                raise DuplicateProspect(*duplicate) from None
            raise
        if not won:
            current = await self.repo.version_of(prospect_id)
            if current is None:
                raise NotFound(f"prospect {prospect_id} does not exist")
            raise StaleVersion(prospect_id, current)
        return record_to_prospect(replace(record, version=expected_version + 1))

    async def delete(self, prospect_id: str, *, expected_version: int | None) -> None:
        if not await self.repo.delete(prospect_id, expected_version):
            current = await self.repo.version_of(prospect_id)
            if current is None:
                raise NotFound(f"prospect {prospect_id} does not exist")
            raise StaleVersion(prospect_id, current if expected_version is not None else 0)
        self.log.info("prospect deleted", prospect_id=prospect_id)

    async def page(self, query: ProspectQuery) -> tuple[list[Prospect], str | None]:
        records = await self.repo.page(query)
        # Each record becomes its response model in one validation pass (no intermediate dict per row); FastAPI then
        # only checks the instances and serializes them.
        items = PROSPECT_LIST.validate_python(records[: query.limit], from_attributes=True)
        more = len(records) > query.limit
        return items, (query.next_cursor(items) if more and items else None)

    async def activities(
        self, prospect_id: str, *, limit: int, after: tuple[str, str] | None
    ) -> tuple[list[Activity], tuple[str, str] | None]:
        if await self.repo.version_of(prospect_id) is None:
            raise NotFound(f"prospect {prospect_id} does not exist")
        rows = await self.repo.activities(prospect_id, limit=limit + 1, after=after)
        page = rows[:limit]
        last = (page[-1].occurred_at.isoformat(), page[-1].id) if len(rows) > limit and page else None
        return page, last

    async def pages(self, query: ProspectQuery, page_size: int = 500) -> AsyncIterator[list[ProspectRecord]]:
        """Every record the query matches, page by page along its keyset order (export, bulk by filter)."""
        page_query = replace(query, limit=page_size, after=None)
        while True:
            records = await self.repo.page(page_query)
            page = records[:page_size]
            if page:
                yield page
            if len(records) <= page_size:
                return
            last = record_to_prospect(page[-1])
            page_query = replace(page_query, after=(page_query.sort.key_of(last), last.id))

    async def ids_matching(self, query: ProspectQuery) -> list[str]:
        """Every id a filter matches (for bulk actions), refusing more than MAX_BULK_IDS."""
        ids: list[str] = []
        async for page in self.pages(query):
            ids += [r.id for r in page]
            if len(ids) > MAX_BULK_IDS:
                raise ValidationFailed(f"the filter matches more than {MAX_BULK_IDS} prospects; narrow it down")
        return ids

    async def bulk(
        self, action: BulkAction, ids: Sequence[str], value: str | None, *, actor: str | None
    ) -> list[dict[str, str]]:
        value = check_value(action, value)
        unique = list(dict.fromkeys(ids))
        if len(unique) > MAX_BULK_IDS:
            raise ValidationFailed(f"at most {MAX_BULK_IDS} ids per request")
        outcomes: dict[str, Outcome] = {}
        for start in range(0, len(unique), BULK_CHUNK):
            chunk = unique[start : start + BULK_CHUNK]
            if action is BulkAction.DELETE:
                deleted = await self.repo.delete_many(chunk)
                outcomes.update({i: Outcome.DELETED if i in deleted else Outcome.NOT_FOUND for i in chunk})
                continue
            outcomes.update(await self._bulk_update(action, value, chunk, actor))
        self.log.info("bulk action", action=action.value, count=len(unique))
        return [{"id": i, "status": outcomes[i].value} for i in unique]

    async def _bulk_update(
        self, action: BulkAction, value: str | None, chunk: list[str], actor: str | None
    ) -> dict[str, Outcome]:
        now = self.clock.now()
        found = await self.repo.get_many(chunk)
        outcomes: dict[str, Outcome] = {}
        writes: dict[str, PendingWrites] = {}
        tokens: dict[str, str] = {}
        for prospect_id in chunk:
            stored = found.get(prospect_id)
            if stored is None:
                outcomes[prospect_id] = Outcome.NOT_FOUND
                continue
            result = apply(stored, action, value, now)
            if isinstance(result, Outcome):
                outcomes[prospect_id] = result
                continue
            record: ProspectRecord = replace(result, updated_at=now.isoformat())
            tokens[prospect_id] = self.ids.new_id()
            activity = self._activity(
                prospect_id, "bulk_" + action.value, f"Bulk {action.value.replace('_', ' ')}", actor, value=value
            )
            writes[prospect_id] = self.repo.update_queries(
                record, stored.version, tokens[prospect_id], activity, tags_changed=record.tags != stored.tags
            )
        if writes:
            try:
                changes = await self.repo.run_batch([q for queries in writes.values() for q in queries])
                position = 0
                for prospect_id, queries in writes.items():  # each prospect's first statement is its guarded UPDATE
                    outcomes[prospect_id] = Outcome.UPDATED if changes[position] > 0 else Outcome.CONFLICT
                    position += len(queries)
            except ConstraintViolation:
                # One change collides with another prospect (e.g. unarchiving a duplicate address): apply them one
                # at a time so only the colliding ones fail.
                for prospect_id, queries in writes.items():
                    try:
                        first = (await self.repo.run_batch(queries))[0]
                    except ConstraintViolation:
                        first = 0
                    outcomes[prospect_id] = Outcome.UPDATED if first > 0 else Outcome.CONFLICT
        return outcomes
