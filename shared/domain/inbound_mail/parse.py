"""`parse_message(raw)`: the stored bytes of an inbound message as a `ParsedMail`, whatever they hold. Never raises.

The stdlib `email` parser with `policy.default`, `compat32` when that fails; charsets that are unknown or lie are
decoded leniently (declared, then UTF-8, cp1252, latin-1); broken base64/QP is decoded as far as it goes; HTML-only
bodies become text. The work is capped: binary parts are never decoded, text parts only up to `MAX_PART_BYTES`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from shared.domain.inbound_mail.parsed import AuthResults, MimePart, ParsedMail
from shared.domain.inbound_mail.quotes import reply_part

if TYPE_CHECKING:
    from email.message import Message

MAX_PART_BYTES = 1024 * 1024  # of one text part's encoded payload we decode; the rest is dropped (problem noted)
MAX_PARTS = 500  # parts collected; the rest are skipped (problem noted)
MAX_HEADER_VALUE = 4000  # characters kept of one header value
SINGLE_BYTE = {"us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "cp1252", "windows-1252", "iso-8859-15"}
TEXT_RAW_TYPES = ("text/", "message/delivery-status", "message/feedback-report", "message/disposition-notification")
_MSGID = re.compile(r"<[^<>\s]+>")
_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


def parse_message(raw: bytes) -> ParsedMail:
    """The message's parsed fields; a message nothing can be read from still yields one (with `problems`)."""
    try:
        return _parse(raw)
    except Exception as exc:  # the promise: every message can be classified or kept as unknown
        return _empty(f"unparseable: {type(exc).__name__}")


def _empty(problem: str) -> ParsedMail:
    return ParsedMail(
        None, (), (), None, None, (), "", None, {}, AuthResults(), "text/plain", None, "", "", (), (problem,)
    )


def _parse(raw: bytes) -> ParsedMail:
    problems: list[str] = []
    msg = _message(bytes(raw or b""), problems)
    headers = _headers(msg)
    walk = _Walk(problems)
    walk.visit(msg)
    text = walk.body()
    first = {name: values[0] for name, values in headers.items() if values}
    message_ids = _ids(first.get("message-id", ""))
    from_address, from_name = _address(first.get("from", ""))
    if from_address is None:
        problems.append("no From address")
    return ParsedMail(
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=_ids(first.get("in-reply-to", "")),
        references=_ids(" ".join(headers.get("references", ()))),
        from_address=from_address,
        from_name=from_name,
        to_addresses=_addresses(headers.get("to", ()) + headers.get("cc", ())),
        subject=" ".join(first.get("subject", "").split()),
        date=_date(first.get("date")),
        headers=headers,
        auth=auth_results(headers.get("authentication-results", ())),
        content_type=_safe_type(msg),
        report_type=_param(msg, "report-type"),
        text=text,
        reply_text=reply_part(text),
        parts=tuple(walk.parts),
        problems=tuple(dict.fromkeys(problems + walk.defects)),
    )


def _message(raw: bytes, problems: list[str]) -> Message:
    from email import policy
    from email.parser import BytesParser

    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        _headers(msg)  # header objects parse on access: a value policy.default cannot read sends us to compat32
        msg.get_content_type()
        return msg
    except Exception:
        problems.append("compat32 fallback")
        return BytesParser(policy=policy.compat32).parsebytes(raw)


def _headers(msg: Message) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        found.setdefault(str(name).strip().lower(), []).append(decode_header_value(str(value)))
    return {name: tuple(values) for name, values in found.items()}


def decode_header_value(value: str) -> str:
    """A header's text: unfolded, 8-bit bytes read leniently, RFC 2047 words decoded (broken ones kept as written)."""
    text = _bytes_of(value)
    decoded = lenient_decode(text, "utf-8", [])
    decoded = " ".join(decoded.replace("\r", " ").replace("\n", " ").split())
    if "=?" in decoded:
        from email.header import decode_header

        try:
            chunks = decode_header(decoded)
            decoded = "".join(c if isinstance(c, str) else lenient_decode(c, cs or "utf-8", []) for c, cs in chunks)
        except Exception:  # malformed encoded words stay as written
            pass
    return decoded[:MAX_HEADER_VALUE]


def _bytes_of(value: str) -> bytes:
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def lenient_decode(data: bytes, declared: str | None, problems: list[str]) -> str:
    """Bytes as text: the declared charset, then UTF-8, cp1252, latin-1 (valid UTF-8 beats a single-byte label)."""
    if data.isascii():
        return data.decode("ascii")
    charset = (declared or "").strip().strip("\"'").lower()
    order = ["utf-8", charset] if charset in SINGLE_BYTE or not charset else [charset, "utf-8"]
    for name in [*order, "cp1252"]:
        try:
            text = data.decode(name)
        except (LookupError, UnicodeError, ValueError, TypeError):
            continue
        if charset and name != charset:
            problems.append(f"charset {charset!r} read as {name}")
        return text
    problems.append(f"charset {charset or 'none'!r} read as latin-1")
    return data.decode("latin-1")


class _Walk:
    """Depth-first over the parts: every part recorded, the first text/plain (else text/html) body chosen."""

    def __init__(self, problems: list[str]) -> None:
        self.parts: list[MimePart] = []
        self.problems = problems
        self.defects: list[str] = []
        self.plain: str | None = None
        self.html: str | None = None

    def visit(self, root: Message) -> None:
        stack: list[tuple[Message, bool]] = [(root, False)]  # (part, inside an embedded message)
        while stack:
            part, embedded = stack.pop()
            if len(self.parts) >= MAX_PARTS:
                self.problems.append("too many parts")
                return
            self.defects.extend(type(d).__name__ for d in getattr(part, "defects", ()))
            ctype = _safe_type(part)
            payload: object = part.get_payload()
            if isinstance(payload, list):
                payload = [p for p in payload if hasattr(p, "get_payload")]
                if ctype.startswith("message/") and ctype not in ("message/rfc822", "message/global"):
                    self.parts.append(MimePart(ctype, _blocks(payload)))
                    continue
                if ctype in ("message/rfc822", "message/global"):
                    inner = payload[0] if payload else None
                    self.parts.append(MimePart(ctype, _render_headers(inner) if inner is not None else ""))
                    children = [inner] if inner is not None else []
                    stack.extend((c, True) for c in reversed(children))
                    continue
                stack.extend((c, embedded) for c in reversed(payload))
                continue
            self._leaf(part, ctype, embedded)

    def _leaf(self, part: Message, ctype: str, embedded: bool) -> None:
        filename = _filename(part)
        if ctype.startswith("multipart/"):  # a multipart without usable boundary: its body is all we have
            ctype = "text/plain"
        if not ctype.startswith(TEXT_RAW_TYPES):
            self.parts.append(MimePart(ctype, "", filename))  # binary: never decoded
            return
        text = self._text(part)
        if ctype == "text/html":
            text = html_to_text(text)
        self.parts.append(MimePart(ctype, text, filename))
        attachment = filename is not None or _disposition(part) == "attachment"
        if embedded or attachment or not text.strip():
            return
        if ctype == "text/plain" and self.plain is None:
            self.plain = text
        elif ctype == "text/html" and self.html is None:
            self.html = text

    def _text(self, part: Message) -> str:
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        if cte in ("base64", "quoted-printable"):  # ASCII by definition: decoded here, capped first
            payload = part.get_payload()
            encoded = _bytes_of(payload if isinstance(payload, str) else "")
        else:  # 7bit/8bit/binary: the bytes as sent (get_payload() would decode them with the declared charset)
            raw = part.get_payload(decode=True)
            encoded = raw if isinstance(raw, bytes) else b""
        if len(encoded) > MAX_PART_BYTES:
            self.problems.append("text part truncated")
            encoded = encoded[:MAX_PART_BYTES]
        data = transfer_decode(encoded, cte, self.problems)
        return lenient_decode(data, _param(part, "charset"), self.problems).replace("\r\n", "\n").replace("\r", "\n")

    def body(self) -> str:
        text = self.plain if self.plain is not None else self.html or ""
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def transfer_decode(data: bytes, cte: str, problems: list[str]) -> bytes:
    """base64 and quoted-printable decoded as far as they go; anything else as it is."""
    cte = cte.strip().lower()
    if cte == "base64":
        import binascii

        clean = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
        clean = clean[: len(clean) - len(clean) % 4]
        try:
            return binascii.a2b_base64(clean)
        except (binascii.Error, ValueError):
            problems.append("bad base64")
            return data
    if cte == "quoted-printable":
        import quopri

        try:
            return quopri.decodestring(data)
        except (ValueError, TypeError):
            problems.append("bad quoted-printable")
            return data
    return data


def _blocks(payload: list[Message]) -> str:
    return "\n\n".join(_render_headers(block) for block in payload)


def _render_headers(msg: Message) -> str:
    try:
        return "\n".join(f"{name}: {decode_header_value(str(value))}" for name, value in msg.raw_items())
    except Exception:
        return ""


def _safe_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "text/plain"


def _param(part: Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:
        return None
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return str(value).strip().lower() if value else None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    return decode_header_value(str(name)) if name else None


def _disposition(part: Message) -> str | None:
    try:
        value = part.get_content_disposition()
    except Exception:
        return None
    return value.lower() if value else None


def _ids(value: str) -> tuple[str, ...]:
    found = _MSGID.findall(value)
    if found:
        return tuple(dict.fromkeys(found))
    return tuple(dict.fromkeys(t for t in value.replace(",", " ").split() if "@" in t))


def _address(value: str) -> tuple[str | None, str | None]:
    from email.utils import getaddresses

    try:
        pairs = getaddresses([value])
    except Exception:
        return None, None
    for name, addr in pairs:
        if "@" in addr:
            return addr.strip().lower(), (" ".join(name.split()) or None)
    return None, None


def _addresses(values: tuple[str, ...]) -> tuple[str, ...]:
    from email.utils import getaddresses

    try:
        pairs = getaddresses(list(values))
    except Exception:
        return ()
    return tuple(dict.fromkeys(addr.strip().lower() for _, addr in pairs if "@" in addr))


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def auth_results(values: tuple[str, ...]) -> AuthResults:
    """SPF, DKIM and DMARC from `Authentication-Results`: Email Routing's (mx.cloudflare.net) first, else the first."""
    if not values:
        return AuthResults()
    chosen = next((v for v in values if v.strip().lower().startswith("mx.cloudflare.net")), values[0])
    text = chosen
    while _COMMENT.search(text):
        text = _COMMENT.sub(" ", text)
    found: dict[str, list[str]] = {}
    for method, result in _RESULT.findall(text):
        found.setdefault(method.lower(), []).append(result.lower())
    dkim = found.get("dkim", [])
    return AuthResults(
        spf=found.get("spf", [None])[0],
        dkim="pass" if "pass" in dkim else (dkim[0] if dkim else None),
        dmarc=found.get("dmarc", [None])[0],
    )


BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
SKIP_TAGS = {"script", "style", "head", "title", "template", "noscript", "svg"}


class _HtmlText(HTMLParser):
    """Visible text; block tags break lines, `<blockquote>` lines are prefixed "> " as mail clients quote them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.quote = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.newline(blank=tag in ("p", "blockquote", "table", "hr"))
            self.quote += tag == "blockquote"
            self.pre += tag == "pre"
            if tag == "li":
                self.current.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self.newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK_TAGS:
            self.newline(blank=tag == "p")
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag in ("td", "th"):
            self.current.append(" ")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            for i, piece in enumerate(data.split("\n")):
                if i:
                    self.newline()
                self.current.append(piece)
            return
        self.current.append(re.sub(r"\s+", " ", data.replace("\xa0", " ")))

    def newline(self, blank: bool = False) -> None:
        line = "".join(self.current).strip()
        self.current = []
        prefix = "> " * self.quote
        if line:
            self.lines.append(prefix + line)
        if blank and self.lines and self.lines[-1] != prefix.rstrip():
            self.lines.append(prefix.rstrip())


def html_to_text(html: str) -> str:
    """Readable text of an HTML body: scripts and styles dropped, line breaks kept for block tags."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; this only guards the promise
        return re.sub(r"<[^>]*>", " ", html)
    parser.newline()
    text = "\n".join(parser.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
