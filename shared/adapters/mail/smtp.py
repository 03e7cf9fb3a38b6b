"""`SmtpTransport`: the MailTransport over SMTP submission (implicit TLS on 465, STARTTLS on 587, plain for the
local sink), through a `StreamOpener`: the Workers socket API on Cloudflare, asyncio streams in the local runtime.

The dialogue is shared.domain.sending.smtp_client's; this adapter opens the connection, maps its result onto
`SendResult` and never raises for what the server or the network does. Port 25 is refused before connecting (Workers
block it). `confirm()` is None: SMTP cannot say whether a message went out.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from shared.domain.sending.smtp_client import Credentials, Envelope, deliver, envelope_problem
from shared.ports.mail import OutgoingEmail, SendOutcome, SendResult
from shared.ports.streams import StreamOpener, TlsMode

Security = Literal["tls", "starttls", "none"]
_TLS: dict[str, TlsMode] = {"tls": "on", "starttls": "starttls", "none": "off"}


class SmtpTransport:
    kind = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: Security,
        username: str | None,
        password: str | None,
        opener: StreamOpener,
        helo_name: str,
        timeout_s: float = 30,
    ) -> None:
        if security not in _TLS:
            raise ValueError(f"security must be tls, starttls or none, not {security!r}")
        if (username is None) != (password is None):
            raise ValueError("username and password go together")
        self.host = host
        self.port = port
        self.security: Security = security
        self._credentials = Credentials(username, password) if username is not None and password is not None else None
        self._opener = opener
        self.helo_name = helo_name
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        user = self._credentials.username if self._credentials else None
        return f"SmtpTransport({self.host}:{self.port}, security={self.security}, username={user!r})"

    async def send(self, email: OutgoingEmail) -> SendResult:
        envelope = Envelope(mail_from=email.mail_from, rcpt_to=email.rcpt_to, message=email.raw)
        problem = envelope_problem(envelope, self.helo_name)
        if problem is not None:
            return _result(problem.outcome, problem.code, problem.status, problem.detail, None)
        if self.port == 25:
            return SendResult(SendOutcome.SENDER_PROBLEM, detail="port 25 is blocked on Workers: use 465 or 587")
        try:
            stream = await self._opener.open(self.host, self.port, tls=_TLS[self.security], timeout_s=self.timeout_s)
        except TimeoutError:
            return SendResult(SendOutcome.TRANSIENT, detail=f"connect: no connection within {self.timeout_s:g} s")
        except Exception as exc:  # refused, unreachable, TLS failure: the opener's errors
            return SendResult(SendOutcome.TRANSIENT, detail=f"connect: {type(exc).__name__}: {_first_line(exc)}")
        result = await deliver(
            stream,
            envelope,
            helo_name=self.helo_name,
            deadline=asyncio.timeout,
            timeout_s=self.timeout_s,
            starttls=self.security == "starttls",
            credentials=self._credentials,
        )
        return _result(result.outcome, result.code, result.status, result.detail, result.provider_id)

    async def confirm(self, message_id: str) -> bool | None:
        return None


def _result(
    outcome: SendOutcome, code: int | None, status: str | None, detail: str, provider_id: str | None
) -> SendResult:
    return SendResult(outcome, provider_id=provider_id, code=code, status=status, detail=detail)


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0][:200] if text else ""


# A host may lend the Worker its TCP under this env name: the local runtime binds local/sockets.py's asyncio opener
# here. Never bound on Cloudflare, where the Workers socket API is used.
HOST_SOCKETS_BINDING = "JENGU_SOCKETS"


def opener_for(env: Any) -> StreamOpener:
    """`env.JENGU_SOCKETS` when bound (the local runtime), else the Workers socket API (`cloudflare:sockets`)."""
    bound = getattr(env, HOST_SOCKETS_BINDING, None)
    if bound is not None:
        return bound
    from shared.platform.cloudflare import WorkersSocketOpener

    return WorkersSocketOpener()
