"""Deterministic prospect score (0-100) and tier. Documented rules, no randomness, no I/O.

| signal                                             | points |
|----------------------------------------------------|-------:|
| email present and sendable (not a role address)     | 25 |
| email status valid (risky: 10)                      | 15 |
| decision-maker title (owner, GM, director, head, VP, chief, founder, managing) | 20 |
| sales / revenue / marketing / commercial title      | 10 (not cumulative with the above) |
| LinkedIn profile                                    | 10 |
| company website                                     | 10 |
| location known (country)                            | 5 |
| property size: 50-300 rooms 10, > 300 rooms 5, < 50 rooms 3 |
| engaged / meeting stage                             | +5 |
Hard stops: invalid or bounced email, role address, or won/lost stage -> tier cold (the score is still computed).
Tier: hot >= 70, warm >= 40, else cold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.domain.prospects import EmailStatus, Stage, Tier

HOT_AT = 70
WARM_AT = 40

_DECISION_MAKER = re.compile(
    r"\b(owner|general manager|gm|director|head|vp|vice president|chief|ceo|coo|cmo|cco|founder|managing|"
    r"president|partner|principal|proprietor|geschäftsführer|direttore|director[a]?)\b",
    re.IGNORECASE,
)
_COMMERCIAL = re.compile(r"\b(sales|revenue|marketing|commercial|business development|distribution)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ScoreInput:
    has_email: bool
    email_is_role: bool
    email_status: EmailStatus
    job_title: str | None
    has_linkedin: bool
    has_website: bool
    country: str | None
    rooms: int | None
    stage: Stage


def score(p: ScoreInput) -> int:
    points = 0
    if p.has_email and not p.email_is_role:
        points += 25
    if p.email_status is EmailStatus.VALID:
        points += 15
    elif p.email_status is EmailStatus.RISKY:
        points += 10
    title = p.job_title or ""
    if _DECISION_MAKER.search(title):
        points += 20
    elif _COMMERCIAL.search(title):
        points += 10
    points += 10 if p.has_linkedin else 0
    points += 10 if p.has_website else 0
    points += 5 if p.country else 0
    if p.rooms is not None:
        points += 10 if 50 <= p.rooms <= 300 else 5 if p.rooms > 300 else 3
    if p.stage in (Stage.ENGAGED, Stage.MEETING):
        points += 5
    return max(0, min(100, points))


def tier(p: ScoreInput, points: int) -> Tier:
    blocked = (
        p.email_status in (EmailStatus.INVALID, EmailStatus.BOUNCED)
        or p.email_is_role
        or p.stage in (Stage.WON, Stage.LOST)
    )
    if blocked:
        return Tier.COLD
    if points >= HOT_AT:
        return Tier.HOT
    return Tier.WARM if points >= WARM_AT else Tier.COLD
