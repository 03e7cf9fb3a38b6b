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
