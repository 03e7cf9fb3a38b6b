"""The InboxHealth Durable Object: naming and the RPC payloads (plain dicts cross the RPC boundary).

One object per inbox, named by the inbox id (`ns.idFromName(inbox_id)`). Every call carries the caller's clock as
`now` (epoch seconds): the object keeps no clock of its own, so tests drive it with an injected one.

RPC (each takes one request dict and returns one reply dict):

- `record(RecordRequest)` → `GateReply`: count an event (sent, transport_failure, transport_success, hard_bounce,
  soft_bounce, complaint); may auto-pause the inbox or move the circuit breaker.
- `can_send(NowRequest)` → `GateReply`: may the inbox send now? In the half-open circuit state the first caller is
  granted the single probe send (the call claims it), later callers are refused until the probe reports back.
- `resume(ResumeRequest)` → `StatusReply`: clear a pause (manual), start the grace period.
- `configure(ConfigureRequest)` → `HealthConfig`: change thresholds (only the given fields).
- `status(NowRequest)` → `StatusReply`: the full picture (rates, pause, circuit, grace, score, config).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.messages.timing import EpochSeconds

INBOX_HEALTH_BINDING = "INBOX_HEALTH"


class HealthEvent(StrEnum):
    SENT = "sent"
    TRANSPORT_FAILURE = "transport_failure"
    TRANSPORT_SUCCESS = "transport_success"
    HARD_BOUNCE = "hard_bounce"
    SOFT_BOUNCE = "soft_bounce"
    COMPLAINT = "complaint"


GateState = Literal["ok", "paused", "circuit_open", "half_open"]
CircuitState = Literal["closed", "open", "half_open"]
PauseReason = Literal["bounce_rate", "complaint_rate"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HealthConfig(_Model):
    bounce_threshold: float = Field(default=0.03, gt=0, le=1)  # hard bounces / sends
    complaint_threshold: float = Field(default=0.003, gt=0, le=1)  # complaints / sends
    min_sends: int = Field(default=20, ge=1, le=1_000_000)  # no rate-based pause below this many sends
    window_days: int = Field(default=7, ge=1, le=90)  # rolling window, UTC calendar days including today
    max_consecutive_failures: int = Field(default=5, ge=1, le=1000)
    cooldown_s: float = Field(default=900.0, gt=0, le=7 * 86400)  # open → half-open
    grace_s: float = Field(default=86400.0, ge=0, le=30 * 86400)  # after a manual resume


class ConfigureRequest(_Model):
    bounce_threshold: float | None = Field(default=None, gt=0, le=1)
    complaint_threshold: float | None = Field(default=None, gt=0, le=1)
    min_sends: int | None = Field(default=None, ge=1, le=1_000_000)
    window_days: int | None = Field(default=None, ge=1, le=90)
    max_consecutive_failures: int | None = Field(default=None, ge=1, le=1000)
    cooldown_s: float | None = Field(default=None, gt=0, le=7 * 86400)
    grace_s: float | None = Field(default=None, ge=0, le=30 * 86400)


class NowRequest(_Model):
    now: EpochSeconds


class RecordRequest(_Model):
    event: HealthEvent
    now: EpochSeconds
    count: int = Field(default=1, ge=1, le=10_000)


class ResumeRequest(_Model):
    now: EpochSeconds
    by: str = Field(min_length=1, max_length=200)


class GateReply(_Model):
    allowed: bool
    state: GateState
    reason: str | None = None


class PauseInfo(_Model):
    reason: PauseReason
    rate: float
    threshold: float
    sends: int
    at: float


class ResumeInfo(_Model):
    at: float
    by: str
    grace_until: float


class CircuitInfo(_Model):
    state: CircuitState
    consecutive_failures: int
    opened_at: float | None = None
    half_open_at: float | None = None  # when the cool-down ends (the alarm's time)
    probe_at: float | None = None  # when the half-open probe was handed out


class Counts(_Model):
    sent: int = 0
    hard_bounce: int = 0
    soft_bounce: int = 0
    complaint: int = 0
    transport_failure: int = 0
    transport_success: int = 0


class StatusReply(_Model):
    state: GateState
    reason: str | None
    score: int = Field(ge=0, le=100)
    window: Counts  # the whole rolling window
    counted: Counts  # what the pause thresholds see (the window minus events before the last resume)
    bounce_rate: float
    complaint_rate: float
    paused: PauseInfo | None
    last_pause: PauseInfo | None
    resume: ResumeInfo | None
    in_grace: bool
    circuit: CircuitInfo
    config: HealthConfig
