"""ProspectLock logic: one lease per prospect, persisted in the object's storage. Pure: a storage port, no clock.

Storage: `lease` → `{"holder", "acquired_at", "expires_at"}` (at most one), `sweep:at` → epoch ms of the cleanup
alarm. A lease is in force while `now < expires_at`; time is always the caller's `now`.

- `acquire`: granted when nobody holds a lease in force (a lapsed one is taken over) or the caller already holds it
  (then it is extended, like `renew`); otherwise refused with the holder and its expiry.
- `renew`: only the holder of a lease in force; a lapsed lease cannot be renewed (acquire again). Never shortens.
- `release`: only the holder of a lease in force. A lapsed lease of the caller's is deleted but reported as not
  released: it was no longer the caller's to release.

Storage stays bounded without a clock: granting a lease with no sweep scheduled arms an alarm at its expiry
(`sweep:at`). The alarm treats that scheduled time as "now": a lease lapsed by then is deleted, a lease extended since
re-arms the alarm at its new expiry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from durable_objects.storage import Storage
from shared.messages.prospect_lock import (
    AcquireLeaseReply,
    LeaseRequest,
    LeaseStatus,
    ReleaseLeaseReply,
    ReleaseLeaseRequest,
    RenewLeaseReply,
    StatusRequest,
)

LEASE_KEY = "lease"
SWEEP_KEY = "sweep:at"


@dataclass(frozen=True, slots=True)
class Lease:
    holder: str
    acquired_at: float
    expires_at: float

    def in_force(self, now: float) -> bool:
        return now < self.expires_at


def to_ms(seconds: float) -> int:
    return math.ceil(seconds * 1000)


def _decode(value: Any) -> Lease | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return Lease(str(value["holder"]), float(value["acquired_at"]), float(value["expires_at"]))
    except (KeyError, TypeError, ValueError):
        return None  # an unreadable lease counts as no lease


class ProspectLockLogic:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._sweep_at: int | None = None  # ms of the scheduled sweep; 0: none; None: not known yet here

    async def _lease(self) -> Lease | None:
        return _decode(await self._storage.get(LEASE_KEY))

    async def _write(self, lease: Lease) -> None:
        await self._storage.put(
            LEASE_KEY, {"holder": lease.holder, "acquired_at": lease.acquired_at, "expires_at": lease.expires_at}
        )
        if await self._scheduled() == 0:
            await self._schedule(to_ms(lease.expires_at))

    async def acquire(self, request: LeaseRequest) -> AcquireLeaseReply:
        current = await self._lease()
        if current is not None and current.in_force(request.now):
            if current.holder != request.owner:
                return AcquireLeaseReply(granted=False, holder=current.holder, expires_at=current.expires_at)
            lease = Lease(current.holder, current.acquired_at, max(current.expires_at, request.now + request.ttl_s))
        else:
            lease = Lease(request.owner, request.now, request.now + request.ttl_s)
        await self._write(lease)
        return AcquireLeaseReply(granted=True, holder=lease.holder, expires_at=lease.expires_at)

    async def renew(self, request: LeaseRequest) -> RenewLeaseReply:
        current = await self._lease()
        if current is None or not current.in_force(request.now):
            return RenewLeaseReply(renewed=False)
        if current.holder != request.owner:
            return RenewLeaseReply(renewed=False, holder=current.holder, expires_at=current.expires_at)
        lease = Lease(current.holder, current.acquired_at, max(current.expires_at, request.now + request.ttl_s))
        await self._write(lease)
        return RenewLeaseReply(renewed=True, holder=lease.holder, expires_at=lease.expires_at)

    async def release(self, request: ReleaseLeaseRequest) -> ReleaseLeaseReply:
        current = await self._lease()
        if current is None:
            return ReleaseLeaseReply(released=False)
        if current.holder != request.owner:
            held = current.in_force(request.now)
            return ReleaseLeaseReply(released=False, holder=current.holder if held else None)
        await self._storage.delete([LEASE_KEY])
        return ReleaseLeaseReply(released=current.in_force(request.now))

    async def status(self, request: StatusRequest) -> LeaseStatus:
        current = await self._lease()
        if current is None or not current.in_force(request.now):
            return LeaseStatus(held=False)
        return LeaseStatus(held=True, holder=current.holder, expires_at=current.expires_at)

    async def _scheduled(self) -> int:
        if self._sweep_at is None:
            at = await self._storage.get(SWEEP_KEY)
            self._sweep_at = int(at) if isinstance(at, (int, float)) and not isinstance(at, bool) else 0
        return self._sweep_at

    async def _schedule(self, at_ms: int) -> None:
        await self._storage.put(SWEEP_KEY, at_ms)
        await self._storage.setAlarm(at_ms)
        self._sweep_at = at_ms

    async def sweep(self) -> bool:
        """The alarm: delete the lease if it lapsed by the scheduled time, else re-arm at its expiry. Returns whether
        a lease was deleted."""
        at_ms = await self._scheduled()
        self._sweep_at = None
        if at_ms == 0:
            return False
        current = await self._lease()
        if current is not None and to_ms(current.expires_at) > at_ms:
            await self._schedule(to_ms(current.expires_at))
            return False
        await self._storage.delete([LEASE_KEY, SWEEP_KEY])
        self._sweep_at = 0
        return current is not None
