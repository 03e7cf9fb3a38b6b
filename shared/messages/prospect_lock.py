"""The ProspectLock Durable Object: naming and the RPC payloads (the one place that knows them).

One object per prospect (`lock_name(prospect_id)`), holding at most one lease: `{holder, expires_at}`. A lease is in
force while `now < expires_at`; after that anyone may take it over. Only the holder of a lease in force can renew or
release it; the holder acquiring again extends it (like a renew). Renewing never shortens a lease.

RPC (plain dicts both ways): `acquire(LeaseRequest)` → `AcquireLeaseReply`, `renew(LeaseRequest)` →
`RenewLeaseReply`, `release(ReleaseLeaseRequest)` → `ReleaseLeaseReply`, `status(StatusRequest)` → `LeaseStatus`.
`now` is the caller's clock (epoch seconds): the object keeps no clock of its own.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.messages.timing import EpochSeconds

PROSPECT_LOCK_BINDING = "PROSPECT_LOCK"
MAX_OWNER_CHARS = 512
MIN_TTL_S = 1.0
MAX_TTL_S = 24 * 3600.0


def lock_name(prospect_id: str | int) -> str:
    """The name of the ProspectLock object for a prospect (use with `ns.idFromName`)."""
    return f"prospect:{prospect_id}"


class _Timed(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    now: EpochSeconds


class LeaseRequest(_Timed):
    """`acquire` and `renew`."""

    owner: str = Field(min_length=1, max_length=MAX_OWNER_CHARS)
    ttl_s: float = Field(ge=MIN_TTL_S, le=MAX_TTL_S)


class ReleaseLeaseRequest(_Timed):
    owner: str = Field(min_length=1, max_length=MAX_OWNER_CHARS)


class StatusRequest(_Timed):
    pass


class AcquireLeaseReply(BaseModel):
    """Granted: `holder` is the caller and `expires_at` its lease's end. Not granted: the other holder and when its
    lease ends."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    granted: bool
    holder: str
    expires_at: float


class RenewLeaseReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    renewed: bool
    holder: str | None = None  # the holder in force (the caller when renewed; None: nobody holds the lease)
    expires_at: float | None = None


class ReleaseLeaseReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    released: bool
    holder: str | None = None  # when not released: who holds the lease (None: nobody)


class LeaseStatus(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    held: bool
    holder: str | None = None
    expires_at: float | None = None
