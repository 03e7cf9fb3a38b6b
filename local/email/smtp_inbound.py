"""`InboundSmtpServer`: the local stand-in for Cloudflare Email Routing (SMTP on 127.0.0.1:2525 by default).

Every accepted message becomes one `LocalEmailMessage` per RCPT TO, handed to `await deliver(message)` (the
runtime's `email()` handler). The DATA reply mirrors what a sending MTA would see from Cloudflare:
`250` on success, `550 5.7.1 <reason>` if the handler called `setReject(reason)` (an explicit rejection wins even
if the handler raised afterwards), `451 4.3.0 Temporary failure` if it raised, `552 5.3.4` over 25 MiB.
SMTP answers DATA once for the whole envelope, so with several recipients any rejection answers for all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from local.email._smtp_server import LOCAL_HOST, LoopSmtpServer
from local.email.message import MAX_INBOUND_BYTES, LocalEmailMessage, Transport

DEFAULT_INBOUND_PORT = 2525

Deliver = Callable[[LocalEmailMessage], Awaitable[object]]  # the result is ignored

log = logging.getLogger(__name__)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "Rejected"


class _InboundHandler:
    def __init__(self, deliver: Deliver, forwarder: Transport | None) -> None:
        self._deliver = deliver
        self._forwarder = forwarder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or b""
        mail_from: str = envelope.mail_from or ""
        rejected: str | None = None
        failed = False
        for rcpt in envelope.rcpt_tos:
            try:
                message = LocalEmailMessage(mail_from, rcpt, raw, forwarder=self._forwarder)
            except ValueError:
                return "552 5.3.4 Message size exceeds fixed maximum message size"
            try:
                await self._deliver(message)
            except Exception:
                log.exception("email handler failed for %s -> %s", mail_from, rcpt)
                failed = True
            if message.rejected_reason is not None and rejected is None:
                rejected = message.rejected_reason
        if rejected is not None:
            return f"550 5.7.1 {_one_line(rejected)}"
        if failed:
            return "451 4.3.0 Temporary failure"
        return "250 2.0.0 Message accepted"


class InboundSmtpServer(LoopSmtpServer):
    """`async with InboundSmtpServer(deliver, port=0) as smtp: ... smtp.port ...`"""

    def __init__(
        self,
        deliver: Deliver,
        *,
        host: str = LOCAL_HOST,
        port: int = DEFAULT_INBOUND_PORT,
        forwarder: Transport | None = None,
    ) -> None:
        # aiosmtpd counts the dot-stuffed wire bytes; the exact 25 MiB check is LocalEmailMessage's.
        super().__init__(
            _InboundHandler(deliver, forwarder), host=host, port=port, data_size_limit=MAX_INBOUND_BYTES + 65536
        )
