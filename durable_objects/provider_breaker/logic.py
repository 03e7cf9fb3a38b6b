"""ProviderBreaker logic: one circuit breaker per external provider, persisted in the object's storage. Pure: a
storage port, no clock (every call carries the caller's `now`) and no alarm (transitions happen when a call looks).

Storage: one entry, `state` → `{state, consecutive_failures, opens, cooldown_s, opened_at, half_open_at, probe_at}`.

    closed ──(failure_threshold consecutive failures)──► open ──(now ≥ half_open_at)──► half_open
       ▲                                                   ▲                              │ allow() hands out
       └──────────────── success (any state) ──────────────┼──────────────────────────────┤ exactly one probe
                                                           └────── failure (re-open) ─────┘

- A success closes the circuit from any state and forgets the failures and the back-off: the provider answered.
- Opening sets `half_open_at = now + cooldown`. The first open's cool-down is `cooldown_s`; each re-open (a failure
  while half-open) doubles it, up to `max_cooldown_s`; closing resets it.
- Half-open: `allow` claims the single probe by storing `probe_at = now` (the object runs one call at a time, so two
  callers can never both claim it); everyone else is refused until the probe reports, or until `probe_timeout_s`
  after it was handed out, when the next caller gets a new probe (the first one's isolate may have died).
- A failure reported while open (a call that started before the circuit opened) is counted but does not extend
  the cool-down.
- A caller whose clock lags gets the conservative answer: it cannot end a cool-down or a probe's lease early.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from durable_objects.storage import Storage
from shared.messages.provider_breaker import AllowReply, BreakerConfig, Outcome, StatusReply

STATE_KEY = "state"
_MAX_DOUBLINGS = 30  # 2**30 × any cool-down is far beyond max_cooldown_s; keeps the power finite


def _fresh() -> dict[str, Any]:
    return {
        "state": "closed",
        "consecutive_failures": 0,
        "opens": 0,
        "cooldown_s": None,
        "opened_at": None,
        "half_open_at": None,
        "probe_at": None,
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _decode(raw: Any) -> dict[str, Any]:
    """The stored circuit, or a closed one when nothing (or nothing readable) is stored."""
    state = _fresh()
    if not isinstance(raw, Mapping) or raw.get("state") not in ("closed", "open", "half_open"):
        return state
    state["state"] = raw["state"]
    for name in ("consecutive_failures", "opens"):
        count = _number(raw.get(name))
        state[name] = max(0, int(count)) if count is not None else 0
    for name in ("cooldown_s", "opened_at", "half_open_at", "probe_at"):
        state[name] = _number(raw.get(name))
    if state["state"] == "open" and state["half_open_at"] is None:
        return _fresh()  # an open circuit without an end cannot be honoured: start over closed
    return state


def cooldown_for(opens: int, config: BreakerConfig) -> float:
    """The cool-down of the `opens`-th consecutive open (1 = the first): `cooldown_s` doubled per re-open, capped."""
    doublings = min(max(0, opens - 1), _MAX_DOUBLINGS)
    return min(config.cooldown_s * 2**doublings, config.max_cooldown_s)


class ProviderBreakerLogic:
    def __init__(self, storage: Storage, config: BreakerConfig | None = None) -> None:
        self._storage = storage
        self._config = config or BreakerConfig()

    @property
    def config(self) -> BreakerConfig:
        return self._config

    async def _load(self) -> dict[str, Any]:
        return _decode(await self._storage.get(STATE_KEY))

    async def _save(self, state: dict[str, Any]) -> None:
        await self._storage.put(STATE_KEY, state)

    @staticmethod
    def _advance(state: dict[str, Any], now: float) -> bool:
        """Open → half-open once the cool-down has passed; True when it moved."""
        if state["state"] == "open" and now >= state["half_open_at"]:
            state["state"] = "half_open"
            state["probe_at"] = None
            return True
        return False

    def _probe_in_flight(self, state: dict[str, Any], now: float) -> bool:
        probe_at = state["probe_at"]
        return probe_at is not None and now < probe_at + self._config.probe_timeout_s

    def _retry_at(self, state: dict[str, Any], now: float) -> float | None:
        if state["state"] == "open":
            return float(state["half_open_at"])
        if state["state"] == "half_open" and self._probe_in_flight(state, now):
            return float(state["probe_at"]) + self._config.probe_timeout_s
        return None

    def _open(self, state: dict[str, Any], now: float) -> None:
        opens = int(state["opens"]) + 1
        cooldown = cooldown_for(opens, self._config)
        state.update(
            state="open", opens=opens, cooldown_s=cooldown, opened_at=now, half_open_at=now + cooldown, probe_at=None
        )

    async def allow(self, now: float) -> AllowReply:
        state = await self._load()
        self._advance(state, now)  # moving to half-open clears the probe, so the claim below saves it
        if state["state"] == "closed":
            return AllowReply(allowed=True, state="closed")
        if state["state"] == "open":
            return AllowReply(allowed=False, state="open", retry_at=self._retry_at(state, now))
        if self._probe_in_flight(state, now):
            return AllowReply(allowed=False, state="half_open", retry_at=self._retry_at(state, now))
        state["probe_at"] = now  # this caller is the probe
        await self._save(state)
        return AllowReply(allowed=True, state="half_open")

    async def record(self, outcome: Outcome, now: float) -> StatusReply:
        state = await self._load()
        self._advance(state, now)
        if outcome == "success":
            state = _fresh()
        else:
            state["consecutive_failures"] = int(state["consecutive_failures"]) + 1
            if state["state"] == "half_open" or (
                state["state"] == "closed" and state["consecutive_failures"] >= self._config.failure_threshold
            ):
                self._open(state, now)
        await self._save(state)
        return self._status(state, now)

    async def status(self, now: float) -> StatusReply:
        state = await self._load()
        self._advance(state, now)  # what a call would see; nothing is written
        return self._status(state, now)

    def _status(self, state: dict[str, Any], now: float) -> StatusReply:
        return StatusReply(
            state=state["state"],
            consecutive_failures=state["consecutive_failures"],
            opens=state["opens"],
            cooldown_s=state["cooldown_s"],
            opened_at=state["opened_at"],
            half_open_at=state["half_open_at"],
            probe_at=state["probe_at"],
            retry_at=self._retry_at(state, now),
            config=self._config,
        )
