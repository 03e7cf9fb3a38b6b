"""Spam complaints: RFC 5965 ARF feedback reports (Yahoo, AOL, Fastmail, Comcast, ...) and Microsoft JMRP-style
reports (the original attached with `X-HmXmrOriginalRecipient`). Pure.

`read_complaint(mail)` returns who complained (Original-Rcpt-To, else the embedded message's To), which of our
messages it was, the feedback type, source IP and reporting agent; None when `mail` is not a feedback report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.domain.inbound_mail.parsed import MimePart, ParsedMail

_SUPPRESSING = {"abuse", "fraud", "virus", "other"}  # not-spam and auth-failure are no complaint by the recipient
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_ORIGINAL_TYPES = ("message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers")


@dataclass(frozen=True, slots=True)
class Complaint:
    feedback_type: str  # "abuse", "fraud", "virus", "other", "not-spam", "auth-failure" (lower-case)
    original_rcpt: str | None  # lower-case address of the person who complained, when the report names it
    original_message_id: str | None  # "<id@host>" of our message
    original_mail_from: str | None
    source_ip: str | None
    user_agent: str | None
    reporting_mta: str | None
    format: str  # "arf" or "jmrp"

    @property
    def suppresses(self) -> bool:
        """A complaint by the recipient (abuse, fraud, virus, other): suppress the address, count it on the inbox."""
        return self.feedback_type in _SUPPRESSING


def _fields(block: str) -> dict[str, str]:
    """`Name: value` header lines of one block (continuations unfolded), first value of each name kept."""
    fields: dict[str, str] = {}
    last: str | None = None
    for line in block.splitlines():
        if line[:1] in (" ", "\t") and last:
            fields[last] = f"{fields[last]} {line.strip()}".strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name and " " not in name:
                last = name if name not in fields else None
                fields.setdefault(name, value.strip())
        elif not line.strip() and fields:
            break  # the end of the header block
    return fields


def _address(value: str | None) -> str | None:
    match = _ADDRESS.search(value or "")
    if not match:
        return None
    address = match.group(0).lower().strip(".")
    return None if re.fullmatch(r"x+|redacted|\[?redacted\]?", address.split("@")[0]) else address


def _message_id(value: str | None) -> str | None:
    if not value:
        return None
    match = re.search(r"<[^<>\s]+>", value)
    if match:
        return match.group(0)
    token = value.strip().split()[0] if value.strip() else ""
    return f"<{token}>" if "@" in token else None


def _ip(value: str | None) -> str | None:
    match = re.search(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\b", value or "", re.I)
    return match.group(0) if match else None


def _original(mail: ParsedMail) -> MimePart | None:
    return next((p for p in mail.parts if p.content_type in _ORIGINAL_TYPES), None)


def read_complaint(mail: ParsedMail) -> Complaint | None:
    """The feedback report in `mail`, or None when `mail` is not one."""
    try:
        return _read_complaint(mail)
    except Exception:  # pragma: no cover - a classifier must never take the pipeline down
        return None


def _read_complaint(mail: ParsedMail) -> Complaint | None:
    report = next((p for p in mail.parts if p.content_type == "message/feedback-report"), None)
    is_arf = report is not None or (mail.report_type or "").lower() == "feedback-report"
    original = _original(mail)
    headers = _fields(original.text) if original else {}
    if not is_arf:
        jmrp = headers.get("x-hmxmroriginalrecipient")
        if not jmrp:
            return None
        return Complaint(
            "abuse",
            _address(jmrp),
            _message_id(headers.get("message-id")),
            _address(headers.get("from")),
            _jmrp_ip(mail),
            None,
            mail.from_address.split("@", 1)[1] if mail.from_address and "@" in mail.from_address else None,
            "jmrp",
        )
    fields = _fields(report.text if report and report.text.strip() else _report_text(mail))
    rcpt = _address(fields.get("original-rcpt-to")) or _address(fields.get("removal-recipient"))
    if rcpt is None:
        tos = _ADDRESS.findall(headers.get("to", ""))
        rcpt = _address(tos[0]) if len(tos) == 1 else None
    message_id = _message_id(headers.get("message-id"))
    if message_id is None:
        message_id = next((m for m in (*mail.in_reply_to, *mail.references) if m != mail.message_id), None)
    reporting = fields.get("reporting-mta", "")
    return Complaint(
        ((fields.get("feedback-type") or "").strip().lower().split() or ["abuse"])[0],
        rcpt,
        message_id,
        _address(fields.get("original-mail-from")) or _address(headers.get("return-path")),
        _ip(fields.get("source-ip")) or _jmrp_ip(mail),
        fields.get("user-agent") or None,
        reporting.partition(";")[2].strip() if ";" in reporting else reporting.strip() or None,
        "arf",
    )


def _report_text(mail: ParsedMail) -> str:
    """The feedback fields when the parser did not give the report part its own text: look through the body."""
    for part in mail.parts:
        if "feedback-type:" in part.text.lower():
            start = part.text.lower().index("feedback-type:")
            return part.text[start:]
    lower = mail.text.lower()
    return mail.text[lower.index("feedback-type:") :] if "feedback-type:" in lower else ""


def _jmrp_ip(mail: ParsedMail) -> str | None:
    match = re.search(r"from ip\s+(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:]+)", mail.text, re.I)
    return match.group(1).rstrip(".") if match else None
