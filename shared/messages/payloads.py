"""Queue message payloads and the registry that maps `(type, version)` to a payload model.

A message whose type is not registered is undecodable: it goes to the dead-letter queue without retries.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.domain.errors import MessageDecodeError
from shared.messages.envelope import Envelope


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InboundReceived(Payload):
    """An email arrived through Email Routing and its raw bytes are stored in D1."""

    inbound_id: str = Field(min_length=1)


class ImportSlice(Payload):
    """Process the import job's next slice, starting at chunk `chunk` after row `row` (the job's cursor)."""

    job_id: str = Field(min_length=1, max_length=64)
    chunk: int = Field(ge=0)
    row: int = Field(ge=0)


class ComposeRequested(Payload):
    """Compose step `step` of enrollment `enrollment_id`: the scheduler claimed it (`claim_token`), chose the inbox and
    the variant, and holds one WarmupManager reservation for its send (`reservation`, until `reservation_until`).
    Idempotent per (enrollment, step): a second delivery finds the email already stored and re-queues its send."""

    enrollment_id: str = Field(min_length=1, max_length=64)
    step: int = Field(ge=1, le=100)
    claim_token: str = Field(min_length=1, max_length=64)
    inbox_id: str = Field(min_length=1, max_length=64)
    variant: str = Field(min_length=1, max_length=8)
    reservation: str | None = Field(default=None, max_length=64)
    reservation_until: str | None = Field(default=None, max_length=40)
    reserved_at: str | None = Field(default=None, max_length=40)  # the reservation counts in this instant's hour
    due_at: str = Field(min_length=1, max_length=40)


class SendRequested(Payload):
    """Send the stored email `email_id` (its Message-ID is already fixed). The send consumer (issue 9) is
    at-most-once per `send_key`."""

    email_id: str = Field(min_length=1, max_length=64)
    send_key: str = Field(min_length=1, max_length=200)


class EnrollmentSlice(Payload):
    """Enroll the next slice of a bulk enrollment job's filter, after prospect `after` (keyset)."""

    job_id: str = Field(min_length=1, max_length=64)
    slice: int = Field(ge=0)


class EmailEvent(Payload):
    """Something happened to an email (sent, opened, clicked, bounced, ...): the `events` consumer adds it to the daily
    counters of its campaign, step, variant and inbox. The envelope id is the email_events row id, so a
    republished event is counted once (processed_messages)."""

    email_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=32)
    at: str = Field(min_length=1, max_length=40)  # ISO-8601 UTC: the counter's day is its date
    campaign_id: str | None = Field(default=None, max_length=64)
    step_position: int | None = Field(default=None, ge=0, le=1000)
    variant: str | None = Field(default=None, max_length=8)
    inbox_id: str | None = Field(default=None, max_length=64)
    automated: bool = False


class EnrichRequested(Payload):
    """Enrich prospect `prospect_id`: fill its missing website, facts and address (shared/service_layer/enrichment).
    Idempotent: a second delivery finds nothing missing, or answers from the caches."""

    prospect_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="api", min_length=1, max_length=32)  # created, import, api, topup


class EnrichSelection(Payload):
    """Queue `enrich` messages for the next slice of a filter (`POST /api/enrich` with a filter), after `cursor`.
    Slice `slice` of selection `selection_id` publishes its successor once (a Dedup claim guards it)."""

    selection_id: str = Field(min_length=1, max_length=64)
    slice: int = Field(ge=0)
    filter: dict[str, Any]
    cursor: str | None = Field(default=None, max_length=512)


class DeadLetter(Payload):
    """A task that failed for good, forwarded by a consumer to the `dlq` queue with what is known about it."""

    queue: str
    message_id: str
    attempts: int = Field(ge=0)
    error: str
    original_type: str | None = None
    original_version: int | None = None
    original_payload: dict[str, Any] | None = None
    raw_body: str | None = None


MESSAGE_TYPES: dict[tuple[str, int], type[Payload]] = {
    ("inbound.received", 1): InboundReceived,
    ("dead_letter", 1): DeadLetter,
    ("import.slice", 1): ImportSlice,
    ("compose.requested", 1): ComposeRequested,
    ("send.requested", 1): SendRequested,
    ("enrollment.slice", 1): EnrollmentSlice,
    ("email.event", 1): EmailEvent,
    ("enrich.requested", 1): EnrichRequested,
    ("enrich.selection", 1): EnrichSelection,
}

TYPE_NAMES: dict[type[Payload], tuple[str, int]] = {model: key for key, model in MESSAGE_TYPES.items()}


def parse_payload(envelope: Envelope) -> Payload:
    model = MESSAGE_TYPES.get((envelope.type, envelope.version))
    if model is None:
        raise MessageDecodeError(f"unknown message type {envelope.type!r} version {envelope.version}")
    try:
        return model.model_validate(envelope.payload)
    except ValidationError as exc:
        raise MessageDecodeError(f"invalid {envelope.type} payload: {exc.errors()[0]['msg']}") from exc
