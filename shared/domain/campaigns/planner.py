"""Which due enrollments this tick composes, and from which inbox. Pure: the tick gathers the facts, this decides.

Rules, in order: follow-ups first (a prospect keeps the inbox of its first email, and a thread waiting is worse
than a new one waiting), then first steps by due time. A first step takes the campaign pool's inbox with the most
allotment left this tick (ties broken by a stable hash of enrollment and inbox, so load spreads without randomness).
Nothing exceeds an inbox's allotment, a campaign's remaining daily cap, or the tick's total.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DueItem:
    enrollment_id: str
    campaign_id: str
    step: int
    inbox_id: str | None  # fixed by the first email; None before it
    due_at: str


@dataclass(frozen=True, slots=True)
class Assignment:
    enrollment_id: str
    inbox_id: str


def _spread(enrollment_id: str, inbox_id: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{enrollment_id}|{inbox_id}".encode()).digest()[:4], "big")


def plan(
    due: Sequence[DueItem],
    *,
    allotments: Mapping[str, int],
    pools: Mapping[str, Sequence[str]],
    campaign_room: Mapping[str, int | None],
    limit: int,
) -> list[Assignment]:
    """`allotments`: sends each inbox may start this tick; `pools`: campaign -> its inbox ids; `campaign_room`:
    campaign -> how many more it may compose today (None: no cap); `limit`: the tick's total."""
    left = {inbox: max(0, n) for inbox, n in allotments.items()}
    room = dict(campaign_room)
    ordered = sorted(due, key=lambda d: (d.inbox_id is None, d.due_at, d.enrollment_id))
    out: list[Assignment] = []
    for item in ordered:
        if len(out) >= limit:
            break
        cap = room.get(item.campaign_id)
        if cap is not None and cap <= 0:
            continue
        if item.inbox_id is not None:
            chosen = item.inbox_id if left.get(item.inbox_id, 0) > 0 else None
        else:
            options = [i for i in pools.get(item.campaign_id, ()) if left.get(i, 0) > 0]
            chosen = max(options, key=lambda i: (left[i], _spread(item.enrollment_id, i)), default=None)
        if chosen is None:
            continue
        left[chosen] -= 1
        if cap is not None:
            room[item.campaign_id] = cap - 1
        out.append(Assignment(item.enrollment_id, chosen))
    return out
