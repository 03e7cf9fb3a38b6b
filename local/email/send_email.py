"""The local `send_email` binding (`LocalSendEmail`) and `deliver_smtp`, the one outbound SMTP delivery path.

`await env.EMAIL.send(message)` accepts what production accepts: a `cloudflare:email` EmailMessage (`from`, `to`,
`raw`; `RawEmailMessage` here) or an Email Service builder as a JS object (`pyodide.ffi.to_js(builder,
dict_converter=js.Object.fromEntries)`, see `local.email.mime.build_message`); a Python mapping is refused, as the
real binding cannot read one. The
binding's restrictions (`destination_address`, `allowed_destination_addresses`, `allowed_sender_addresses`) and
limits (≤ 50 recipients, subject ≤ 998 chars, ≤ 5 MiB) are enforced with production's error codes, then the MIME
goes over SMTP to the local sink. Returns `{"messageId": "<...>"}`, the Message-ID header of what was sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import aiosmtplib
from pyodide.ffi import JsObject

from local.email.message import Headers, Transport, read_raw
from local.email.mime import (
    MAX_SEND_BYTES,
    EmailError,
    EmailTypeError,
    build_message,
    check_address,
    new_message_id,
)

DEFAULT_SMTP_HOST = "127.0.0.1"
DEFAULT_SMTP_PORT = 1025


async def deliver_smtp(
    mail_from: str,
    rcpt_to: Sequence[str],
    raw: bytes,
    *,
    host: str = DEFAULT_SMTP_HOST,
    port: int = DEFAULT_SMTP_PORT,
    smtp_timeout: float = 10.0,
) -> None:
    """Hand one message to an SMTP server (the local sink). Failures raise `EmailError("E_DELIVERY_FAILED")`.

    The SMTP client turns bare LF line endings into CRLF on the wire.
    """
    recipients = list(rcpt_to)
    options = [] if all(a.isascii() for a in (mail_from, *recipients)) else ["SMTPUTF8"]
    client = aiosmtplib.SMTP(
        hostname=host, port=port, local_hostname="localhost", use_tls=False, start_tls=False, timeout=smtp_timeout
    )
    try:
        async with client:
            refused, _ = await client.sendmail(mail_from, recipients, raw, mail_options=options)
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise EmailError("E_DELIVERY_FAILED", f"SMTP delivery to {host}:{port} failed: {exc}") from exc
    if refused:
        raise EmailError("E_DELIVERY_FAILED", f"SMTP server refused {sorted(refused)}")


def smtp_transport(host: str = DEFAULT_SMTP_HOST, port: int = DEFAULT_SMTP_PORT) -> Transport:
    """`deliver_smtp` bound to one server: the `forwarder` for `LocalEmailMessage` / `InboundSmtpServer`."""

    async def transport(mail_from: str, rcpt_to: Sequence[str], raw: bytes) -> None:
        await deliver_smtp(mail_from, rcpt_to, raw, host=host, port=port)

    return transport


class RawEmailMessage:
    """`cloudflare:email`'s `EmailMessage(from, to, raw)` for local code and tests (`raw`: str, bytes or stream)."""

    to: str

    def __init__(self, mail_from: str, rcpt_to: str, raw: str | bytes | Any) -> None:
        setattr(self, "from", mail_from)  # `from` is a Python keyword
        self.to = rcpt_to
        self.raw = raw

    @classmethod
    def new(cls, mail_from: str, rcpt_to: str, raw: str | bytes | Any) -> RawEmailMessage:
        """The JS constructor spelling: `cf_email.EmailMessage.new(sender, rcpt, raw)`."""
        return cls(mail_from, rcpt_to, raw)


def _address_set(addresses: Iterable[str] | None) -> frozenset[str] | None:
    return None if addresses is None else frozenset(a.strip().lower() for a in addresses)


class LocalSendEmail:
    """A `send_email` binding that delivers to the local SMTP sink. Set `smtp_port` after the sink has started."""

    def __init__(
        self,
        name: str,
        *,
        smtp_host: str = DEFAULT_SMTP_HOST,
        smtp_port: int = DEFAULT_SMTP_PORT,
        destination_address: str | None = None,
        allowed_destination_addresses: Iterable[str] | None = None,
        allowed_sender_addresses: Iterable[str] | None = None,
    ) -> None:
        self.name = name
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.destination_address = destination_address
        self._allowed_destinations = _address_set(allowed_destination_addresses)
        self._allowed_senders = _address_set(allowed_sender_addresses)

    def __repr__(self) -> str:
        return f"LocalSendEmail({self.name!r}, smtp={self.smtp_host}:{self.smtp_port})"

    async def send(self, message: Any) -> dict[str, str]:
        if isinstance(message, Mapping):
            # Production hands the binding a PyProxy of the dict, which has no `from`/`to` properties.
            raise EmailTypeError(
                "send() got a Python mapping; the binding needs a JS object "
                "(shared.platform.cloudflare.send_email converts one)"
            )
        if isinstance(message, JsObject):
            sender, recipients, raw, message_id = self._from_builder(message.to_py())
        elif hasattr(message, "raw"):
            sender, recipients, raw, message_id = await self._from_raw_message(message)
        else:
            raise EmailTypeError("send() expects an EmailMessage or an email builder object")
        if len(raw) > MAX_SEND_BYTES:
            raise EmailError("E_CONTENT_TOO_LARGE", f"message is {len(raw)} bytes, maximum is {MAX_SEND_BYTES}")
        await deliver_smtp(sender, recipients, raw, host=self.smtp_host, port=self.smtp_port)
        return {"messageId": message_id}

    def _from_builder(self, builder: Mapping[str, Any]) -> tuple[str, list[str], bytes, str]:
        if builder.get("to") is None and self.destination_address is not None:
            builder = {**builder, "to": self.destination_address}
        built = build_message(builder)
        self._check_allowed(built.sender.email, built.recipients)
        return built.sender.email, built.recipients, built.as_bytes(), built.message_id

    async def _from_raw_message(self, message: Any) -> tuple[str, list[str], bytes, str]:
        to = getattr(message, "to", None)
        if to is None and self.destination_address is not None:
            to = self.destination_address
        if getattr(message, "from", None) is None or to is None:
            raise EmailError("E_FIELD_MISSING", "an EmailMessage needs 'from' and 'to'")
        sender = check_address(getattr(message, "from"), "from")
        recipient = check_address(to, "to")
        self._check_allowed(sender, [recipient])
        raw = await read_raw(message.raw)
        message_id = Headers.from_raw(raw).get("message-id")
        if message_id is None:
            message_id = new_message_id(sender)
            eol = b"\r\n" if b"\r\n" in raw[:2048] else b"\n"
            raw = f"Message-ID: {message_id}".encode() + eol + raw
        return sender, [recipient], raw, message_id

    def _check_allowed(self, sender: str, recipients: Sequence[str]) -> None:
        if self._allowed_senders is not None and sender.lower() not in self._allowed_senders:
            raise EmailError(
                "E_SENDER_NOT_ALLOWED", f"sender {sender} is not in allowed_sender_addresses of {self.name}"
            )
        for rcpt in recipients:
            if self.destination_address is not None and rcpt.lower() != self.destination_address.lower():
                raise EmailError(
                    "E_RECIPIENT_NOT_ALLOWED", f"binding {self.name} can only send to {self.destination_address}"
                )
            if self._allowed_destinations is not None and rcpt.lower() not in self._allowed_destinations:
                raise EmailError(
                    "E_RECIPIENT_NOT_ALLOWED",
                    f"recipient {rcpt} is not in allowed_destination_addresses of {self.name}",
                )
