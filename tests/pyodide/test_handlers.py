"""The entry's conversions in real Pyodide, each handler called as workerd calls it (its own `wrapper_func`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pyodide.cases.handlers import BATCH, RAW_EMAIL


def test_queue_batch_fields_ack_retry_and_retry_all(pyodide: Any) -> None:
    result = pyodide.run("handlers", "queue_batch")
    seen = result["seen"]
    assert seen["queue"] == "jengu-inbound"
    assert seen["env_ctx"] == [None, None]  # workerd passes env and ctx as undefined to class entrypoints
    assert [(m["id"], m["attempts"], m["body"]) for m in seen["messages"]] == [
        (m["id"], m["attempts"], m["body"]) for m in BATCH
    ]
    assert [m["body_type"] for m in seen["messages"]] == ["str", "str", "JsDict"]

    def delay(seconds: int) -> dict[str, Any]:
        return {"t": "Object", "v": {"delaySeconds": {"t": "number", "v": seconds}}}

    assert result["calls"] == [
        {"binding": "m-ok", "method": "ack", "args": []},
        {"binding": "m-retry", "method": "retry", "args": [delay(30)]},
        {"binding": "m-json", "method": "retry", "args": [{"t": "undefined"}]},
        {"binding": "batch", "method": "retryAll", "args": [{"t": "undefined"}]},
        {"binding": "batch", "method": "retryAll", "args": [delay(5)]},
    ]


def test_scheduled_controller_fields(pyodide: Any) -> None:
    seen = pyodide.run("handlers", "scheduled")["scheduled"]
    assert seen == {"cron": "*/5 * * * *", "at": "2026-01-01T00:05:00.123000+00:00", "tz": "UTC"}


@pytest.mark.parametrize("shape", ["email", "email_as_miniflare_gives_it"])
def test_email_raw_stream_and_set_reject(pyodide: Any, shape: str) -> None:
    result = pyodide.run("handlers", shape)
    email = result["seen"]["email"]
    assert email["raw"] == RAW_EMAIL  # all chunks of the raw ReadableStream, as bytes
    assert email["raw_type"] == ["bytes"]
    assert email["pieces"] == -(-len(RAW_EMAIL.encode()) // 7)  # the mock streams 7-byte pieces: read one by one
    assert email["raw_size"] == len(RAW_EMAIL.encode())
    assert (email["from"], email["to"], email["subject"]) == ("hannah@hotel.example", "in@jengu.example", "Hello")
    assert result["calls"] == [
        {"binding": "email", "method": "setReject", "args": [{"t": "string", "v": "550 5.7.1 not accepted here"}]}
    ]


def test_send_email_gets_a_js_object_and_a_python_dict_fails(pyodide: Any) -> None:
    result = pyodide.run("handlers", "send_email")
    assert result["sent"] == {"messageId": "built@example.com"}
    [call] = result["sent_calls"]
    [message] = call["args"]
    assert message["t"] == "Object"
    assert message["v"]["from"] == {"t": "Object", "v": {"email": {"t": "string", "v": "outreach@jengu.example"},
                                                         "name": {"t": "string", "v": "Jengu"}}}  # fmt: skip
    assert message["v"]["to"] == {"t": "Array", "v": [{"t": "string", "v": "hannah@hotel.example"}]}
    assert message["v"]["headers"]["t"] == "Object"
    # The binding is not on the SDK's wrap list: a Python dict reaches it as a PyProxy and is refused.
    assert result["raw_dict_calls"][0]["args"] == [{"t": "PyProxy", "v": "dict"}]
    assert result["raw_dict"]["error"] == "JsException"
