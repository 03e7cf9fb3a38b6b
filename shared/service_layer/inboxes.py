"""Inbox use cases: create, read, change (optimistic locking), pause / resume / disable, list, and the push of each
inbox's settings to its WarmupManager and InboxHealth objects.

Every write pushes: the plan (`warmup_plan`) and the health thresholds (`health_config`). A push that fails leaves
the write standing; the reply says `configured: false` with a warning, and `initialize_all` (POST
/api/admin/initialize-inboxes) pushes every inbox again, idempotently. A paused or disabled inbox is pushed with a
daily cap of 0, so the WarmupManager grants it nothing even if a sender skips the status check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from shared.domain.errors import Conflict, ConstraintViolation, NotFound
from shared.domain.inboxes.models import (
    Inbox,
    InboxCreate,
    InboxRecord,
    InboxStatus,
    InboxUpdate,
    inbox_view,
    new_inbox,
    updated_inbox,
    with_status,
)
from shared.messages.inbox_health import ConfigureRequest, HealthConfig
from shared.messages.warmup import WarmupPlan
from shared.observability.log import Logger
from shared.ports.coordination import InboxHealthClient, WarmupClient
from shared.ports.inboxes import InboxRepository
from shared.ports.runtime import Clock, IdFactory

PUSH_CHUNK = 50  # inboxes read per statement when re-pushing all
STATUS_ATTEMPTS = 3  # a status command re-reads this often when a concurrent change moved the version


class DuplicateInbox(Conflict):
    code = "duplicate_email"

    def __init__(self, existing_id: str, email: str) -> None:
        super().__init__(
            f"an inbox with the address {email} already exists", details={"existing_id": existing_id, "email": email}
        )
        self.existing_id = existing_id


class StaleInbox(Conflict):
    def __init__(self, inbox_id: str, current_version: int) -> None:
        super().__init__(
            f"inbox {inbox_id} has changed: it is at version {current_version}",
            details={"current_version": current_version},
        )


def warmup_plan(inbox: InboxRecord) -> WarmupPlan:
    """What the inbox's WarmupManager enforces: the ramp and caps in the inbox's time zone (0 a day unless active)."""
    return WarmupPlan(
        timezone=inbox.timezone,
        start_date=inbox.warmup.start_date,
        warmup=inbox.warmup.enabled,
        ramp=tuple(inbox.warmup.ramp),
        target=inbox.warmup.target,
        daily_cap=inbox.daily_cap if inbox.sending else 0,
        hourly_cap=inbox.hourly_cap if inbox.sending else 0,
    )


def health_config(inbox: InboxRecord) -> ConfigureRequest:
    """The InboxHealth thresholds: the defaults, stated in full so every push leaves the same configuration (inboxes
    do not set thresholds of their own yet)."""
    return ConfigureRequest(**HealthConfig().model_dump())


def secret_is_set(env: Any) -> Callable[[str], bool]:
    """Whether the Worker's env has a non-empty string under a secret's name. Only the answer leaves this function."""

    def check(name: str) -> bool:
        try:
            value = getattr(env, name, None)
        except Exception:  # an env that refuses the name has no such secret
            return False
        return isinstance(value, str) and value.strip() != ""

    return check


@dataclass(frozen=True)
class InboxOutcome:
    """A write's result: the inbox as stored, whether both objects took its settings, and why not."""

    inbox: Inbox
    configured: bool
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InboxService:
    store: InboxRepository
    warmup: WarmupClient
    health: InboxHealthClient
    env: Any
    clock: Clock
    ids: IdFactory
    log: Logger

    def view(self, record: InboxRecord) -> Inbox:
        return inbox_view(record, secret_is_set(self.env))

    async def record(self, inbox_id: str) -> InboxRecord:
        record = await self.store.get(inbox_id)
        if record is None:
            raise NotFound(f"inbox {inbox_id} does not exist")
        return record

    async def get(self, inbox_id: str) -> Inbox:
        return self.view(await self.record(inbox_id))

    async def page(
        self, *, status: InboxStatus | None, limit: int, after: tuple[str, str] | None
    ) -> tuple[list[Inbox], tuple[str, str] | None]:
        records = await self.store.list(status=status, limit=limit + 1, after=after)
        page = records[:limit]
        last = (page[-1].created_at.isoformat(), page[-1].id) if len(records) > limit and page else None
        return [self.view(r) for r in page], last

    async def create(self, data: InboxCreate, *, actor: str | None) -> InboxOutcome:
        record = new_inbox(data, inbox_id=self.ids.new_id(), now=self.clock.now())
        existing = await self.store.id_for_email(record.email)
        if existing is not None:
            raise DuplicateInbox(existing, record.email)
        try:
            await self.store.create(record)
        except ConstraintViolation:
            existing = await self.store.id_for_email(record.email)  # lost a race with another create
            if existing is not None:
                raise DuplicateInbox(existing, record.email) from None
            raise
        self.log.info("inbox created", inbox_id=record.id, transport=record.transport_kind.value, by=actor)
        return await self._pushed(record)

    async def update(
        self, inbox_id: str, patch: InboxUpdate, *, expected_version: int | None, actor: str | None
    ) -> InboxOutcome:
        """Apply `patch` if the inbox is at `expected_version` (None: the version read now, `If-Match: *`)."""
        stored = await self.record(inbox_id)
        expected = stored.version if expected_version is None else expected_version
        if stored.version != expected:
            raise StaleInbox(inbox_id, stored.version)
        record = updated_inbox(stored, patch, now=self.clock.now())
        if record is stored:
            return await self._pushed(stored) if not self.view(stored).configured else self._outcome(stored)
        if record.email != stored.email:
            existing = await self.store.id_for_email(record.email)
            if existing is not None and existing != inbox_id:
                raise DuplicateInbox(existing, record.email)
        try:
            written = await self.store.update(record, expected)
        except ConstraintViolation:
            existing = await self.store.id_for_email(record.email)
            if existing is not None and existing != inbox_id:
                raise DuplicateInbox(existing, record.email) from None
            raise
        if written is None:
            raise await self._gone_or_stale(inbox_id)
        self.log.info("inbox updated", inbox_id=inbox_id, version=written.version, by=actor)
        return await self._pushed(written)

    async def pause(self, inbox_id: str, reason: str | None, *, actor: str | None) -> InboxOutcome:
        return await self._set_status(inbox_id, InboxStatus.PAUSED, reason, actor)

    async def resume(self, inbox_id: str, *, actor: str | None) -> InboxOutcome:
        return await self._set_status(inbox_id, InboxStatus.ACTIVE, None, actor)

    async def disable(self, inbox_id: str, reason: str | None, *, actor: str | None) -> InboxOutcome:
        return await self._set_status(inbox_id, InboxStatus.DISABLED, reason, actor)

    async def _set_status(
        self, inbox_id: str, status: InboxStatus, reason: str | None, actor: str | None
    ) -> InboxOutcome:
        for _ in range(STATUS_ATTEMPTS):
            stored = await self.record(inbox_id)
            record = with_status(stored, status, reason, now=self.clock.now())
            if record is stored:
                return await self._pushed(stored) if not self.view(stored).configured else self._outcome(stored)
            written = await self.store.set_status(
                inbox_id, status, reason, at=record.updated_at, expected_version=stored.version
            )
            if written is not None:
                self.log.info("inbox status changed", inbox_id=inbox_id, status=status.value, by=actor)
                return await self._pushed(written)
        raise await self._gone_or_stale(inbox_id)

    async def _gone_or_stale(self, inbox_id: str) -> Exception:
        current = await self.store.version_of(inbox_id)
        return NotFound(f"inbox {inbox_id} does not exist") if current is None else StaleInbox(inbox_id, current)

    def _outcome(self, record: InboxRecord, warnings: list[str] | None = None) -> InboxOutcome:
        view = self.view(record)
        return InboxOutcome(inbox=view, configured=view.configured, warnings=warnings or [])

    # -- pushing settings to the Durable Objects --------------------------------------------------------------

    async def push(self, record: InboxRecord) -> tuple[InboxRecord, list[str]]:
        """Configure the inbox's WarmupManager and InboxHealth; mark the version configured when both took it.
        Returns the record (with `configured_at` when marked) and a warning per failure."""
        warnings: list[str] = []
        for name, call in (
            ("WarmupManager", lambda: self.warmup.configure(record.id, warmup_plan(record))),
            ("InboxHealth", lambda: self.health.configure(record.id, health_config(record))),
        ):
            try:
                await call()
            except Exception as exc:  # the write stands; initialize-inboxes pushes again
                self.log.warning("inbox push failed", inbox_id=record.id, target=name, error=type(exc).__name__)
                warnings.append(f"{name} was not configured ({type(exc).__name__}); "
                                "POST /api/admin/initialize-inboxes pushes every inbox again")  # fmt: skip
        if warnings:
            return record, warnings
        now = self.clock.now()
        if not await self.store.mark_configured(record.id, now, version=record.version):
            return record, ["the inbox changed while it was pushed; the newer change pushes its own settings"]
        return replace(record, configured_at=now), []

    async def _pushed(self, record: InboxRecord) -> InboxOutcome:
        pushed, warnings = await self.push(record)
        return self._outcome(pushed, warnings)

    async def initialize_all(self) -> list[dict[str, Any]]:
        """Push every inbox's settings again (idempotent); one report line per inbox."""
        ids = await self.store.list_all_ids()
        report: list[dict[str, Any]] = []
        for start in range(0, len(ids), PUSH_CHUNK):
            for record in await self.store.get_many(ids[start : start + PUSH_CHUNK]):
                _, warnings = await self.push(record)
                report.append(
                    {"inbox_id": record.id, "email": record.email, "status": record.status.value,
                     "configured": not warnings, "warnings": warnings}
                )  # fmt: skip
        self.log.info("inboxes initialized", count=len(report), failed=sum(1 for r in report if not r["configured"]))
        return report
