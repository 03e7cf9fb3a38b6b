"""Building envelopes for payloads: ids, timestamps and the trace id come from injected collaborators."""

from __future__ import annotations

from shared.messages.envelope import Envelope
from shared.messages.payloads import TYPE_NAMES, Payload
from shared.ports.runtime import Clock, IdFactory


def new_envelope(payload: Payload, *, trace_id: str, clock: Clock, ids: IdFactory) -> Envelope:
    type_name, version = TYPE_NAMES[type(payload)]
    return Envelope(
        id=ids.new_id(),
        type=type_name,
        version=version,
        trace_id=trace_id,
        created_at=clock.now(),
        payload=payload.model_dump(mode="json"),
    )
