"""The SMTP transport over `cloudflare:sockets` in real Pyodide: `WorkersSocketOpener` (shared/platform) reaches the
mock `connect` through the real SDK's `import_from_javascript`, and `SmtpTransport` speaks SMTP to the mock's peer
over implicit TLS (465) and STARTTLS (587); the stream's own shapes (Uint8Array chunks, EOF, startTls rules)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

RAW = b"From: a@jengu.mock\r\nSubject: Hi\r\n\r\nHello\r\n.dot\r\n"


def _email(rcpt: str) -> Any:
    from shared.ports.mail import OutgoingEmail

    return OutgoingEmail(
        message_id="<m@jengu.mock>",
        mail_from="sales@jengu.mock",
        from_name=None,
        rcpt_to=rcpt,
        subject="Hi",
        text="Hello",
        raw=RAW,
    )


def _result(result: Any) -> dict[str, Any]:
    return {
        "outcome": result.outcome.value,
        "code": result.code,
        "status": result.status,
        "detail": result.detail,
        "provider_id": result.provider_id,
    }


async def smtp_transport() -> dict[str, Any]:
    import jengu_mocks
    from runtime.workerd import calls

    from shared.adapters.mail.smtp import SmtpTransport, opener_for

    opener = opener_for(SimpleNamespace())  # nothing bound: the Workers socket API

    def transport(host: str, port: int, security: Any, password: str = "pw", timeout_s: float = 5) -> Any:
        return SmtpTransport(
            host,
            port,
            security=security,
            username="api_token",
            password=password,
            opener=opener,
            helo_name="jengu.mock",
            timeout_s=timeout_s,
        )

    results = {
        "opener": type(opener).__name__,
        "implicit_tls": _result(await transport("smtp.mock", 465, "tls").send(_email("gm@hotel.mock"))),
        "starttls": _result(await transport("smtp.mock", 587, "starttls").send(_email("gm@hotel.mock"))),
        "unknown_user": _result(await transport("smtp.mock", 465, "tls").send(_email("ghost@hotel.mock"))),
        "dropped_after_data": _result(await transport("smtp.mock", 465, "tls").send(_email("drop@hotel.mock"))),
        "wrong_password": _result(await transport("smtp.mock", 465, "tls", "nope").send(_email("gm@hotel.mock"))),
        "refused": _result(await transport("refused.mock", 465, "tls").send(_email("gm@hotel.mock"))),
        "silent": _result(await transport("silent.mock", 465, "tls", timeout_s=0.05).send(_email("gm@hotel.mock"))),
        "sessions": json.loads(jengu_mocks.socketsJson()),
        "calls": [c for c in calls() if c["binding"] == "sockets"],
    }
    return results


async def stream_shapes() -> dict[str, Any]:
    import jengu_mocks

    from shared.platform.cloudflare import WorkersSocketOpener
    from shared.ports.streams import StreamClosed

    opener = WorkersSocketOpener()

    async def read_reply(stream: Any) -> bytes:
        data = b""
        while not data.endswith(b" ready\r\n") and not data.endswith(b"Bye\r\n"):
            chunk = await stream.read()
            if not chunk:
                break
            data += chunk
        return data

    async def failure(coro: Any) -> dict[str, Any]:
        try:
            await coro
        except Exception as exc:
            return {"type": type(exc).__name__, "message": str(exc)}
        return {"type": None}

    stream = await opener.open("smtp.mock", 465, tls="on", timeout_s=5)
    greeting = await read_reply(stream)
    first_piece_type = type(greeting).__name__
    tls_again = await failure(stream.start_tls())  # already TLS
    await stream.write(b"QUIT\r\n")
    bye = await read_reply(stream)
    after_quit = await stream.read()  # the server hung up: EOF is b""
    await stream.close()

    plain = await opener.open("smtp.mock", 2525, tls="off", timeout_s=5)
    await read_reply(plain)
    not_starttls = await failure(plain.start_tls())
    await plain.close()

    bad_host = await failure(opener.open("bad host!", 465, tls="on", timeout_s=5))
    refused = await failure(opener.open("refused.mock", 465, tls="on", timeout_s=5))
    return {
        "greeting": greeting.decode(),
        "greeting_type": first_piece_type,
        "tls_again": tls_again,
        "bye": bye.decode(),
        "after_quit": list(after_quit),
        "not_starttls": not_starttls,
        "bad_host": bad_host,
        "refused": refused,
        "stream_closed_is_the_port_error": StreamClosed.__module__,
        "sessions": json.loads(jengu_mocks.socketsJson()),
    }
