"""The queue envelope: strict decode, encode round trip, payload registry."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.errors import MessageDecodeError
from shared.messages.envelope import Envelope, decode
from shared.messages.payloads import InboundReceived, parse_payload
from shared.service_layer.envelopes import new_envelope
from tests.fakes import FixedClock, SequentialIds


def make(**changes: object) -> Envelope:
    fields: dict[str, object] = {
        "id": "m1",
        "type": "inbound.received",
        "version": 1,
        "trace_id": "t1",
        "created_at": datetime(2026, 1, 5, tzinfo=UTC),
        "payload": {"inbound_id": "i1"},
    }
    fields.update(changes)
    return Envelope.model_validate(fields)


def test_round_trip_through_json_text() -> None:
    envelope = make()
    assert decode(envelope.encode()) == envelope


def test_decodes_an_already_parsed_dict_and_bytes() -> None:
    envelope = make()
    assert decode(json.loads(envelope.encode())) == envelope
    assert decode(envelope.encode().encode()) == envelope


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "{}",
        '{"id": "x"}',
        42,
        None,
        ["a"],
        b"\xff\xfe",
        # an extra field is a different contract: refuse it rather than guess
        json.dumps({**json.loads(make().encode()), "extra": 1}),
        json.dumps({**json.loads(make().encode()), "version": 0}),
        json.dumps({**json.loads(make().encode()), "type": "Bad Type!"}),
    ],
)
def test_anything_else_is_a_decode_error(body: object) -> None:
    with pytest.raises(MessageDecodeError):
        decode(body)


def test_unknown_type_and_bad_payload_are_decode_errors() -> None:
    with pytest.raises(MessageDecodeError, match="unknown message type"):
        parse_payload(make(type="no.such_type"))
    with pytest.raises(MessageDecodeError, match=r"invalid inbound\.received payload"):
        parse_payload(make(payload={"inbound_id": ""}))
    with pytest.raises(MessageDecodeError):
        parse_payload(make(payload={"inbound_id": "i", "surprise": True}))


def test_new_envelope_takes_type_ids_and_time_from_collaborators() -> None:
    clock = FixedClock()
    envelope = new_envelope(InboundReceived(inbound_id="i9"), trace_id="trace-1", clock=clock, ids=SequentialIds())
    assert (envelope.type, envelope.version, envelope.id, envelope.trace_id) == (
        "inbound.received",
        1,
        "id000001",
        "trace-1",
    )
    assert envelope.created_at == clock.now()
    assert parse_payload(envelope) == InboundReceived(inbound_id="i9")


def test_oversized_envelope_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="too large"):
        make(payload={"blob": "x" * 130_000}).encode()


@given(st.text(min_size=1, max_size=40), st.dictionaries(st.text(max_size=10), st.integers(), max_size=5))
def test_encode_decode_is_lossless_for_any_payload(trace: str, payload: dict[str, int]) -> None:
    envelope = make(trace_id=trace[:64], payload=payload)
    assert decode(envelope.encode()) == envelope
