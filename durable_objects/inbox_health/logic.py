"""InboxHealth logic: bounce/complaint rates, auto-pause, a transport circuit breaker, a health score. Pure: a
storage port, no clock (every call carries the caller's `now`; the alarm uses the time it stored).

Storage (one object per inbox, all bounded):

- `config` → `HealthConfig` (defaults from `shared.messages.inbox_health`, changed by `configure`).
- `day:<YYYY-MM-DD>` → event counts of that UTC day. The rolling window is the last `window_days` UTC dates
  including today; older buckets are deleted whenever a new day's bucket is created, so at most
  `window_days + 1` buckets exist.
- `state` → pause, last pause, last resume (with the counts its day had at the resume), circuit breaker.

Auto-pause: after each event the *counted* events are checked: hard bounces / sends against `bounce_threshold`,
complaints / sends against `complaint_threshold`, both only once sends ≥ `min_sends`. A rate strictly above its
threshold pauses the inbox and records reason, rate, threshold, sends and time.

Resume and grace: `resume(now, by)` clears the pause. With `grace_s` > 0 it starts a grace period whose mechanism is
"fresh sends only": events before the resume stop counting towards a pause (the resume day's bucket is baselined at
the resume, older days are skipped), so a re-pause needs `min_sends` new sends with a bad rate — the old bounces
that caused the pause cannot re-pause it at once, and (for the same reason) not when the grace period ends either:
the exclusion lasts until the pre-resume days leave the window or the grace ends, whichever is later. `grace_s` = 0
means a resume only clears the pause (the full window counts, so a still-bad window re-pauses on the next event).

Circuit breaker on consecutive transport failures: closed → (failures ≥ `max_consecutive_failures`) → open, with an
alarm at `opened_at + cooldown_s` (stored as `circuit.half_open_at`; the alarm handler reads it, needing no clock) →
half-open: `can_send` hands out exactly one probe (a probe not reported within another cool-down is handed out
again) → `transport_success` closes it, `transport_failure` re-opens it with a fresh cool-down. An open circuit
whose cool-down has passed is treated as half-open by `can_send` even if the alarm is late.

Health score (0–100, integer), documented formula:

    confidence = min(1, counted_sends / min_sends)
    b = min(1, bounce_rate / bounce_threshold) * confidence
    c = min(1, complaint_rate / complaint_threshold) * confidence
    f = min(1, consecutive_failures / max_consecutive_failures)   (1 while the circuit is open or half-open)
    score = round(100 - 50*b - 30*c - 20*f), clamped to 0..100, and 0 while paused.

The rates are over the counted events (what the thresholds see); `confidence` keeps one early bounce from sinking a
fresh inbox's score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from durable_objects.storage import Storage
from shared.messages.inbox_health import (
    CircuitInfo,
    ConfigureRequest,
    Counts,
    GateReply,
    HealthConfig,
    HealthEvent,
    PauseInfo,
    ResumeInfo,
    StatusReply,
)

CONFIG_KEY = "config"
STATE_KEY = "state"
DAY_PREFIX = "day:"
COUNT_FIELDS = tuple(Counts.model_fields)


def utc_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).date().isoformat()


def _window_start(now: float, window_days: int) -> str:
    """The oldest UTC date inside the window (ISO dates compare correctly as strings)."""
    return (datetime.fromtimestamp(now, tz=UTC).date() - timedelta(days=window_days - 1)).isoformat()


def _counts(value: Any) -> dict[str, int]:
    out = dict.fromkeys(COUNT_FIELDS, 0)
    if isinstance(value, Mapping):
        for name in COUNT_FIELDS:
            raw = value.get(name)
            if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw > 0:
                out[name] = int(raw)
    return out


def _rate(part: int, sends: int) -> float:
    return part / sends if sends > 0 else 0.0


def _fresh_state() -> dict[str, Any]:
    return {
        "paused": None,
        "last_pause": None,
        "resume": None,
        "circuit": {
            "state": "closed",
            "consecutive_failures": 0,
            "opened_at": None,
            "half_open_at": None,
            "probe_at": None,
        },
    }


class InboxHealthLogic:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    # -- storage -------------------------------------------------------------------------------------------------

    async def config(self) -> HealthConfig:
        raw = await self._storage.get(CONFIG_KEY)
        if isinstance(raw, Mapping):
            try:
                return HealthConfig.model_validate(dict(raw))
            except ValueError:
                pass  # an unreadable config falls back to the defaults
        return HealthConfig()

    async def _state(self) -> dict[str, Any]:
        raw = await self._storage.get(STATE_KEY)
        state = _fresh_state()
        if isinstance(raw, Mapping):
            for key in ("paused", "last_pause", "resume"):
                if isinstance(raw.get(key), Mapping):
                    state[key] = dict(raw[key])
            if isinstance(raw.get("circuit"), Mapping):
                state["circuit"].update(dict(raw["circuit"]))
        return state

    async def _save(self, state: dict[str, Any]) -> None:
        await self._storage.put(STATE_KEY, state)

    async def _days(self) -> dict[str, dict[str, int]]:
        page = await self._storage.list({"prefix": DAY_PREFIX})
        return {name[len(DAY_PREFIX) :]: _counts(value) for name, value in dict(page).items()}

    # -- counting ------------------------------------------------------------------------------------------------

    @staticmethod
    def _excluding_before_resume(state: dict[str, Any], cfg: HealthConfig, now: float, window_start: str) -> bool:
        resume = state["resume"]
        if not resume or cfg.grace_s <= 0:
            return False
        if now < float(resume.get("grace_until", 0)):
            return True
        return str(resume.get("day", "")) >= window_start  # pre-resume days still in the window

    def _tally(
        self, days: Mapping[str, Mapping[str, int]], state: dict[str, Any], cfg: HealthConfig, now: float
    ) -> tuple[dict[str, int], dict[str, int]]:
        """(whole window, counted for the thresholds)."""
        start = _window_start(now, cfg.window_days)
        window = dict.fromkeys(COUNT_FIELDS, 0)
        counted = dict.fromkeys(COUNT_FIELDS, 0)
        resume = state["resume"]
        exclude = self._excluding_before_resume(state, cfg, now, start)
        resume_day = str(resume.get("day", "")) if resume else ""
        baseline = _counts(resume.get("baseline")) if resume else dict.fromkeys(COUNT_FIELDS, 0)
        for day, counts in days.items():
            if day < start:
                continue
            for name in COUNT_FIELDS:
                window[name] += counts[name]
                if not exclude or day > resume_day:
                    counted[name] += counts[name]
                elif day == resume_day:
                    counted[name] += max(0, counts[name] - baseline[name])
        return window, counted

    # -- the gate ------------------------------------------------------------------------------------------------

    @staticmethod
    def _gate(state: dict[str, Any], cfg: HealthConfig, now: float, *, claim_probe: bool) -> GateReply:
        paused = state["paused"]
        if paused:
            reason = f"paused: {paused['reason']} {paused['rate']:.2%} > {paused['threshold']:.2%}"
            return GateReply(allowed=False, state="paused", reason=reason)
        circuit = state["circuit"]
        if circuit["state"] == "open":
            half_open_at = circuit.get("half_open_at")
            if isinstance(half_open_at, (int, float)) and now >= half_open_at:
                circuit["state"] = "half_open"  # the alarm is late: same transition
                circuit["probe_at"] = None
            else:
                reason = f"circuit open after {circuit['consecutive_failures']} consecutive transport failures"
                return GateReply(allowed=False, state="circuit_open", reason=reason)
        if circuit["state"] == "half_open":
            probe_at = circuit.get("probe_at")
            if isinstance(probe_at, (int, float)) and now < probe_at + cfg.cooldown_s:
                return GateReply(allowed=False, state="half_open", reason="half-open: probe send in flight")
            if claim_probe:
                circuit["probe_at"] = now
            return GateReply(allowed=True, state="half_open", reason="half-open: one probe send allowed")
        return GateReply(allowed=True, state="ok", reason=None)

    # -- public API ----------------------------------------------------------------------------------------------

    async def record(self, event: HealthEvent | str, now: float, count: int = 1) -> GateReply:
        event = HealthEvent(event)
        cfg = await self.config()
        state = await self._state()
        day = utc_day(now)
        key = DAY_PREFIX + day
        raw = await self._storage.get(key)
        counts = _counts(raw)
        counts[event.value] += count
        await self._storage.put(key, counts)
        if raw is None:
            await self._prune(now, cfg.window_days)

        circuit = state["circuit"]
        if event is HealthEvent.TRANSPORT_FAILURE:
            circuit["consecutive_failures"] = int(circuit["consecutive_failures"]) + count
            if circuit["state"] == "half_open" or (
                circuit["state"] == "closed" and circuit["consecutive_failures"] >= cfg.max_consecutive_failures
            ):
                await self._open(circuit, now, cfg)
        elif event is HealthEvent.TRANSPORT_SUCCESS:
            circuit.update(state="closed", consecutive_failures=0, opened_at=None, half_open_at=None, probe_at=None)

        if state["paused"] is None and event in (HealthEvent.SENT, HealthEvent.HARD_BOUNCE, HealthEvent.COMPLAINT):
            _, counted = self._tally(await self._days(), state, cfg, now)
            pause = self._check_thresholds(counted, cfg, now)
            if pause is not None:
                state["paused"] = state["last_pause"] = pause.model_dump()
        gate = self._gate(state, cfg, now, claim_probe=False)
        await self._save(state)
        return gate

    @staticmethod
    def _check_thresholds(counted: Mapping[str, int], cfg: HealthConfig, now: float) -> PauseInfo | None:
        sends = counted["sent"]
        if sends < cfg.min_sends:
            return None
        bounce = _rate(counted["hard_bounce"], sends)
        if bounce > cfg.bounce_threshold:
            return PauseInfo(reason="bounce_rate", rate=bounce, threshold=cfg.bounce_threshold, sends=sends, at=now)
        complaint = _rate(counted["complaint"], sends)
        if complaint > cfg.complaint_threshold:
            return PauseInfo(
                reason="complaint_rate", rate=complaint, threshold=cfg.complaint_threshold, sends=sends, at=now
            )
        return None

    async def _open(self, circuit: dict[str, Any], now: float, cfg: HealthConfig) -> None:
        half_open_at = now + cfg.cooldown_s
        circuit.update(state="open", opened_at=now, half_open_at=half_open_at, probe_at=None)
        await self._storage.setAlarm(math.ceil(half_open_at * 1000))

    async def _prune(self, now: float, window_days: int) -> None:
        start = DAY_PREFIX + _window_start(now, window_days)
        page = await self._storage.list({"prefix": DAY_PREFIX, "end": start})
        old = list(dict(page))
        for i in range(0, len(old), 128):
            await self._storage.delete(old[i : i + 128])

    async def can_send(self, now: float) -> GateReply:
        """Allowed / paused / circuit open; in the half-open state the first caller claims the single probe."""
        cfg = await self.config()
        state = await self._state()
        before = state["circuit"].copy()
        gate = self._gate(state, cfg, now, claim_probe=True)
        if state["circuit"] != before:
            await self._save(state)
        return gate

    async def resume(self, now: float, by: str) -> StatusReply:
        state = await self._state()
        day = utc_day(now)
        cfg = await self.config()
        state["paused"] = None
        state["resume"] = {
            "at": now,
            "by": by,
            "grace_until": now + cfg.grace_s,
            "day": day,
            "baseline": _counts(await self._storage.get(DAY_PREFIX + day)),
        }
        await self._save(state)
        return await self.status(now)

    async def configure(self, request: ConfigureRequest) -> HealthConfig:
        current = await self.config()
        changes = request.model_dump(exclude_none=True)
        cfg = HealthConfig.model_validate({**current.model_dump(), **changes})
        await self._storage.put(CONFIG_KEY, cfg.model_dump())
        return cfg

    async def alarm(self) -> None:
        """The cool-down alarm: an open circuit becomes half-open (the stored time is the alarm's, no clock)."""
        state = await self._state()
        circuit = state["circuit"]
        if circuit["state"] == "open" and isinstance(circuit.get("half_open_at"), (int, float)):
            circuit["state"] = "half_open"
            circuit["probe_at"] = None
            await self._save(state)

    async def status(self, now: float) -> StatusReply:
        cfg = await self.config()
        state = await self._state()
        window, counted = self._tally(await self._days(), state, cfg, now)
        gate = self._gate(state, cfg, now, claim_probe=False)
        circuit = state["circuit"]
        sends = counted["sent"]
        bounce = _rate(counted["hard_bounce"], sends)
        complaint = _rate(counted["complaint"], sends)
        resume = state["resume"]
        return StatusReply(
            state=gate.state,
            reason=gate.reason,
            score=health_score(counted, circuit, cfg, paused=state["paused"] is not None),
            window=Counts(**window),
            counted=Counts(**counted),
            bounce_rate=bounce,
            complaint_rate=complaint,
            paused=PauseInfo.model_validate(state["paused"]) if state["paused"] else None,
            last_pause=PauseInfo.model_validate(state["last_pause"]) if state["last_pause"] else None,
            resume=ResumeInfo(at=resume["at"], by=resume["by"], grace_until=resume["grace_until"]) if resume else None,
            in_grace=bool(resume) and now < float(resume["grace_until"]),
            circuit=CircuitInfo.model_validate(circuit),
            config=cfg,
        )


def health_score(counted: Mapping[str, int], circuit: Mapping[str, Any], cfg: HealthConfig, *, paused: bool) -> int:
    """The 0–100 score (formula in the module docstring)."""
    if paused:
        return 0
    sends = counted.get("sent", 0)
    confidence = min(1.0, sends / cfg.min_sends)
    b = min(1.0, _rate(counted.get("hard_bounce", 0), sends) / cfg.bounce_threshold) * confidence
    c = min(1.0, _rate(counted.get("complaint", 0), sends) / cfg.complaint_threshold) * confidence
    if circuit.get("state") in ("open", "half_open"):
        f = 1.0
    else:
        f = min(1.0, int(circuit.get("consecutive_failures", 0)) / cfg.max_consecutive_failures)
    score = round(100 - 50 * b - 30 * c - 20 * f)
    return max(0, min(100, score))
