"""Suppression use cases: the check every sending path makes, add (idempotent) and create (409 on a duplicate),
remove (an unsubscribe or complaint only with an override, logged with who), keyset pages, and the CSV import.

`check(email=, prospect_id=)` answers the first rule that forbids mailing: the address itself, the person, then the
address's domain or a parent domain (most specific first), in one D1 statement. Given only a prospect id, the
prospect's stored address and its domain are checked too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.domain.errors import Conflict, NotFound, ValidationFailed
from shared.domain.normalize import normalize_email
from shared.domain.suppressions import (
    Suppression,
    SuppressionKind,
    SuppressionReason,
    domains_for,
    needs_override,
    normalize_value,
)
from shared.observability.log import Logger
from shared.ports.runtime import Clock, IdFactory

MAX_REPORTED_INVALID = 1000  # rows listed in an import report (all are counted)


class SuppressionStore(Protocol):
    async def insert(self, suppression: Suppression) -> tuple[Suppression, bool]: ...

    async def insert_many(
        self,
        rows: Sequence[tuple[str, str, str, str, str | None]],
        *,
        source: str,
        created_by: str | None,
        at: datetime,
    ) -> int: ...

    async def get(self, suppression_id: str) -> Suppression | None: ...

    async def find(self, kind: SuppressionKind, value: str) -> Suppression | None: ...

    async def delete(self, suppression_id: str) -> bool: ...

    async def prospect_exists(self, prospect_id: str) -> bool: ...

    async def first_match(
        self, *, address: str | None, domains: Sequence[str], prospect_id: str | None
    ) -> Suppression | None: ...

    async def page(
        self,
        *,
        kind: SuppressionKind | None,
        reason: SuppressionReason | None,
        prefix: str | None,
        limit: int,
        after: tuple[str, str] | None,
    ) -> list[Suppression]: ...


class DuplicateSuppression(Conflict):
    code = "duplicate_suppression"

    def __init__(self, existing: Suppression) -> None:
        super().__init__(
            f"{existing.kind.value} {existing.value} is already suppressed ({existing.reason.value})",
            details={"existing": existing.model_dump(mode="json")},
        )
        self.existing = existing


class OverrideRequired(Conflict):
    code = "override_required"

    def __init__(self, suppression: Suppression) -> None:
        super().__init__(
            f"this suppression records a person's {suppression.reason.value}: removing it needs override=true",
            details={"id": suppression.id, "reason": suppression.reason.value, "override": "required"},
        )


@dataclass(frozen=True)
class ImportReport:
    added: int = 0
    existing: int = 0
    invalid: list[dict[str, Any]] = field(default_factory=list)
    invalid_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added, "existing": self.existing, "invalid": self.invalid,
            "invalid_total": self.invalid_total,
        }  # fmt: skip


@dataclass(frozen=True)
class SuppressionService:
    store: SuppressionStore
    clock: Clock
    ids: IdFactory
    log: Logger

    async def check(self, *, email: str | None, prospect_id: str | None) -> Suppression | None:
        """The first suppression that forbids mailing this address / this person, or None. One D1 statement."""
        address = (normalize_email(email) or email.strip().lower()) if email else None
        domains = domains_for(address) if address and "@" in address else []
        return await self.store.first_match(address=address, domains=domains, prospect_id=prospect_id)

    def _new(
        self, kind: SuppressionKind, value: str, reason: SuppressionReason, source: str | None, note: str | None,
        created_by: str | None,
    ) -> Suppression:  # fmt: skip
        return Suppression(
            id=self.ids.new_id(), kind=kind, value=normalize_value(kind, value), reason=reason, source=source,
            note=note, created_by=created_by, created_at=self.clock.now(),
        )  # fmt: skip

    async def _insert(
        self, kind: SuppressionKind, value: str, reason: SuppressionReason, source: str | None, note: str | None,
        created_by: str | None,
    ) -> tuple[Suppression, bool]:  # fmt: skip
        suppression = self._new(kind, value, reason, source, note, created_by)
        if kind is SuppressionKind.PERSON and not await self.store.prospect_exists(suppression.value):
            raise ValidationFailed(f"no prospect has the id {suppression.value}")
        stored, created = await self.store.insert(suppression)
        if created:
            self.log.info(
                "suppression added", suppression_id=stored.id, kind=kind.value, reason=reason.value, source=source,
                by=created_by,
            )  # fmt: skip
        return stored, created

    async def add(
        self,
        kind: SuppressionKind,
        value: str,
        *,
        reason: SuppressionReason,
        source: str | None,
        note: str | None = None,
        created_by: str | None = None,
    ) -> Suppression:
        """Suppress `value` (normalised); idempotent: an existing rule for it is answered as it stands."""
        stored, _ = await self._insert(kind, value, reason, source, note, created_by)
        return stored

    async def create(
        self,
        kind: SuppressionKind,
        value: str,
        *,
        reason: SuppressionReason,
        source: str | None,
        note: str | None = None,
        created_by: str | None = None,
    ) -> Suppression:
        """Like `add`, for the API: DuplicateSuppression (with the existing rule) when it is there already."""
        stored, created = await self._insert(kind, value, reason, source, note, created_by)
        if not created:
            raise DuplicateSuppression(stored)
        return stored

    async def get(self, suppression_id: str) -> Suppression:
        suppression = await self.store.get(suppression_id)
        if suppression is None:
            raise NotFound(f"suppression {suppression_id} does not exist")
        return suppression

    async def remove(self, suppression_id: str, *, override: bool, by: str | None) -> None:
        """Delete the rule. An unsubscribe or complaint needs `override=True` (OverrideRequired otherwise), and an
        override is logged as a warning with who asked."""
        suppression = await self.get(suppression_id)
        if needs_override(suppression.reason) and not override:
            raise OverrideRequired(suppression)
        if not await self.store.delete(suppression_id):
            raise NotFound(f"suppression {suppression_id} does not exist")
        fields = {
            "suppression_id": suppression.id, "kind": suppression.kind.value, "reason": suppression.reason.value,
            "source": suppression.source, "by": by,
        }  # fmt: skip
        if needs_override(suppression.reason):
            self.log.warning(f"{suppression.reason.value} suppression removed with an override", **fields)
        else:
            self.log.info("suppression removed", **fields)

    async def page(
        self,
        *,
        kind: SuppressionKind | None = None,
        reason: SuppressionReason | None = None,
        q: str | None = None,
        limit: int = 50,
        after: tuple[str, str] | None = None,
    ) -> tuple[list[Suppression], tuple[str, str] | None]:
        """Newest first; `q` is a prefix of the stored (normalised, lower-case) value."""
        prefix = q.strip().lower() if q and q.strip() else None
        rows = await self.store.page(kind=kind, reason=reason, prefix=prefix, limit=limit + 1, after=after)
        page = rows[:limit]
        last = (page[-1].created_at.isoformat(), page[-1].id) if len(rows) > limit and page else None
        return page, last

    async def import_csv(
        self, chunks: Iterable[bytes], *, source: str = "csv", created_by: str | None = None
    ) -> ImportReport:
        """A suppression list (see `read_suppression_csv`): each row added unless present. A row repeated in the
        file counts as existing. CsvFormatError for a file that cannot be read (nothing is added then)."""
        from shared.domain.suppressions import read_suppression_csv

        parsed, problems = read_suppression_csv(b"".join(chunks))
        seen: set[tuple[str, str]] = set()
        rows: list[tuple[str, str, str, str, str | None]] = []
        for item in parsed:
            key = (item.kind.value, item.value)
            if key not in seen:
                seen.add(key)
                rows.append((self.ids.new_id(), item.kind.value, item.value, item.reason.value, item.note))
        added = await self.store.insert_many(rows, source=source, created_by=created_by, at=self.clock.now())
        invalid = [{"row": p.row, "value": p.value, "error": p.error} for p in problems[:MAX_REPORTED_INVALID]]
        self.log.info(
            "suppression list imported", added=added, existing=len(parsed) - added, invalid=len(problems),
            source=source, by=created_by,
        )  # fmt: skip
        return ImportReport(added=added, existing=len(parsed) - added, invalid=invalid, invalid_total=len(problems))
