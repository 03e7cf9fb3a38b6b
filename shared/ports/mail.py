"""Mail transports, as the send consumer sees them: the Cloudflare `send_email` binding, SMTP (implicit TLS or
STARTTLS over the Workers socket API), Microsoft Graph `sendMail`, Resend.

Each adapter maps its provider's answer to one `SendOutcome` and never raises for an answer (only for a bug), so the
send consumer decides what follows without knowing any wire format:

| outcome             | meaning                                                    | the send consumer          |
|---------------------|------------------------------------------------------------|----------------------------|
| accepted            | the provider took the message (its id when it gives one)   | sent                       |
| transient           | try again later (4xx, connection lost, 5xx of an HTTP API) | retry with back-off        |
| recipient_refused   | this address does not exist / is disabled (5.1.x, 5.2.1)   | hard bounce at send time   |
| mailbox_full        | the recipient's mailbox is full / over quota (4.2.2, 5.2.2)| soft bounce: retry in days |
| sender_problem      | auth, policy, reputation, quota (5.7.x, 535, 554 policy)   | pause the inbox, not blame |
| rate_limited        | slow down (421 4.7.x, 429, 452 4.5.3 too many recipients)  | back off the inbox         |

`confirm(message_id)` answers "did this message go out?" for reconciliation after a crash between the transport
call and its record: True / False when the transport can tell (Graph searches Sent Items by Message-ID; Resend's
idempotency key makes a second call return the first result), None when it cannot (SMTP, send_email: treated as
sent, so a crash never causes a second send).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from shared.domain.sending.outcomes import SendOutcome

__all__ = ["MailTransport", "OutgoingEmail", "SendOutcome", "SendResult", "TransportUnavailable"]


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One message to one recipient. `raw` is the complete RFC 5322 message (CRLF line ends) built by
    shared.domain.sending.mime; the structured fields are for API transports that take JSON (Graph, Resend,
    send_email's builder) and must say the same thing."""

    message_id: str  # "<id@domain>"
    mail_from: str
    from_name: str | None
    rcpt_to: str
    subject: str
    text: str
    raw: bytes
    html: str | None = None
    reply_to: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # In-Reply-To, References, List-Unsubscribe, ...
    idempotency_key: str | None = None  # the send key: transports that support one pass it on


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: SendOutcome
    provider_id: str | None = None
    code: int | None = None  # SMTP reply code or HTTP status
    status: str | None = None  # RFC 3463 enhanced status ("5.1.1") when known
    detail: str = ""  # the provider's words, never a credential
    retry_after_s: float | None = None


class MailTransport(Protocol):
    @property
    def kind(self) -> str:
        """cloudflare, smtp, graph, resend or local."""
        ...

    async def send(self, email: OutgoingEmail) -> SendResult: ...

    async def confirm(self, message_id: str) -> bool | None: ...


class TransportUnavailable(Exception):
    """The transport cannot be built: a secret it needs is not set, a binding is missing. Says which, never a value."""
