"""`CloudflareSendEmail` in real Pyodide: the builder it hands `shared.platform.cloudflare.send_email` reaches the
binding as plain JS objects (the mock `SendEmail` of mocks.mjs), and the binding's JS Errors, with their string
`code` as the Email Service sets it (`e.code`, not in the message), come back as JsException and map to outcomes."""

from __future__ import annotations

from typing import Any

SENDER = "ada@jengu.example"
HEADERS = {
    "List-Unsubscribe": "<https://jengu.example/u/tok>, <mailto:u@jengu.example>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "In-Reply-To": "<step1@jengu.example>",
    "References": "<step1@jengu.example>",
    "X-Auto-Response-Suppress": "OOF, AutoReply",
    "Message-ID": "<ours@jengu.example>",  # the service sets its own: never sent in `headers`
}

# A binding that throws what the Email Service throws: `Error` objects whose `code` names the failure.
FAILING_BINDING = """({
  async send(message) {
    const to = Array.isArray(message.to) ? message.to[0] : message.to;
    const fail = (code, text) => { const e = new Error(text); if (code) e.code = code; throw e; };
    if (to === "suppressed@hotel.example") fail("E_RECIPIENT_SUPPRESSED", "Recipient is on suppression list");
    if (to === "unverified@hotel.example") fail("E_SENDER_NOT_VERIFIED", "Sender domain not verified");
    if (to === "busy@hotel.example") fail("E_RATE_LIMIT_EXCEEDED", "Too many requests");
    if (to === "broken@hotel.example") fail(null, "internal error");
    return { messageId: "<never@jengu.example>" };
  }
})"""


def _email(rcpt: str) -> Any:
    from shared.ports.mail import OutgoingEmail

    return OutgoingEmail(
        message_id="<ours@jengu.example>",
        mail_from=SENDER,
        from_name="Ada Lovelace",
        rcpt_to=rcpt,
        subject="Zimmer ✓",
        text="Hallo",
        raw=b"",
        reply_to="replies@jengu.example",
        headers=HEADERS,
    )


def _result(result: Any) -> dict[str, Any]:
    return {"outcome": str(result.outcome), "provider_id": result.provider_id, "detail": result.detail}


async def accepted() -> dict[str, Any]:
    import jengu_mocks
    from runtime.workerd import calls
    from workers import _EnvWrapper

    from shared.adapters.mail.cloudflare import CloudflareSendEmail

    env = _EnvWrapper(jengu_mocks.makeEnv())
    result = await CloudflareSendEmail(env.EMAIL, raw=False).send(_email("hannah@hotel.example"))
    return {"result": _result(result), "calls": calls()}


async def failures() -> dict[str, Any]:
    from pyodide.code import run_js

    from shared.adapters.mail.cloudflare import CloudflareSendEmail

    transport = CloudflareSendEmail(run_js(FAILING_BINDING), raw=False)
    out: dict[str, Any] = {}
    for rcpt in ("suppressed", "unverified", "busy", "broken"):
        out[rcpt] = _result(await transport.send(_email(f"{rcpt}@hotel.example")))
    return out


async def raw_mime() -> dict[str, Any]:
    """The default: our MIME as a `cloudflare:email` EmailMessage, through the SDK's import_from_javascript."""
    import jengu_mocks
    from workers import _EnvWrapper

    import shared.platform.cloudflare as platform
    from shared.adapters.mail.cloudflare import CloudflareSendEmail
    from shared.ports.mail import OutgoingEmail

    # Node 20 has no JSPI, which the SDK's import_from_javascript needs for `cloudflare:email` (workerd has it):
    # hand over the mock module the way that import would, and prove everything after it.
    platform.email_module = lambda: jengu_mocks  # type: ignore[assignment]
    env = _EnvWrapper(jengu_mocks.makeEnv())
    raw = b"Message-ID: <ours@jengu.example>\r\nFrom: ada@jengu.example\r\nTo: hannah@hotel.example\r\n\r\nHallo\r\n"
    email = OutgoingEmail(message_id="<ours@jengu.example>", mail_from=SENDER, from_name=None,
                          rcpt_to="hannah@hotel.example", subject="s", text="Hallo", raw=raw)  # fmt: skip
    result = await CloudflareSendEmail(env.EMAIL).send(email)
    from runtime.workerd import calls

    return {"result": _result(result), "calls": calls()}
