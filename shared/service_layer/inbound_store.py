"""Storing one inbound email as its bytes stream in: tally each piece, write it, then complete or discard.

The first half of `receive_email` (shared/service_layer/inbound.py), kept free of pydantic (no queue envelope here)
so the Pyodide tier runs it through the real SDK against the email handler's real stream. Each piece is counted
against the 25 MiB cap before it is written; the message counts as stored only when the writer's `complete` has
returned; on any failure (the stream, the cap, D1, cancellation) what was written is discarded and the original
error propagates, so the caller queues nothing (decision 0015).
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import TYPE_CHECKING

from shared.domain.inbound import InboundEnvelope, RawFacts, RawTally
from shared.observability.log import Logger

if TYPE_CHECKING:
    from shared.ports.repositories import InboundRepository


class _Whole:
    """Bytes held whole (tests, tools) as a one-piece stream."""

    def __init__(self, raw: bytes) -> None:
        self._raw: bytes | None = raw

    def __aiter__(self) -> _Whole:
        return self

    async def __anext__(self) -> bytes:
        if self._raw is None:
            raise StopAsyncIteration
        raw, self._raw = self._raw, None
        return raw


async def store_streamed_email(
    envelope: InboundEnvelope, raw: bytes | AsyncIterable[bytes], *, inbound: InboundRepository, log: Logger
) -> tuple[str, RawFacts]:
    """Store the message; returns its id (the stored message's id for a redelivery) and what it is."""
    tally = RawTally()
    writer = inbound.open(envelope)
    try:
        async for piece in _Whole(raw) if isinstance(raw, bytes) else raw:
            tally.add(piece)  # ValidationFailed beyond MAX_INBOUND_BYTES, before the piece is written
            await writer.write(piece)
        facts = tally.facts()
        return await writer.complete(facts), facts
    except BaseException as exc:
        try:
            await writer.discard()
        except Exception as cleanup:  # the original error is what the caller must see
            log.warning("inbound email discard failed", inbound_id=envelope.id, error=str(cleanup))
        log.info("inbound email not stored", inbound_id=envelope.id, raw_size=tally.size, error=type(exc).__name__)
        raise
