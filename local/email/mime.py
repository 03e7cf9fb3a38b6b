"""MIME plumbing shared by the local `send_email` binding and `message.reply()`: errors, Message-IDs, the builder.

`build_message(builder)` turns Cloudflare's Email Service builder object (`{from, to, cc, bcc, subject, text, html,
replyTo, headers, attachments}`) into a stdlib `EmailMessage`, validating it the way the production binding does:
required fields, ≤ 50 recipients, subject ≤ 998 characters, ≤ 32 attachments and the custom-header whitelist
(X-* plus a fixed list; platform-controlled headers such as Date and Message-ID are refused). Errors carry the
production string `code` (`E_FIELD_MISSING`, `E_VALIDATION_ERROR`, ...).
"""

from __future__ import annotations

import base64
import binascii
import email.policy
import email.utils
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from pyodide.ffi import JsException

MAX_RECIPIENTS = 50
MAX_SUBJECT_CHARS = 998
MAX_ATTACHMENTS = 32
MAX_SEND_BYTES = 5 * 1024 * 1024
MAX_HEADER_NAME_BYTES = 100
MAX_HEADER_VALUE_BYTES = 2048
MAX_CUSTOM_HEADERS_BYTES = 16 * 1024
MAX_WHITELISTED_HEADERS = 20

_ADDRESS_RE = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+$")
_X_HEADER_RE = re.compile(r"^X-[A-Za-z0-9\-_]+$", re.IGNORECASE)
_WHITELIST_NAME_RE = re.compile(r"^[A-Za-z0-9\-]+$")

_PLATFORM_HEADERS = {
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "dkim-signature",
    "return-path",
    "received",
    "feedback-id",
    "tls-required",
    "tls-report-domain",
    "tls-report-submitter",
    "cfbl-address",
    "cfbl-feedback-id",
}
_API_FIELD_HEADERS = {"from": "from", "to": "to", "cc": "cc", "bcc": "bcc", "subject": "subject"}
_API_FIELD_HEADERS["reply-to"] = "replyTo"
# Canonical casing, as the production service writes them.
_WHITELISTED_HEADERS = {
    name.lower(): name
    for name in (
        "In-Reply-To",
        "References",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "List-Id",
        "List-Archive",
        "List-Help",
        "List-Owner",
        "List-Post",
        "List-Subscribe",
        "Precedence",
        "Auto-Submitted",
        "Content-Language",
        "Keywords",
        "Comments",
        "Importance",
        "Sensitivity",
        "Organization",
        "Require-Recipient-Valid-Since",
        "Archived-At",
    )
}
_ENUM_VALUES = {
    "precedence": {"bulk", "list", "junk"},
    "auto-submitted": {"auto-generated", "auto-replied", "auto-notified"},
    "importance": {"high", "normal", "low"},
    "sensitivity": {"personal", "private", "company-confidential"},
}


class EmailError(JsException):
    """What the production binding throws: a JS `Error` with a string `code` (JsException in Pyodide)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.name = "Error"


class EmailTypeError(JsException, TypeError):
    """A JS `TypeError` surfacing in Python: catchable as `JsException` (like Pyodide) and as `TypeError`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.name = "TypeError"


@dataclass(frozen=True)
class Address:
    email: str
    name: str | None = None

    def formatted(self) -> str:
        return email.utils.formataddr((self.name, self.email)) if self.name else self.email


def new_message_id(sender: str) -> str:
    """`<random@sender-domain>`, the shape every Message-ID produced locally has."""
    domain = sender.rpartition("@")[2] or "jengu.localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def check_address(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _ADDRESS_RE.match(value.strip()):
        raise EmailError("E_VALIDATION_ERROR", f"'{field}' is not a valid email address: {value!r}")
    return value.strip()


def parse_address(value: Any, field: str) -> Address:
    """A builder address: `"a@b.c"` or `{"email": "a@b.c", "name": "A"}`."""
    if isinstance(value, str):
        return Address(check_address(value, field))
    if isinstance(value, Mapping):
        name = value.get("name")
        if name is not None and not isinstance(name, str):
            raise EmailError("E_VALIDATION_ERROR", f"'{field}.name' must be a string")
        return Address(check_address(value.get("email"), field), name or None)
    raise EmailError("E_VALIDATION_ERROR", f"'{field}' must be a string or {{email, name}}, got {value!r}")


def parse_address_list(value: Any, field: str) -> list[Address]:
    if value is None:
        return []
    items: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
    return [parse_address(item, field) for item in items]


def check_custom_headers(headers: Any) -> list[tuple[str, str]]:
    """Validate the builder's `headers` object against the production whitelist; canonical names out."""
    if headers is None:
        return []
    if not isinstance(headers, Mapping):
        raise EmailError("E_VALIDATION_ERROR", "'headers' must be an object of name -> string")
    out: list[tuple[str, str]] = []
    whitelisted = 0
    total = 0
    for name, value in headers.items():
        if not isinstance(name, str) or not name.isascii() or not 1 <= len(name) <= MAX_HEADER_NAME_BYTES:
            raise EmailError("E_HEADER_NAME_INVALID", f"Header name {name!r} is invalid.")
        lower = name.lower()
        if lower in _PLATFORM_HEADERS or lower.startswith("arc-"):
            raise EmailError("E_HEADER_NOT_ALLOWED", f"Header '{name}' is not allowed. It is set by the platform.")
        if lower in _API_FIELD_HEADERS:
            field = _API_FIELD_HEADERS[lower]
            raise EmailError(
                "E_HEADER_USE_API_FIELD",
                f"Header '{name}' must be set via the '{field}' API field, not the 'headers' object.",
            )
        if lower.startswith("x-"):
            if not _X_HEADER_RE.match(name):
                raise EmailError("E_HEADER_NAME_INVALID", f"Header name {name!r} contains invalid characters.")
            canonical = name
        elif lower in _WHITELISTED_HEADERS:
            if not _WHITELIST_NAME_RE.match(name):
                raise EmailError("E_HEADER_NAME_INVALID", f"Header name {name!r} contains invalid characters.")
            canonical = _WHITELISTED_HEADERS[lower]
            whitelisted += 1
        else:
            raise EmailError("E_HEADER_NOT_ALLOWED", f"Header '{name}' is not on the allowed list.")
        if not isinstance(value, str) or not value.strip() or "\r" in value or "\n" in value:
            raise EmailError("E_HEADER_VALUE_INVALID", f"Header '{name}' has an empty or malformed value.")
        if len(value.encode("utf-8")) > MAX_HEADER_VALUE_BYTES:
            raise EmailError("E_HEADER_VALUE_TOO_LONG", f"Header '{name}' value exceeds 2048 byte limit.")
        _check_header_value(canonical, value)
        total += len(name) + 2 + len(value.encode("utf-8")) + 2
        out.append((canonical, value))
    if whitelisted > MAX_WHITELISTED_HEADERS:
        raise EmailError("E_HEADERS_TOO_MANY", f"{whitelisted} whitelisted headers provided, maximum is 20.")
    if total > MAX_CUSTOM_HEADERS_BYTES:
        raise EmailError("E_HEADERS_TOO_LARGE", f"Total custom headers payload ({total} B) exceeds 16KB limit.")
    return out


def _check_header_value(name: str, value: str) -> None:
    lower = name.lower()
    allowed = _ENUM_VALUES.get(lower)
    if allowed is not None and value.strip().lower() not in allowed:
        raise EmailError("E_HEADER_VALUE_INVALID", f"Header '{name}' must be one of {sorted(allowed)}.")
    if lower == "list-unsubscribe" and "<https://" not in value and "<mailto:" not in value:
        raise EmailError(
            "E_HEADER_VALUE_INVALID", f"Header '{name}' must contain angle-bracket HTTPS or mailto URI(s)."
        )
    if lower == "list-unsubscribe-post" and value != "List-Unsubscribe=One-Click":
        raise EmailError("E_HEADER_VALUE_INVALID", f"Header '{name}' must be exactly List-Unsubscribe=One-Click.")


def _attachment_bytes(content: Any, index: int) -> bytes:
    if isinstance(content, str):
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise EmailError("E_VALIDATION_ERROR", f"attachments[{index}].content is not valid base64") from exc
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content)
    to_bytes = getattr(content, "to_bytes", None)  # a JS ArrayBuffer proxy
    if callable(to_bytes):
        return bytes(to_bytes())
    raise EmailError("E_VALIDATION_ERROR", f"attachments[{index}].content must be base64 text or binary")


def _add_attachments(msg: EmailMessage, attachments: Any, *, has_html: bool) -> None:
    if attachments is None:
        return
    if not isinstance(attachments, list | tuple):
        raise EmailError("E_VALIDATION_ERROR", "'attachments' must be an array")
    if len(attachments) > MAX_ATTACHMENTS:
        raise EmailError("E_TOO_MANY_ATTACHMENTS", f"{len(attachments)} attachments, maximum is {MAX_ATTACHMENTS}")
    html_part: EmailMessage | None = None
    if has_html:
        html_part = msg if msg.get_content_subtype() == "html" else _find_html_part(msg)
    for index, att in enumerate(attachments):
        if not isinstance(att, Mapping):
            raise EmailError("E_VALIDATION_ERROR", f"attachments[{index}] must be an object")
        filename, mime_type = att.get("filename"), att.get("type")
        disposition = att.get("disposition", "attachment")
        if not isinstance(filename, str) or not filename:
            raise EmailError("E_FIELD_MISSING", f"attachments[{index}].filename is required")
        if not isinstance(mime_type, str) or mime_type.count("/") != 1:
            raise EmailError("E_VALIDATION_ERROR", f"attachments[{index}].type must be a MIME type")
        if disposition not in ("attachment", "inline"):
            raise EmailError("E_VALIDATION_ERROR", f"attachments[{index}].disposition must be attachment|inline")
        data = _attachment_bytes(att.get("content"), index)
        maintype, subtype = mime_type.split("/")
        content_id = att.get("contentId")
        cid = f"<{content_id.strip('<>')}>" if isinstance(content_id, str) and content_id else None
        if disposition == "inline" and cid and html_part is not None:
            # text/html becomes multipart/related in place, so later inline parts join the same group
            html_part.add_related(data, maintype, subtype, cid=cid, filename=filename, disposition="inline")
        else:
            msg.add_attachment(data, maintype, subtype, filename=filename, disposition=disposition, cid=cid)


def _find_html_part(msg: EmailMessage) -> EmailMessage | None:
    for part in msg.walk():
        if isinstance(part, EmailMessage) and part.get_content_type() == "text/html":
            return part
    return None


@dataclass(frozen=True)
class BuiltMessage:
    sender: Address
    recipients: list[str]  # envelope: to + cc + bcc (Bcc is not written into the headers)
    message: EmailMessage
    message_id: str

    def as_bytes(self) -> bytes:
        return self.message.as_bytes(policy=email.policy.SMTP)


def build_message(
    builder: Mapping[str, Any],
    *,
    message_id: str | None = None,
    extra_headers: Iterable[tuple[str, str]] = (),
) -> BuiltMessage:
    """Validate an Email Service builder object and render it to MIME (Message-ID and Date added here).

    `extra_headers` are trusted headers set by the caller (reply threading), written after the custom ones.
    """
    if builder.get("from") is None:
        raise EmailError("E_FIELD_MISSING", "'from' is required")
    sender = parse_address(builder.get("from"), "from")
    to = parse_address_list(builder.get("to"), "to")
    cc = parse_address_list(builder.get("cc"), "cc")
    bcc = parse_address_list(builder.get("bcc"), "bcc")
    if not to:
        raise EmailError("E_FIELD_MISSING", "'to' is required")
    recipients = [a.email for a in (*to, *cc, *bcc)]
    if len(recipients) > MAX_RECIPIENTS:
        raise EmailError(
            "E_TOO_MANY_RECIPIENTS", f"{len(recipients)} recipients (to+cc+bcc), maximum is {MAX_RECIPIENTS}"
        )
    subject = builder.get("subject")
    if subject is None:
        raise EmailError("E_FIELD_MISSING", "'subject' is required")
    if not isinstance(subject, str) or "\r" in subject or "\n" in subject:
        raise EmailError("E_VALIDATION_ERROR", "'subject' must be a single-line string")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise EmailError("E_VALIDATION_ERROR", f"'subject' is {len(subject)} characters, maximum is 998")
    text, html = builder.get("text"), builder.get("html")
    if text is None and html is None:
        raise EmailError("E_FIELD_MISSING", "one of 'text' or 'html' is required")
    for field, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise EmailError("E_VALIDATION_ERROR", f"'{field}' must be a string")
    reply_to = builder.get("replyTo")
    custom = check_custom_headers(builder.get("headers"))

    msg = EmailMessage(policy=email.policy.default)
    msg_id = message_id or new_message_id(sender.email)
    msg["From"] = sender.formatted()
    msg["To"] = ", ".join(a.formatted() for a in to)
    if cc:
        msg["Cc"] = ", ".join(a.formatted() for a in cc)
    if reply_to is not None:
        msg["Reply-To"] = parse_address(reply_to, "replyTo").formatted()
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = msg_id
    for name, value in (*custom, *extra_headers):
        msg[name] = value
    if text is not None:
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html, subtype="html")
    _add_attachments(msg, builder.get("attachments"), has_html=html is not None)
    return BuiltMessage(sender=sender, recipients=recipients, message=msg, message_id=msg_id)
