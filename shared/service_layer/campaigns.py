"""Campaign use cases: create, read, list, change settings with optimistic locking, lifecycle actions, steps under
the step rules (`shared/domain/campaigns/step_rules.py`), and stats.

Every write reads the campaign, checks the caller's version (`expected_version`; None means whatever is current,
`If-Match: *`), builds the next record and saves it guarded by the version it read, so a concurrent change is a 409,
never lost. Activation and resuming check the inboxes (lifecycle.activation_problems) and warn, without refusing,
about each inbox whose sending domain fails its DNS check; a DNS lookup error is a warning as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from shared.domain.campaigns.lifecycle import (
    SENDING_ACTIONS,
    Action,
    ActivationRefused,
    activation_problems,
    transition,
)
from shared.domain.campaigns.models import (
    MAX_STEPS,
    Campaign,
    CampaignCreate,
    CampaignSettings,
    CampaignStatus,
    CampaignUpdate,
    RuleViolation,
    Step,
    StepPatch,
    StepSpec,
    problem,
    settings_problems,
)
from shared.domain.campaigns.step_rules import check_sequence_change, check_step_change, content_problems
from shared.domain.errors import Conflict, NotFound
from shared.observability.log import Logger
from shared.ports.campaigns import CampaignRepository, DomainCheck, InboxFinder
from shared.ports.runtime import Clock, IdFactory

if TYPE_CHECKING:
    from shared.ports.dns import DnsResolver

EMAIL_STATUSES = ("draft", "queued", "sending", "sent", "failed", "bounced", "cancelled")
ENROLLMENT_STATUSES = ("active", "paused", "completed", "stopped")


class CampaignChanged(Conflict):
    def __init__(self, campaign_id: str, current_version: int) -> None:
        super().__init__(
            f"campaign {campaign_id} has changed: it is at version {current_version}",
            details={"current_version": current_version},
        )
        self.current_version = current_version


class VariantStats(BaseModel):
    variant: str | None
    counts: dict[str, int]  # every email status, and `replied`
    total: int


class StepStats(BaseModel):
    position: int | None
    step_id: str | None
    variants: list[VariantStats]
    total: int


class CampaignStats(BaseModel):
    campaign_id: str
    steps: list[StepStats]
    emails: dict[str, int]
    enrollments: dict[str, int]


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys((*EMAIL_STATUSES, "replied"), 0)


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        merged[key] = (
            _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
        )
    return merged


def _schema_problems(exc: ValidationError, field: str = "") -> list[dict[str, Any]]:
    return [problem(".".join(str(p) for p in (field, *e["loc"]) if p != ""), e["msg"]) for e in exc.errors()]


def dns_domain_check(resolver: Callable[[], DnsResolver]) -> DomainCheck:
    """The DNS warnings of an inbox's sending domain (SPF, DKIM, DMARC, MX through `resolver()`)."""

    async def check(inbox: Any) -> list[dict[str, Any]]:
        from shared.service_layer.dns_check import check_sending_domain

        kind = getattr(inbox.transport_kind, "value", inbox.transport_kind)
        try:
            report = await check_sending_domain(
                resolver(),
                domain=inbox.domain,
                transport=str(kind),
                dkim_selector=inbox.dkim_selector,
                transport_settings=dict(getattr(inbox, "transport_settings", None) or {}),
            )
        except Exception as exc:  # a DNS check that cannot run is a warning, never a failed activation
            return [
                {
                    "code": "dns_check_error",
                    "inbox_id": inbox.id,
                    "domain": inbox.domain,
                    "message": f"the DNS check of {inbox.domain} could not run: {exc}",
                    "checks": [],
                }
            ]
        flagged = [c.to_dict() for c in report.checks if c.status != "pass"]
        if not flagged:
            return []
        failed = [c["name"] for c in flagged if c["status"] == "fail"]
        attention = [c["name"] for c in flagged if c["status"] != "fail"]
        said = [f"{', '.join(failed)} failed"] if failed else []
        said += [f"{', '.join(attention)} need attention"] if attention else []
        return [
            {
                "code": "dns_check_failed" if failed else "dns_check_warning",
                "inbox_id": inbox.id,
                "domain": report.domain,
                "message": f"{report.domain}: {'; '.join(said)} (see checks)",
                "checks": flagged,
            }
        ]

    return check


@dataclass(frozen=True)
class CampaignService:
    store: CampaignRepository
    inboxes: InboxFinder
    clock: Clock
    ids: IdFactory
    log: Logger
    domain_check: DomainCheck | None = None

    # -- reads ---------------------------------------------------------------------------------------------------
    async def get(self, campaign_id: str) -> Campaign:
        campaign = await self.store.get(campaign_id)
        if campaign is None:
            raise NotFound(f"campaign {campaign_id} does not exist")
        return campaign

    async def page(
        self, *, status: CampaignStatus | None, archived: bool | None, limit: int, after: tuple[str, str] | None
    ) -> tuple[list[Campaign], tuple[str, str] | None]:
        rows = await self.store.page(status=status, archived=archived, limit=limit + 1, after=after)
        items = rows[:limit]
        last = (items[-1].created_at.isoformat(), items[-1].id) if len(rows) > limit and items else None
        return items, last

    async def stats(self, campaign_id: str) -> CampaignStats:
        campaign = await self.get(campaign_id)
        counts = await self.store.counts(campaign_id)
        groups: dict[tuple[int | None, str | None], dict[str, int]] = {}
        for step in campaign.steps:  # every step and variant, sent or not
            for variant in step.variants:
                groups[(step.position, variant.key)] = _empty_counts()
        totals = _empty_counts()
        for row in counts.emails:
            group = groups.setdefault((row.step_position, row.variant), _empty_counts())
            group[row.status] = group.get(row.status, 0) + row.emails
            group["replied"] += row.replied
            totals[row.status] = totals.get(row.status, 0) + row.emails
            totals["replied"] += row.replied
        step_ids = {s.position: s.id for s in campaign.steps}
        steps: dict[int | None, list[VariantStats]] = {}
        for (position, key), group in groups.items():
            total = sum(n for status, n in group.items() if status != "replied")
            steps.setdefault(position, []).append(VariantStats(variant=key, counts=group, total=total))
        ordered = sorted(steps.items(), key=lambda item: (item[0] is None, item[0] or 0))
        enrollments = {**dict.fromkeys(ENROLLMENT_STATUSES, 0), **counts.enrollments}
        return CampaignStats(
            campaign_id=campaign_id,
            steps=[
                StepStats(
                    position=p,
                    step_id=step_ids.get(p) if p is not None else None,
                    variants=sorted(v, key=lambda s: s.variant or ""),
                    total=sum(s.total for s in v),
                )
                for p, v in ordered
            ],
            emails={**totals, "total": sum(n for status, n in totals.items() if status != "replied")},
            enrollments={**enrollments, "total": sum(enrollments.values())},
        )

    # -- create and change ---------------------------------------------------------------------------------------
    async def create(self, data: CampaignCreate) -> Campaign:
        problems = settings_problems(data.settings)
        for index, spec in enumerate(data.steps):
            problems += content_problems(spec, f"steps.{index}")
        if problems:
            raise RuleViolation(problems)
        now = self.clock.now()
        campaign = Campaign(
            id=self.ids.new_id(),
            name=data.name,
            description=data.description,
            settings=data.settings,
            inbox_ids=list(data.inbox_ids),
            steps=[self._new_step(spec, index + 1) for index, spec in enumerate(data.steps)],
            created_at=now,
            updated_at=now,
        )
        await self.store.insert(campaign)
        self.log.info("campaign created", campaign_id=campaign.id, steps=len(campaign.steps))
        return campaign

    async def update(self, campaign_id: str, patch: CampaignUpdate, *, expected_version: int | None) -> Campaign:
        stored = await self._read(campaign_id, expected_version)
        changes = patch.changes()
        values: dict[str, Any] = {k: v for k, v in changes.items() if k in ("name", "description", "inbox_ids")}
        if "settings" in changes:
            merged = _merge(stored.settings.model_dump(mode="json"), changes["settings"])
            try:
                values["settings"] = CampaignSettings.model_validate(merged)
            except ValidationError as exc:
                raise RuleViolation(_schema_problems(exc, "settings")) from None
            problems = settings_problems(values["settings"])
            if problems:
                raise RuleViolation(problems)
        if all(getattr(stored, name) == value for name, value in values.items()):
            return stored
        updated = stored.model_copy(update={**values, "version": stored.version + 1, "updated_at": self.clock.now()})
        if stored.status is CampaignStatus.ACTIVE and {"inbox_ids", "settings"} & values.keys():
            # a sending campaign must keep being able to send
            await self._refuse_unsendable(updated)
        return await self._save(stored, updated, steps=False)

    async def act(
        self, campaign_id: str, action: Action, *, expected_version: int | None
    ) -> tuple[Campaign, list[dict[str, Any]]]:
        """Apply a lifecycle action; returns the campaign and the warnings (DNS) of an activation or resume."""
        stored = await self._read(campaign_id, expected_version)
        outcome = transition(stored.status, stored.archived, action)
        if not outcome.changed:
            return stored, []
        warnings: list[dict[str, Any]] = []
        if action in SENDING_ACTIONS:
            inboxes = await self._refuse_unsendable(stored)
            warnings = await self._dns_warnings(inboxes)
        now = self.clock.now()
        values: dict[str, Any] = {"status": outcome.status, "archived": outcome.archived}
        if outcome.archived and not stored.archived:
            values["archived_at"] = now
        if action is Action.ACTIVATE and stored.activated_at is None:
            values["activated_at"] = now
        if outcome.status is CampaignStatus.COMPLETED:
            values["completed_at"] = now
        updated = stored.model_copy(update={**values, "version": stored.version + 1, "updated_at": now})
        saved = await self._save(stored, updated, steps=False)
        self.log.info(
            "campaign " + action.value, campaign_id=campaign_id, status=saved.status.value, warnings=len(warnings)
        )
        return saved, warnings

    # -- steps ---------------------------------------------------------------------------------------------------
    async def replace_steps(
        self,
        campaign_id: str,
        specs: Sequence[StepSpec],
        *,
        ids: Sequence[str | None] = (),
        expected_version: int | None,
    ) -> Campaign:
        stored = await self._read(campaign_id, expected_version)
        problems = [p for index, spec in enumerate(specs) for p in content_problems(spec, f"steps.{index}")]
        if problems:
            raise RuleViolation(problems)
        check_sequence_change(stored.steps, specs, status=stored.status, ids=ids)
        steps = [self._next_step(stored.step_at(index + 1), spec, index + 1) for index, spec in enumerate(specs)]
        return await self._save_steps(stored, steps)

    async def append_step(self, campaign_id: str, spec: StepSpec, *, expected_version: int | None) -> Campaign:
        stored = await self._read(campaign_id, expected_version)
        if len(stored.steps) >= MAX_STEPS:
            raise RuleViolation([problem("steps", f"a campaign has at most {MAX_STEPS} steps")])
        problems = content_problems(spec)
        if problems:
            raise RuleViolation(problems)
        return await self._save_steps(stored, [*stored.steps, self._new_step(spec, len(stored.steps) + 1)])

    async def patch_step(
        self, campaign_id: str, position: int, patch: StepPatch, *, expected_version: int | None
    ) -> Campaign:
        stored = await self._read(campaign_id, expected_version)
        current = stored.step_at(position)
        if current is None:
            raise NotFound(f"campaign {campaign_id} has no step {position}")
        try:
            spec = StepSpec.model_validate({**current.spec().model_dump(), **patch.changes()})
        except ValidationError as exc:
            raise RuleViolation(_schema_problems(exc)) from None
        problems = content_problems(spec)
        if problems:
            raise RuleViolation(problems)
        check_step_change(current, spec, status=stored.status)
        steps = [self._next_step(s, spec, position) if s.position == position else s for s in stored.steps]
        return await self._save_steps(stored, steps)

    # -- helpers -------------------------------------------------------------------------------------------------
    def _new_step(self, spec: StepSpec, position: int) -> Step:
        now = self.clock.now()
        return Step(
            **spec.model_dump(exclude={"id"}), id=self.ids.new_id(), position=position, created_at=now, updated_at=now
        )

    def _next_step(self, current: Step | None, spec: StepSpec, position: int) -> Step:
        """The step at `position` after it becomes `spec`: the same id (emails refer to it), a new one if new."""
        if current is None:
            return self._new_step(spec, position)
        unchanged = current.spec() == StepSpec(**spec.model_dump(exclude={"id"}))
        fields = spec.model_dump(exclude={"id"})
        return Step(
            **fields,
            id=current.id,
            position=position,
            created_at=current.created_at,
            updated_at=current.updated_at if unchanged else self.clock.now(),
        )

    async def _save_steps(self, stored: Campaign, steps: list[Step]) -> Campaign:
        if steps == stored.steps:
            return stored
        updated = stored.model_copy(
            update={"steps": steps, "version": stored.version + 1, "updated_at": self.clock.now()}
        )
        saved = await self._save(stored, updated, steps=True)
        self.log.info("campaign steps changed", campaign_id=stored.id, steps=len(steps))
        return saved

    async def _read(self, campaign_id: str, expected_version: int | None) -> Campaign:
        stored = await self.get(campaign_id)
        if expected_version is not None and stored.version != expected_version:
            raise CampaignChanged(campaign_id, stored.version)
        return stored

    async def _save(self, stored: Campaign, updated: Campaign, *, steps: bool) -> Campaign:
        if not await self.store.save(updated, stored.version, steps=steps):
            current = await self.store.version_of(stored.id)
            if current is None:
                raise NotFound(f"campaign {stored.id} does not exist")
            raise CampaignChanged(stored.id, current)
        return updated

    async def _refuse_unsendable(self, campaign: Campaign) -> list[Any]:
        """The campaign's inboxes, or ActivationRefused when it cannot send."""
        found = list(await self.inboxes.get_many(campaign.inbox_ids)) if campaign.inbox_ids else []
        by_id = {inbox.id: inbox for inbox in found}
        problems = activation_problems(campaign, {i: by_id.get(i) for i in campaign.inbox_ids}, now=self.clock.now())
        if problems:
            raise ActivationRefused(problems)
        return found

    async def _dns_warnings(self, inboxes: Sequence[Any]) -> list[dict[str, Any]]:
        if self.domain_check is None or not inboxes:
            return []
        results = await asyncio.gather(*(self.domain_check(inbox) for inbox in inboxes))
        return [warning for found in results for warning in found]
