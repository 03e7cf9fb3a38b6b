"""The campaign repository port (implemented by `shared/adapters/d1/campaigns.py`), and what the campaign service
needs of the inboxes and of the DNS check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from shared.domain.campaigns.models import Campaign, CampaignStatus


@dataclass(frozen=True, slots=True)
class EmailCount:
    """One group of a campaign's emails: how many are in `status` for this step and variant, and how many of them
    were replied to."""

    step_position: int | None
    variant: str | None
    status: str
    emails: int
    replied: int


@dataclass(frozen=True, slots=True)
class CampaignCounts:
    emails: list[EmailCount]
    enrollments: dict[str, int]  # enrollment status -> count


class CampaignRepository(Protocol):
    async def get(self, campaign_id: str) -> Campaign | None:
        """The campaign with its steps (by position), in one statement."""
        ...

    async def get_many(self, ids: Sequence[str]) -> dict[str, Campaign]:
        """The campaigns that exist among `ids`, with their steps, in one statement."""
        ...

    async def version_of(self, campaign_id: str) -> int | None: ...

    async def page(
        self, *, status: CampaignStatus | None, archived: bool | None, limit: int, after: tuple[str, str] | None
    ) -> list[Campaign]:
        """Newest first, keyset-paginated on (created_at, id): up to `limit` rows."""
        ...

    async def insert(self, campaign: Campaign) -> None:
        """Store a new campaign and its steps atomically."""
        ...

    async def save(self, campaign: Campaign, expected_version: int, *, steps: bool) -> bool:
        """Write `campaign` (its version already the next one) if the stored row is at `expected_version`; with
        `steps`, its steps replace the stored ones in the same batch. False when stale or gone: nothing written."""
        ...

    async def counts(self, campaign_id: str) -> CampaignCounts:
        """Email counts per step, variant and status, and enrollment counts per status (one grouped query each)."""
        ...


class InboxFinder(Protocol):
    """The part of the inbox repository the campaign service reads (records with id, status, postal_address,
    domain, transport_kind, dkim_selector, transport_settings)."""

    async def get_many(self, ids: Sequence[str]) -> Sequence[Any]: ...


# One inbox -> the warnings its sending domain's DNS check gives (never raises: a lookup error is a warning too).
DomainCheck = Callable[[Any], Awaitable[list[dict[str, Any]]]]
