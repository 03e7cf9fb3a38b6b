"""SMTP over `cloudflare:sockets` in real Pyodide: what our socket adapter hands to `connect`, what it writes (only
Uint8Array chunks), implicit TLS and STARTTLS (AUTH only inside TLS), the outcomes, and the socket's own rules."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def smtp(pyodide: Any) -> dict[str, Any]:
    result: dict[str, Any] = pyodide.run("sockets", "smtp_transport")
    return result


def _sessions(smtp: dict[str, Any], host: str = "smtp.mock") -> list[dict[str, Any]]:
    return [s for s in smtp["sessions"] if s["hostname"] == host]


def test_the_workers_opener_is_chosen_and_connect_gets_js_objects(smtp: dict[str, Any]) -> None:
    assert smtp["opener"] == "WorkersSocketOpener"
    first = next(c for c in smtp["calls"] if c["method"] == "connect")
    assert first["args"] == [
        {"t": "Object", "v": {"hostname": {"t": "string", "v": "smtp.mock"}, "port": {"t": "number", "v": 465}}},
        {
            "t": "Object",
            "v": {"secureTransport": {"t": "string", "v": "on"}, "allowHalfOpen": {"t": "boolean", "v": False}},
        },
    ]
    starttls = [c for c in smtp["calls"] if c["method"] == "connect"][1]
    assert starttls["args"][1]["v"]["secureTransport"] == {"t": "string", "v": "starttls"}


def test_every_write_is_a_uint8array(smtp: dict[str, Any]) -> None:
    writes = [c["args"][0] for c in smtp["calls"] if c["method"] == "write"]
    assert writes and {w["t"] for w in writes} == {"Uint8Array"} and all(w["n"] > 0 for w in writes)


def test_implicit_tls_delivers_with_auth_inside_tls(smtp: dict[str, Any]) -> None:
    assert smtp["implicit_tls"] == {
        "outcome": "accepted",
        "code": 250,
        "status": "2.0.0",
        "detail": "Ok: queued as MOCK1",
        "provider_id": "MOCK1",
    }
    session = _sessions(smtp)[0]
    assert (session["port"], session["secureTransport"], session["starttls"]) == (465, "on", 0)
    assert all(line["tls"] for line in session["transcript"])
    assert session["auth"] == {"user": "api_token", "ok": True, "tls": True}
    assert [m["data"] for m in session["messages"]] == ["From: a@jengu.mock\r\nSubject: Hi\r\n\r\nHello\r\n..dot\r\n"]
    assert session["transcript"][-1]["line"] == "QUIT" and session["closedByClient"]


def test_starttls_upgrades_then_says_ehlo_again_and_authenticates(smtp: dict[str, Any]) -> None:
    assert smtp["starttls"]["outcome"] == "accepted"
    session = _sessions(smtp)[1]
    assert (session["port"], session["secureTransport"], session["starttls"]) == (587, "starttls", 1)
    lines = [(line["tls"], line["line"]) for line in session["transcript"]]
    assert lines[:4] == [
        (False, "EHLO jengu.mock"),
        (False, "STARTTLS"),
        (True, "EHLO jengu.mock"),
        (True, "AUTH PLAIN <redacted>"),
    ]
    assert all(tls for tls, _ in lines[2:])  # nothing after STARTTLS travels in the clear


def test_outcomes_over_the_socket(smtp: dict[str, Any]) -> None:
    assert (smtp["unknown_user"]["outcome"], smtp["unknown_user"]["status"]) == ("recipient_refused", "5.1.1")
    assert smtp["dropped_after_data"] == {
        "outcome": "transient",
        "code": None,
        "status": None,
        "detail": "unknown: may have been delivered",
        "provider_id": None,
    }
    assert [m["rcpt"] for m in _sessions(smtp)[3]["messages"]] == ["drop@hotel.mock"]  # it did arrive
    assert (smtp["wrong_password"]["outcome"], smtp["wrong_password"]["code"]) == ("sender_problem", 535)
    assert smtp["refused"]["outcome"] == "transient" and "connection refused" in smtp["refused"]["detail"]
    assert smtp["silent"] == {
        "outcome": "transient",
        "code": None,
        "status": None,
        "detail": "connect: no connection within 0.05 s",
        "provider_id": None,
    }
    assert _sessions(smtp, "silent.mock")[0]["closedByClient"]  # the timed-out socket was closed


def test_the_password_never_crosses_in_the_clear_and_never_comes_back(smtp: dict[str, Any]) -> None:
    for key in ("implicit_tls", "starttls", "unknown_user", "dropped_after_data", "wrong_password", "refused"):
        assert "pw" not in smtp[key]["detail"].split()


def test_stream_shapes(pyodide: Any) -> None:
    result = pyodide.run("sockets", "stream_shapes")
    assert result["greeting"] == "220-mx.mock ESMTP\r\n220 ready\r\n"  # assembled from 7-byte Uint8Array pieces
    assert result["greeting_type"] == "bytes"
    # startTls refused by the socket's own rules leaves the stream usable: QUIT still goes out and is answered.
    assert result["tls_again"] == {
        "type": "StreamClosed",
        "message": "TLS with smtp.mock:465: JsException: TypeError: Cannot startTls on a TLS socket.",
    }
    assert result["bye"] == "221 2.0.0 Bye\r\n" and result["after_quit"] == []  # EOF reads as b""
    assert result["not_starttls"]["type"] == "StreamClosed"
    assert "must be set to 'starttls'" in result["not_starttls"]["message"]
    assert result["bad_host"]["type"] == "StreamClosed" and "unsupported characters" in result["bad_host"]["message"]
    assert result["refused"]["type"] == "StreamClosed" and "connection refused" in result["refused"]["message"]
    assert result["stream_closed_is_the_port_error"] == "shared.ports.streams"
