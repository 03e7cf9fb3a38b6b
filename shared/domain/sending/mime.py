"""The outgoing message on the wire: `build_mime(parts)` -> (the complete RFC 5322 message as CRLF bytes, the extra
headers an API transport must set itself).

Built with the stdlib `email` package under a policy derived from `email.policy.SMTP` (CRLF, lines folded at 78,
`cte_type="7bit"`): bodies are UTF-8, 7bit when pure ASCII with short lines, else quoted-printable or base64,
whichever is shorter for the content; `multipart/alternative` with the plain text first only when there is HTML.
The headers are prepared here and folded by `_PreparedHeader`, because the stdlib's folder gets them wrong:
it turns long msg-ids and URLs into encoded-words (breaking threading and one-click unsubscribe) and can double a
space when it folds a mixed-script subject. So:

* Message-ID, In-Reply-To, References, List-Unsubscribe: ASCII tokens kept verbatim, folded between tokens.
* Subject: as given when it is printable ASCII in words that fit a line; otherwise wholly RFC 2047 UTF-8
  encoded-words (Q or B, whichever is shorter) of ≤ 75 characters, which carry every character exactly, whitespace
  included, and fold anywhere: any script, any length, ≤ 78 octets a line. Kept as given (`Re:` is the composer's).
* From: the display name (whitespace runs made single) as atoms, a quoted string when it has specials, or
  encoded-words when not plain ASCII. (The stdlib's modern parser puts a space between adjacent encoded-words of a
  phrase, against RFC 2047 §6.2; mail clients and `email.header.decode_header` read the name right.)
* Addresses: the domain IDNA-encoded ("hôtel.example" -> "xn--htel-vqa.example"); a non-ASCII local part needs
  SMTPUTF8, which we do not use: ValueError naming the field. Only dot-atom local parts.
* Header injection: CR, LF or any other line break or control character (tab excepted) in a header value is a
  ValueError naming the header, before anything is built; the policy's generated-header check stays on as well.
* The multipart boundary derives from the Message-ID, so a retried send carries the same bytes.

Every line of the result is ≤ 998 octets (checked); a header line passes 78 only for a single token that cannot be
broken (a long msg-id or URL). No `Auto-Submitted` (we are not an autoresponder) and no `Precedence: bulk`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

FOLD_AT = 78
MAX_LINE_OCTETS = 998
ONE_CLICK = "List-Unsubscribe=One-Click"
AUTO_RESPONSE_SUPPRESS = "OOF, AutoReply"

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL_PART = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_ID_TEXT = r"[!-;=?A-~]+"  # printable ASCII without < > @
_MSG_ID = re.compile(rf"<{_ID_TEXT}@{_ID_TEXT}>")
_MSG_IDS = re.compile(rf"<{_ID_TEXT}@{_ID_TEXT}>(?:\s+<{_ID_TEXT}@{_ID_TEXT}>)*")
_URL_TEXT = r"[!#-+\--;=?-~]+"  # printable ASCII without space " , < >
_HTTPS_URL = re.compile(rf"https://{_URL_TEXT}")
_MAILTO_URL = re.compile(rf"mailto:{_URL_TEXT}")
# Line breaks str.splitlines knows (CR, LF, VT, FF, FS, GS, RS, NEL, LS, PS) and every other control except tab.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")

_ATOM = re.compile(rf"{_ATEXT}+")
_Q_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_MAX_ENCODED_WORD = 75  # RFC 2047 §2
_PLAIN_WORD_MAX = 70  # a longer ASCII word cannot be folded: encoded-words can
_PIECES = re.compile(r"[ \t]*[^ \t]+|[ \t]+$")  # fold points: before each run of whitespace
# Headers prepared here, folded by _PreparedHeader and never re-encoded by the stdlib.
_PREPARED_HEADERS = (
    "message-id",
    "from",
    "reply-to",
    "to",
    "subject",
    "in-reply-to",
    "references",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "x-auto-response-suppress",
)


@dataclass(frozen=True, slots=True)
class MailParts:
    message_id: str  # "<id@domain>" fixed at compose time: used verbatim
    from_address: str
    from_name: str | None
    to_address: str
    reply_to: str | None
    subject: str
    text: str
    html: str | None
    in_reply_to: str | None  # follow-ups: "<a@x>"
    references: str | None  # "<a@x> <b@x>"
    date: datetime  # aware
    unsubscribe_url: str  # https://…/u/{token}
    unsubscribe_mailto: str  # mailto:…


def build_mime(parts: MailParts) -> tuple[bytes, dict[str, str]]:
    """The complete message (CRLF line ends) and the extra headers an API transport must set (In-Reply-To and
    References when threading, List-Unsubscribe, List-Unsubscribe-Post, X-Auto-Response-Suppress), unfolded.
    ValueError for anything that cannot be sent as given (the message names the field)."""
    import email.utils
    from email.message import EmailMessage

    extra = _extra_headers(parts)
    if parts.date.tzinfo is None or parts.date.utcoffset() is None:
        raise ValueError("date must be timezone-aware")
    _check_value("From (display name)", parts.from_name or "")
    _check_value("Subject", parts.subject)
    sender = _address("From", parts.from_address)
    headers = {
        "Message-ID": _message_id("Message-ID", parts.message_id),
        "Date": email.utils.format_datetime(parts.date),
        "From": f"{_phrase(parts.from_name or '', 'From')} <{sender}>" if (parts.from_name or "").strip() else sender,
        **({"Reply-To": _address("Reply-To", parts.reply_to)} if parts.reply_to is not None else {}),
        "To": _address("To", parts.to_address),
        "Subject": _unstructured(parts.subject, "Subject"),
        **extra,
    }
    policy = _policy()
    msg = EmailMessage(policy=policy)
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(parts.text, charset="utf-8")
    if parts.html is not None:
        msg.make_alternative()
        html = EmailMessage(policy=policy)
        html.set_content(parts.html, subtype="html", charset="utf-8")
        del html["MIME-Version"]  # on the message only, not on its parts
        msg.attach(html)
        msg.set_boundary(_boundary(parts.message_id, [part.get_payload() for part in msg.iter_parts()]))
    raw = msg.as_bytes()
    _check_lines(raw)
    return raw, extra


def _extra_headers(parts: MailParts) -> dict[str, str]:
    extra: dict[str, str] = {}
    if parts.in_reply_to is not None:
        extra["In-Reply-To"] = _message_id("In-Reply-To", parts.in_reply_to)
    if parts.references is not None:
        _check_value("References", parts.references)
        if not _MSG_IDS.fullmatch(parts.references.strip()):
            raise ValueError(f"References {parts.references!r} is not a list of Message-IDs")
        extra["References"] = " ".join(parts.references.split())
    for name, value, shape, scheme in (
        ("unsubscribe_url", parts.unsubscribe_url, _HTTPS_URL, "https"),
        ("unsubscribe_mailto", parts.unsubscribe_mailto, _MAILTO_URL, "mailto"),
    ):
        _check_value(name, value)
        if not shape.fullmatch(value):
            raise ValueError(f"{name} {value!r} must be an ASCII {scheme}: URL without spaces, commas, quotes or <>")
    extra["List-Unsubscribe"] = f"<{parts.unsubscribe_url}>, <{parts.unsubscribe_mailto}>"
    extra["List-Unsubscribe-Post"] = ONE_CLICK
    extra["X-Auto-Response-Suppress"] = AUTO_RESPONSE_SUPPRESS
    for name, value in extra.items():
        _check_tokens_fit(name, value)
    return extra


def _check_value(name: str, value: str) -> None:
    if _FORBIDDEN.search(value):
        raise ValueError(f"{name} contains a line break or control character (header injection refused)")


def _message_id(name: str, value: str) -> str:
    _check_value(name, value)
    if not _MSG_ID.fullmatch(value):
        raise ValueError(f"{name} {value!r} is not a Message-ID (<id@domain>)")
    _check_tokens_fit(name, value)
    return value


def _check_tokens_fit(name: str, value: str) -> None:
    if any(len(name) + 2 + len(token) > MAX_LINE_OCTETS for token in value.split()):
        raise ValueError(f"{name} holds a token too long for a {MAX_LINE_OCTETS}-octet header line")


def _address(field: str, value: str) -> str:
    """The addr-spec with an ASCII (IDNA) domain; ValueError naming the field otherwise."""
    _check_value(field, value)
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"{field} address {value!r} is not an email address")
    if not local.isascii():
        raise ValueError(f"{field} address {value!r} has a non-ASCII local part: it needs SMTPUTF8, not supported")
    if not _LOCAL_PART.fullmatch(local) or len(local) > 64:
        raise ValueError(f"{field} address {value!r} has a local part that is not a dot-atom")
    host = domain
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"{field} address {value!r} has a domain IDNA cannot encode") from None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"{field} address {value!r} has a domain that is not a host name")
    return f"{local}@{host}"


def _boundary(message_id: str, payloads: list[Any]) -> str:
    """A boundary derived from the Message-ID, lengthened in the (7bit-only) case that a part contains it."""
    seed = hashlib.sha256(message_id.encode("ascii")).hexdigest()
    for length in range(24, 65, 8):
        boundary = f"=_jengu_{seed[:length]}"
        if not any(boundary in str(payload) for payload in payloads):
            return boundary
    raise ValueError("a body part contains every boundary candidate")  # needs the message to quote its own hash


def _check_lines(raw: bytes) -> None:
    lines = raw.split(b"\r\n")
    if any(b"\r" in line or b"\n" in line or len(line) > MAX_LINE_OCTETS for line in lines):
        raise ValueError("the built message has a bare line end or a line over 998 octets")


def _unstructured(value: str, field: str) -> str:
    """An unstructured value (Subject) as it goes on the wire: as given when it is printable ASCII in words that fit
    a line, without "=?" or edge whitespace; otherwise wholly as UTF-8 encoded-words (RFC 2047), which carry every
    character, spaces included, exactly and fold anywhere."""
    if _plain_ascii(value):
        return value
    return " ".join(_encoded_words(value, first=FOLD_AT - len(field) - 2))


def _phrase(name: str, field: str) -> str:
    """A display name (whitespace runs made single spaces): atoms, a quoted string when it has specials, or UTF-8
    encoded-words when it is not plain ASCII."""
    text = " ".join(name.split())
    if not _plain_ascii(text):
        return " ".join(_encoded_words(text, first=FOLD_AT - len(field) - 2))
    if all(_ATOM.fullmatch(word) for word in text.split(" ")):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain_ascii(value: str) -> bool:
    return (
        value.isascii()
        and "=?" not in value
        and value == value.strip(" \t")
        and all(0x20 <= ord(char) < 0x7F or char == "\t" for char in value)
        and all(len(word) <= _PLAIN_WORD_MAX for word in value.split())
    )


def _encoded_words(text: str, *, first: int) -> list[str]:
    """`text` as "=?utf-8?q?...?=" or "=?utf-8?b?...?=" words (whichever is shorter overall), each ≤ 75 characters
    (the first ≤ `first`, so it fits after the header name), never splitting a character's bytes."""
    data = text.encode("utf-8")
    q_size = sum(len(_q(char)) for char in text)
    b_size = 4 * -(-len(data) // 3)
    words: list[str] = []
    chunk = ""
    limit = min(first, _MAX_ENCODED_WORD)
    for char in text:
        candidate = chunk + char
        if chunk and _ew_size(candidate, q_size <= b_size) > limit:
            words.append(_ew(chunk, q_size <= b_size))
            chunk, limit = char, _MAX_ENCODED_WORD
        else:
            chunk = candidate
    if chunk or not words:
        words.append(_ew(chunk, q_size <= b_size))
    return words


def _ew_size(chunk: str, q: bool) -> int:
    body = sum(len(_q(char)) for char in chunk) if q else 4 * -(-len(chunk.encode("utf-8")) // 3)
    return len("=?utf-8?q??=") + body


def _ew(chunk: str, q: bool) -> str:
    if q:
        return "=?utf-8?q?" + "".join(_q(char) for char in chunk) + "?="
    import base64

    return "=?utf-8?b?" + base64.b64encode(chunk.encode("utf-8")).decode("ascii") + "?="


def _q(char: str) -> str:
    """One character in RFC 2047 "Q" encoding, restricted to what a phrase allows (§5 (3))."""
    if char == " ":
        return "_"
    if char in _Q_SAFE:
        return char
    return "".join(f"={byte:02X}" for byte in char.encode("utf-8"))


class _PreparedHeader:
    """A header value prepared here (ASCII, encoded-words where needed): kept verbatim and folded before a run of
    whitespace, lines kept ≤ 78 octets where a fold is possible (a single longer token stays on its own line;
    build_mime caps tokens at 998 octets). Unfolding (removing the CRLFs) gives back the value exactly."""

    max_count = 1
    name: str  # BaseHeader's property, once the registry has mixed it in

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        kwds["parse_tree"] = None
        kwds["decoded"] = value

    def fold(self, *, policy: Any) -> str:
        width = policy.max_line_length or MAX_LINE_OCTETS
        pieces = _PIECES.findall(str(self))
        lines: list[str] = []
        line = f"{self.name}: {pieces[0]}" if pieces else f"{self.name}:"
        for piece in pieces[1:]:
            if len(line) + len(piece) > width:
                lines.append(line)
                line = ""
            line += piece
        lines.append(line)
        return policy.linesep.join(lines) + policy.linesep


@cache
def _policy() -> Any:
    import email.policy
    from email.headerregistry import HeaderRegistry

    registry = HeaderRegistry()
    for name in _PREPARED_HEADERS:
        registry.map_to_type(name, cast(Any, _PreparedHeader))  # BaseHeader is mixed in by the registry
    return email.policy.SMTP.clone(cte_type="7bit", max_line_length=FOLD_AT, header_factory=registry)
