"""Who may be enrolled in a campaign: the refusal reasons, checked in a fixed order so every prospect gets one
reason (the first that applies) and the enrollment report counts them per reason. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.domain.campaigns.country_policy import CountryPolicy


class Refusal(StrEnum):
    NOT_FOUND = "not_found"
    ARCHIVED = "archived"
    NO_SENDABLE_EMAIL = "no_sendable_email"
    BOUNCED = "bounced"
    SUPPRESSED = "suppressed"
    ROLE_ADDRESS = "role_address"
    COUNTRY_POLICY = "country_policy"
    ACTIVE_ELSEWHERE = "active_in_another_campaign"
    ALREADY_ENROLLED = "already_enrolled"


# An address we may mail: verified or not yet checked. `risky` (catch-all) is allowed, `invalid`/`bounced` never.
SENDABLE_EMAIL_STATUSES = frozenset({"unknown", "valid", "risky"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A prospect as enrollment sees it, with what D1 knows about it in one read."""

    prospect_id: str
    email: str | None
    email_status: str
    email_is_role: bool
    archived: bool
    country: str | None
    legal_basis: str | None
    suppressed: bool  # the address or its domain is on the suppression list
    active_elsewhere: bool  # active or paused in another campaign
    in_this_campaign: bool


def refusal(candidate: Candidate, policy: CountryPolicy) -> Refusal | None:
    if candidate.archived:
        return Refusal.ARCHIVED
    if candidate.in_this_campaign:
        return Refusal.ALREADY_ENROLLED
    if candidate.email_status == "bounced":
        return Refusal.BOUNCED
    if not candidate.email or candidate.email_status not in SENDABLE_EMAIL_STATUSES:
        return Refusal.NO_SENDABLE_EMAIL
    if candidate.suppressed:
        return Refusal.SUPPRESSED
    if candidate.email_is_role:
        return Refusal.ROLE_ADDRESS
    if not policy.allows(candidate.country, candidate.legal_basis):
        return Refusal.COUNTRY_POLICY
    if candidate.active_elsewhere:
        return Refusal.ACTIVE_ELSEWHERE
    return None
