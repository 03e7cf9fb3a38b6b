"""Dedup logic: first-claim-wins keys with a TTL, persisted in the object's storage. Pure: a storage port, no clock.

Each object is one hash shard (see `shared.messages.dedup.shard_name`) and holds the claims of the keys that hash to
it. Storage layout (the key itself can be 512 characters, up to 2 KiB of UTF-8, so entries are named by its SHA-256):

- `claim:<sha256(key)>` → `{"key", "owner", "claimed_at", "expires_at"}`: the claim in force (or a stale one not yet
  swept: a claim is in force only while `now < expires_at`, so a stale entry is simply overwritten by the next claim);
- `exp:<expires_at in ms, 15 digits>:<sha256(key)>` → 1: an index ordered by expiry, so the sweep lists only what
  has expired instead of scanning every claim;
- `sweep:at` → epoch ms of the scheduled sweep alarm.

Time is the caller's `now`. Storage stays bounded: a claim schedules a sweep alarm (no earlier than its expiry and
`MIN_SWEEP_INTERVAL_S` ahead, so sweeps batch). The sweep treats its own scheduled time (`sweep:at`) as "now", so the
alarm needs no clock: an entry expired by then is surely expired when the alarm fires. It deletes expired entries in
pages of at most `DELETE_BATCH` keys (index entry + claim per key), at most `MAX_PAGES_PER_SWEEP` pages per run
(it re-arms itself at once when more remain), then schedules the next sweep while entries remain.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from durable_objects.storage import Storage
from shared.messages.dedup import ClaimReply, ClaimRequest, ReleaseClaimReply, ReleaseClaimRequest

CLAIM_PREFIX = "claim:"
INDEX_PREFIX = "exp:"
SWEEP_KEY = "sweep:at"
MS_DIGITS = 15  # epoch ms fit in 13 digits until year 2286; 15 keeps lexical order == numeric order
MIN_SWEEP_INTERVAL_S = 60.0
DELETE_BATCH = 128  # Durable Object storage takes at most 128 keys per call
PAGE = DELETE_BATCH // 2  # each expired key deletes two entries: its index entry and its claim
MAX_PAGES_PER_SWEEP = 32


@dataclass(frozen=True, slots=True)
class Claim:
    key: str
    owner: str
    claimed_at: float
    expires_at: float

    def in_force(self, now: float) -> bool:
        return now < self.expires_at


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def claim_entry(key: str) -> str:
    return CLAIM_PREFIX + key_hash(key)


def to_ms(seconds: float) -> int:
    return math.ceil(seconds * 1000)


def index_entry(expires_at: float, digest: str) -> str:
    return f"{INDEX_PREFIX}{to_ms(expires_at):0{MS_DIGITS}d}:{digest}"


def _decode(value: Any) -> Claim | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return Claim(str(value["key"]), str(value["owner"]), float(value["claimed_at"]), float(value["expires_at"]))
    except (KeyError, TypeError, ValueError):
        return None  # an unreadable claim counts as no claim


class DedupLogic:
    def __init__(self, storage: Storage, *, min_sweep_interval_s: float = MIN_SWEEP_INTERVAL_S) -> None:
        self._storage = storage
        self._min_sweep_interval_s = min_sweep_interval_s
        self._sweep_at: int | None = None  # ms of the scheduled sweep; 0: none; None: not known yet here

    async def claim(self, request: ClaimRequest) -> ClaimReply:
        entry = claim_entry(request.key)
        current = _decode(await self._storage.get(entry))
        if current is not None and current.in_force(request.now):
            return ClaimReply(
                first=False, claimed_at=current.claimed_at, owner=current.owner, expires_at=current.expires_at
            )
        expires_at = request.now + request.ttl_s
        digest = entry[len(CLAIM_PREFIX) :]
        await self._storage.put(
            entry,
            {"key": request.key, "owner": request.owner, "claimed_at": request.now, "expires_at": expires_at},
        )
        if current is not None and index_entry(current.expires_at, digest) != index_entry(expires_at, digest):
            await self._storage.delete([index_entry(current.expires_at, digest)])
        await self._storage.put(index_entry(expires_at, digest), 1)
        await self._ensure_sweep(request.now, expires_at)
        return ClaimReply(first=True, claimed_at=request.now, owner=request.owner, expires_at=expires_at)

    async def release(self, request: ReleaseClaimRequest) -> ReleaseClaimReply:
        entry = claim_entry(request.key)
        current = _decode(await self._storage.get(entry))
        if current is None or not current.in_force(request.now):
            return ReleaseClaimReply(released=False, owner=None)
        if current.owner != request.owner:
            return ReleaseClaimReply(released=False, owner=current.owner)
        await self._storage.delete([entry, index_entry(current.expires_at, entry[len(CLAIM_PREFIX) :])])
        return ReleaseClaimReply(released=True, owner=None)

    async def _scheduled(self) -> int:
        if self._sweep_at is None:
            at = await self._storage.get(SWEEP_KEY)
            self._sweep_at = int(at) if isinstance(at, (int, float)) and not isinstance(at, bool) else 0
        return self._sweep_at

    async def _ensure_sweep(self, now: float, expires_at: float) -> None:
        target = max(to_ms(expires_at), to_ms(now + self._min_sweep_interval_s))
        current = await self._scheduled()
        if current == 0 or target < current:
            await self._schedule(target)

    async def _schedule(self, at_ms: int) -> None:
        await self._storage.put(SWEEP_KEY, at_ms)
        await self._storage.setAlarm(at_ms)
        self._sweep_at = at_ms

    async def sweep(self) -> int:
        """The alarm: delete every claim expired by the scheduled sweep time; returns how many went."""
        at_ms = await self._scheduled()
        self._sweep_at = None
        if at_ms == 0:
            return 0
        end = f"{INDEX_PREFIX}{at_ms + 1:0{MS_DIGITS}d}"  # index entries with expiry ms <= at_ms
        removed = 0
        for _ in range(MAX_PAGES_PER_SWEEP):
            page = list(dict(await self._storage.list({"prefix": INDEX_PREFIX, "end": end, "limit": PAGE})))
            if not page:
                break
            doomed = list(page)
            claims = {CLAIM_PREFIX + name.rsplit(":", 1)[1]: name for name in page}
            stored = dict(await self._storage.get(list(claims)))
            for claim_name in claims:
                claim = _decode(stored.get(claim_name))
                # the index entry is stale if the claim was renewed since (its own index entry is later)
                if claim is None or to_ms(claim.expires_at) <= at_ms:
                    doomed.append(claim_name)
                    removed += claim is not None
            await self._storage.delete(doomed)
            if len(page) < PAGE:
                break
        else:
            await self._schedule(at_ms)  # more expired entries than one run takes: carry on at once
            return removed
        following = list(dict(await self._storage.list({"prefix": INDEX_PREFIX, "limit": 1})))
        if following:
            next_ms = int(following[0][len(INDEX_PREFIX) :].split(":", 1)[0])
            await self._schedule(max(next_ms, at_ms + to_ms(self._min_sweep_interval_s)))
        else:
            await self._storage.delete([SWEEP_KEY])
            self._sweep_at = 0
        return removed
