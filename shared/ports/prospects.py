"""The prospect repository port (implemented by `shared/adapters/d1/prospects.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.domain.activities import Activity
from shared.domain.prospect_query import ProspectQuery
from shared.domain.prospect_records import ProspectRecord

# Statements for one atomic batch, built by the repository and committed by `run_batch`; opaque to callers.
PendingWrites = list[Any]


@dataclass
class KeyMatches:
    """What `match_keys` found: `owners` {(kind, key): prospect id}, the prospects themselves, and the token of
    each one's last write (an import job recognises the rows it wrote itself)."""

    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    records: dict[str, ProspectRecord] = field(default_factory=dict)
    write_tokens: dict[str, str | None] = field(default_factory=dict)


class ProspectRepository(Protocol):
    async def get(self, prospect_id: str) -> ProspectRecord | None: ...

    async def get_many(self, ids: Sequence[str]) -> dict[str, ProspectRecord]: ...

    async def version_of(self, prospect_id: str) -> int | None: ...

    async def page(self, query: ProspectQuery) -> list[ProspectRecord]: ...

    async def find_duplicate(self, record: ProspectRecord) -> tuple[str, str] | None: ...

    async def find_existing_keys(
        self, *, emails: Sequence[str], linkedins: Sequence[str], person_keys: Sequence[str]
    ) -> dict[tuple[str, str], str]: ...

    async def match_keys(
        self, *, emails: Sequence[str], linkedins: Sequence[str], person_keys: Sequence[str]
    ) -> KeyMatches: ...

    async def activities(self, prospect_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Activity]: ...

    def insert_queries(self, record: ProspectRecord, token: str, activity: Activity | None) -> PendingWrites: ...

    def insert_many_queries(
        self, items: Sequence[tuple[ProspectRecord, Activity | None]], tokens: Sequence[str] | None = None
    ) -> PendingWrites: ...

    def update_queries(
        self,
        record: ProspectRecord,
        expected_version: int,
        token: str,
        activity: Activity | None,
        *,
        tags_changed: bool,
    ) -> PendingWrites: ...

    async def insert(self, record: ProspectRecord, token: str, activity: Activity | None) -> None: ...

    async def update(
        self,
        record: ProspectRecord,
        expected_version: int,
        token: str,
        activity: Activity | None,
        *,
        tags_changed: bool,
    ) -> bool: ...

    async def run_batch(self, queries: PendingWrites) -> list[int]: ...

    async def delete(self, prospect_id: str, expected_version: int | None = None) -> bool: ...

    async def delete_many(self, ids: Sequence[str]) -> set[str]: ...
