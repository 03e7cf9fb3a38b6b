"""The send_email transport in real Pyodide (tests/pyodide/cases/send_email_transport.py): what crosses to the JS
binding, and how the binding's JS Errors come back as outcomes."""

from __future__ import annotations

from typing import Any


def js(value: str) -> dict[str, Any]:
    return {"t": "string", "v": value}


def test_the_builder_reaches_the_binding_as_plain_js_objects(pyodide: Any) -> None:
    out = pyodide.run("send_email_transport", "accepted")
    assert out["result"] == {"outcome": "accepted", "provider_id": "built@example.com", "detail": ""}
    [call] = out["calls"]
    assert (call["binding"], call["method"]) == ("EMAIL", "send")
    [message] = call["args"]
    assert message["t"] == "Object"
    fields = message["v"]
    assert fields["from"] == {"t": "Object", "v": {"email": js("ada@jengu.example"), "name": js("Ada Lovelace")}}
    assert fields["to"] == {"t": "Array", "v": [js("hannah@hotel.example")]}
    assert fields["subject"] == js("Zimmer ✓") and fields["text"] == js("Hallo")
    assert fields["replyTo"] == js("replies@jengu.example")
    assert fields["headers"] == {
        "t": "Object",
        "v": {
            "List-Unsubscribe": js("<https://jengu.example/u/tok>, <mailto:u@jengu.example>"),
            "List-Unsubscribe-Post": js("List-Unsubscribe=One-Click"),
            "In-Reply-To": js("<step1@jengu.example>"),
            "References": js("<step1@jengu.example>"),
            "X-Auto-Response-Suppress": js("OOF, AutoReply"),
        },
    }  # Message-ID is the service's own: left out


def test_js_errors_map_by_their_code_property(pyodide: Any) -> None:
    out = pyodide.run("send_email_transport", "failures")
    assert {rcpt: r["outcome"] for rcpt, r in out.items()} == {
        "suppressed": "recipient_refused",
        "unverified": "sender_problem",
        "busy": "rate_limited",
        "broken": "transient",  # an Error without a code
    }
    assert out["suppressed"]["detail"].startswith("E_RECIPIENT_SUPPRESSED: ")
    assert "Recipient is on suppression list" in out["suppressed"]["detail"]
    assert all(r["provider_id"] is None for r in out.values())


def test_our_mime_goes_as_a_cloudflare_email_message(pyodide: Any) -> None:
    out = pyodide.run("send_email_transport", "raw_mime")
    assert out["result"] == {"outcome": "accepted", "provider_id": "raw@example.com", "detail": ""}
    [call] = out["calls"]
    assert call["args"][0]["t"] == "EmailMessage"  # a real cloudflare:email EmailMessage, not a builder object
