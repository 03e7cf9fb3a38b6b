"""The outbound-fetch and Workers AI adapters in real Pyodide: what crossed into JS, and what came back.

`WorkersFetch` goes through the real SDK's `workers.fetch` (Pyodide's `pyfetch`) to a mock global `fetch` that answers
with Node's own `Response`, so status, headers and body bytes are read the way workerd hands them over; a rejected
fetch and one that never answers show the error mapping. `WorkersAiProvider` calls the `Ai` binding as the SDK wraps
it (constructor name `Ai`): the inputs must arrive as plain JS objects, and each kind of reply maps onto one
`FailureKind`.
"""

from __future__ import annotations

from typing import Any

import pytest


def _s(value: str) -> dict[str, Any]:
    return {"t": "string", "v": value}


def _n(value: float) -> dict[str, Any]:
    return {"t": "number", "v": value}


@pytest.fixture(scope="module")
def fetched(pyodide: Any) -> dict[str, Any]:
    result: dict[str, Any] = pyodide.run("outbound", "fetch_adapter")
    return result


def test_fetch_status_headers_and_body_bytes(fetched: dict[str, Any]) -> None:
    result = fetched
    ok = result["ok"]
    assert ok["status"] == 200 and ok["body_type"] == "bytes"
    assert ok["body"] == list(range(256))  # every byte value, invalid UTF-8 included, unchanged
    # Names lower-cased; a repeated header joined with ", " (RFC 9110 §5.3).
    assert ok["headers"] == {
        "content-type": "application/octet-stream",
        "x-request-id": "r-1",
        "set-cookie": "a=1",
        "vary": "Accept, Origin",
    }
    assert result["ok_header"] == "r-1"  # header() looks names up case-insensitively
    # 4xx/5xx and bodiless answers are answers, not errors.
    assert result["unavailable"]["status"] == 503 and result["unavailable"]["text"] == "upstream down"
    assert result["unavailable"]["headers"]["retry-after"] == "7"
    assert result["empty"] == {"status": 204, "headers": {}, "body": [], "body_type": "bytes"}


def test_fetch_request_crosses_as_js_values(fetched: dict[str, Any]) -> None:
    result = fetched
    get, post_bytes, post_text = result["calls"][:3]
    assert get["method"] == "GET"  # upper-cased by the adapter
    assert get["url"] == "https://api.jengu.mock/ok"
    assert get["args"] == [{"t": "Object", "v": {"Accept": _s("*/*"), "X-Trace": _s("t-1")}}, {"t": "undefined"}]
    assert get["signal"] == "AbortSignal"  # pyfetch always passes one: cancelling the call aborts the fetch
    # bytes cross as a Uint8Array (UTF-8 of the text), a str as a JS string; both arrive as the same text.
    assert post_bytes["args"][1] == {"t": "Uint8Array", "v": list('{"x":"é"}'.encode())}
    assert post_text["args"] == [{"t": "Object", "v": {}}, _s('{"x":"é"}')]
    assert result["posted_bytes"]["json"] == result["posted_text"] == {"method": "POST", "body": '{"x":"é"}'}
    assert result["posted_bytes"]["status"] == 201


def test_a_rejected_fetch_is_an_http_error_and_a_slow_one_a_timeout_that_aborts_it(fetched: dict[str, Any]) -> None:
    result = fetched
    rejected, slow, unmocked = result["rejected"], result["slow"], result["unmocked"]
    assert rejected["type"] == "HttpError" and "HttpTimeout" not in rejected["mro"]
    assert rejected["message"].startswith("GET https://api.jengu.mock/reject: ")
    assert slow["type"] == "HttpTimeout" and "HttpError" in slow["mro"]
    assert slow["message"] == "GET https://api.jengu.mock/slow: no complete answer within 0.05 s"
    assert result["aborted"] == ["https://api.jengu.mock/slow?key=SECRET-IN-QUERY"]  # the JS fetch was aborted
    assert unmocked["type"] == "HttpError"
    # Error messages never carry the query string (credentials travel there).
    assert "SECRET" not in rejected["message"] + slow["message"]


def test_workers_ai_inputs_reply_and_failures(pyodide: Any) -> None:
    result = pyodide.run("outbound", "workers_ai")
    assert result["binding_type"] == "_BindingWrapper"  # the SDK wrapped `Ai` by its constructor name
    assert result["ok"] == {
        "text": 'Dear guest, about "Hotel Adler ✓": Hôtel ✓',
        "provider": "workers_ai",
        "model": "@cf/meta/llama-3.1-8b-instruct",
        "tokens": [21, 9],
    }
    first = result["calls"][0]
    assert first["args"] == [
        _s("@cf/meta/llama-3.1-8b-instruct"),
        {
            "t": "Object",
            "v": {
                "messages": {
                    "t": "Array",
                    "v": [
                        {"t": "Object", "v": {"role": _s("system"), "content": _s("You write to hoteliers.")}},
                        {"t": "Object", "v": {"role": _s("user"), "content": _s("Hotel Adler ✓")}},
                    ],
                },
                "max_tokens": _n(300),
                "temperature": _n(0.4),
            },
        },
    ]
    assert result["capacity"]["failure"] == "rate_limited" and "3040" in result["capacity"]["detail"]
    assert result["broken"]["failure"] == "server"
    assert result["malformed"]["failure"] == "malformed"
    assert result["slow"] == {"failure": "timeout", "detail": "no answer within 0.05 s"}
    assert result["no_binding"]["type"] == "ProviderFailure" and result["no_binding"]["message"].startswith(
        "unavailable:"
    )
    assert len(result["calls"]) == 5  # the missing binding made no call
