"""The gate every sender passes before a message goes out: emergency stop, inbox health, warmup capacity.

Order matters: the cheapest and most absolute check first. The emergency stop lives in D1 `settings` (durable,
one switch for every inbox); a paused or circuit-broken inbox is refused by InboxHealth; WarmupManager grants a
reservation (or not) that the sender commits after a successful send or releases after a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from shared.ports.coordination import InboxHealthClient, WarmupClient
from shared.ports.runtime import Clock

EMERGENCY_STOP_KEY = "emergency_stop"


class SettingsStore(Protocol):
    async def get(self, key: str) -> Any | None: ...

    async def put(self, key: str, value: Any, *, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class SendDecision:
    allowed: bool
    reason: str  # "ok", "emergency_stop", "paused", "circuit_open", "half_open", "warmup_capacity"
    reservation: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class SendGate:
    settings: SettingsStore
    health: InboxHealthClient
    warmup: WarmupClient
    clock: Clock

    async def emergency_stop(self) -> dict[str, Any]:
        value = await self.settings.get(EMERGENCY_STOP_KEY)
        return value if isinstance(value, dict) else {"enabled": False, "by": None, "at": None}

    async def set_emergency_stop(self, enabled: bool, *, by: str | None) -> dict[str, Any]:
        now = self.clock.now()
        value = {"enabled": enabled, "by": by, "at": now.isoformat()}
        await self.settings.put(EMERGENCY_STOP_KEY, value, at=now)
        return value

    async def acquire(self, inbox_id: str) -> SendDecision:
        if (await self.emergency_stop())["enabled"]:
            return SendDecision(False, "emergency_stop")
        now = self.clock.now().timestamp()
        gate = await self.health.can_send(inbox_id, now)
        if not gate.allowed:
            return SendDecision(False, gate.state, detail=gate.reason)
        reservation = await self.warmup.reserve(inbox_id, 1, now)
        if reservation.granted < 1 or reservation.token is None:
            return SendDecision(False, "warmup_capacity", detail=f"limited by {reservation.limited_by}")
        return SendDecision(True, "ok", reservation=reservation.token)
