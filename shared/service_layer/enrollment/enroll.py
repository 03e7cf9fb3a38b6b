"""Enroll prospects in a campaign: eligibility per prospect (one read per slice), step 1's due time in the recipient's
own calendar, one idempotent multi-row insert, and a report of what was refused and why.

By ids: at most MAX_SYNC_IDS in one request. By filter: a job whose slices (SLICE_SIZE prospects, keyset order) run
on the `imports` queue, one per invocation, so 100,000 prospects stay within every per-invocation limit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.adapters.d1.enrollments import D1EnrollmentRepository
from shared.domain.campaigns.country_policy import CountryPolicy
from shared.domain.campaigns.eligibility import Candidate, Refusal, refusal
from shared.domain.errors import Conflict, NotFound, ValidationFailed
from shared.ports.runtime import Clock, IdFactory

MAX_SYNC_IDS = 1000
SLICE_SIZE = 500
SAMPLE_IDS_PER_REASON = 20


@dataclass
class EnrollReport:
    matched: int = 0
    enrolled: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> some prospect ids

    def add_refusal(self, reason: Refusal, prospect_id: str) -> None:
        self.refused[reason.value] += 1
        sample = self.examples.setdefault(reason.value, [])
        if len(sample) < SAMPLE_IDS_PER_REASON:
            sample.append(prospect_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "enrolled": self.enrolled,
            "refused": dict(self.refused),
            "examples": self.examples,
        }


def _candidate(row: dict[str, Any]) -> Candidate:
    return Candidate(
        prospect_id=str(row["prospect_id"]),
        email=row.get("email"),
        email_status=str(row.get("email_status") or "unknown"),
        email_is_role=bool(row.get("email_is_role")),
        archived=bool(row.get("archived")),
        country=row.get("country"),
        legal_basis=row.get("legal_basis"),
        suppressed=bool(row.get("suppressed")),
        active_elsewhere=bool(row.get("active_elsewhere")),
        in_this_campaign=bool(row.get("in_this_campaign")),
    )


def first_due(campaign: Any, row: dict[str, Any], now: datetime) -> datetime:
    """When step 1 is due for this recipient: its delay after enrollment, in the recipient's calendar."""
    from shared.domain.campaigns.holiday_calendar import default_calendar
    from shared.domain.campaigns.schedule import add_delay, resolve_timezone

    settings = campaign.settings
    step = campaign.steps[0]
    if step.delay == 0:
        return now
    zone, _ = resolve_timezone(
        prospect_timezone=row.get("timezone"), city=row.get("city"), region=row.get("region"),
        country=row.get("country"), default=settings.timezone,
    )  # fmt: skip
    calendar = default_calendar() if settings.skip_holidays else None
    return add_delay(now, step.delay, step.delay_unit, zone=zone, calendar=calendar, country=row.get("country"))


@dataclass(frozen=True)
class Enroller:
    enrollments: D1EnrollmentRepository
    policy: CountryPolicy
    clock: Clock
    ids: IdFactory

    async def enroll(
        self, campaign: Any, prospect_ids: Sequence[str], report: EnrollReport | None = None
    ) -> EnrollReport:
        """Enroll these prospects (deduplicated, order kept); refusals are counted per reason."""
        if campaign.archived or campaign.status == "completed":
            raise Conflict(
                f"campaign {campaign.id} is {'archived' if campaign.archived else 'completed'}: "
                "nothing can be enrolled",
                details={"reason": "campaign_closed"},
            )
        if not campaign.steps:
            raise ValidationFailed(
                "the campaign has no steps: add one before enrolling", details={"reason": "no_steps"}
            )
        report = report or EnrollReport()
        unique = list(dict.fromkeys(prospect_ids))
        report.matched += len(unique)
        rows = {str(r["prospect_id"]): r for r in await self.enrollments.candidates(campaign.id, unique)}
        now = self.clock.now()
        new: list[tuple[str, str, str, str | None]] = []
        for prospect_id in unique:
            row = rows.get(prospect_id)
            if row is None:
                report.add_refusal(Refusal.NOT_FOUND, prospect_id)
                continue
            reason = refusal(_candidate(row), self.policy)
            if reason is not None:
                report.add_refusal(reason, prospect_id)
                continue
            due = first_due(campaign, row, now)
            new.append((self.ids.new_id(), prospect_id, due.isoformat(), row.get("company_key")))
        inserted = await self.enrollments.insert(campaign.id, new, now) if new else 0
        report.enrolled += inserted
        if inserted < len(new):  # a concurrent request enrolled some of them first
            report.refused[Refusal.ALREADY_ENROLLED.value] += len(new) - inserted
        return report


def require_campaign(campaign: Any, campaign_id: str) -> Any:
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} does not exist")
    return campaign
