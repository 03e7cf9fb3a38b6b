"""Delivery status notifications: recognise a bounce (RFC 3464 or the common text formats), find each failed
recipient with its status, reply code and diagnostic, and decide hard / soft / policy. Pure.

`read_bounce(mail)` returns None for anything that is not a delivery report — auto-replies, a person forwarding a
bounce, a newsletter from postmaster@ — and never raises. A success-only DSN (every recipient delivered, relayed or
expanded) is a delivery report with no failure: a `Bounce` with no recipients, to be stored without effect.

The verdict reads the enhanced status, the SMTP reply code and the diagnostic text together (`verdict_for`); when
unsure it says soft, because a wrong hard suppresses a good address for ever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from shared.domain.inbound_mail.bounce_verdicts import (
    BARE_REJECT,
    DOMAIN_GONE,
    FULL,
    HARD,
    STRONG_POLICY,
    WEAK_POLICY,
    Verdict,
    find_code,
    find_status,
    verdict_for,
)
from shared.domain.inbound_mail.parsed import ParsedMail


@dataclass(frozen=True, slots=True)
class BouncedRecipient:
    address: str | None  # lower-case addr-spec of the recipient we mailed, when the report names it
    action: str | None  # failed | delayed (RFC 3464), or None when the report does not say
    status: str | None  # RFC 3463 enhanced status, "5.1.1"
    code: int | None  # SMTP reply code, 550
    diagnostic: str  # the remote server's words (or the report's), one line
    remote_mta: str | None
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Bounce:
    recipients: tuple[BouncedRecipient, ...]  # empty: a success-only report (nothing failed)
    original_message_id: str | None  # "<id@host>" of the message that bounced
    reporting_mta: str | None
    format: str  # "rfc3464", "exchange", "qmail", "exim", "postfix-text", "heuristic"

    @property
    def verdict(self) -> Verdict | None:
        """The message's verdict: hard if any recipient is hard, else policy, else soft; None without recipients."""
        verdicts = {r.verdict for r in self.recipients}
        for verdict in ("hard", "policy", "soft"):
            if verdict in verdicts:
                return verdict
        return None


__all__ = ["Bounce", "BouncedRecipient", "Verdict", "find_code", "find_status", "read_bounce", "verdict_for"]


# ---------------------------------------------------------------------------------------------------------------
# RFC 3464 delivery-status fields

_RECIPIENT_FIELDS = {
    "original-recipient",
    "final-recipient",
    "action",
    "status",
    "remote-mta",
    "diagnostic-code",
    "last-attempt-date",
    "final-log-id",
    "will-retry-until",
}
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_XTEXT = re.compile(r"\+([0-9A-Fa-f]{2})")


def _fields(block: str) -> list[tuple[str, str]]:
    """Header-style `Name: value` lines (continuations unfolded), in order; junk lines are skipped."""
    fields: list[tuple[str, str]] = []
    for line in block.splitlines():
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}".strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            if name.strip() and " " not in name.strip():
                fields.append((name.strip().lower(), value.strip()))
        elif not line.strip():
            fields.append(("", ""))  # a blank line: the end of a recipient's block
    return fields


def _typed_value(value: str) -> str:
    """`dns; mx.example.com` -> `mx.example.com`; `smtp; 550 ...` -> `550 ...`."""
    kind, sep, rest = value.partition(";")
    return rest.strip() if sep and " " not in kind.strip() and len(kind.strip()) <= 16 else value.strip()


def _address(value: str | None) -> str | None:
    if not value:
        return None
    text = _XTEXT.sub(lambda m: chr(int(m.group(1), 16)), _typed_value(value))
    match = _ADDRESS.search(text)
    return match.group(0).lower().strip(".") if match else None


def _dsn_blocks(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The per-message fields and each recipient's fields of a message/delivery-status body."""
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for name, value in _fields(text):
        if not name:
            if current:
                recipients.append(current)
                current = {}
            continue
        if name in _RECIPIENT_FIELDS or (current and name.startswith("x-")):
            # Without blank lines, an Original-Recipient after a complete block (Status is required) opens the next
            # one; within a block the fields may come in any order (Amazon SES: Action, Final-, Original-Recipient).
            next_one = name == "original-recipient" and {"final-recipient", "action", "status"} <= set(current)
            if name in current or next_one:
                recipients.append(current)
                current = {}
            current.setdefault(name, value)
        elif not recipients and not current:
            per_message.setdefault(name, value)
    if current:
        recipients.append(current)
    return per_message, [
        r for r in recipients if {"final-recipient", "original-recipient", "action", "status"} & set(r)
    ]


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(text.split())[:limit]


def _recipient_from_fields(fields: dict[str, str]) -> BouncedRecipient:
    address = _address(fields.get("original-recipient")) or _address(fields.get("final-recipient"))
    diagnostic = _one_line(_typed_value(fields.get("diagnostic-code", "")))
    action = (fields.get("action") or "").strip().lower().split(" ")[0] or None
    status = find_status(fields.get("status", "")) or find_status(diagnostic)
    quoted = find_status(diagnostic)
    if status and quoted and status.endswith(".0.0") and quoted[0] == status[0]:
        status = quoted  # "Status: 5.0.0" over a server's "550 5.7.26 ...": the server's is the one that says why
    code = find_code(diagnostic)
    remote = (_typed_value(fields.get("remote-mta", "")).split() or [""])[0].rstrip(".") or None
    return BouncedRecipient(
        address, action, status, code, diagnostic, remote, verdict_for(status, code, diagnostic, action)
    )


# ---------------------------------------------------------------------------------------------------------------
# The message that bounced

_ORIGINAL_MARKERS = re.compile(
    r"^[ \t>*#=_-]*(?:below this line is a copy of the message|this is a copy of the message|original message"
    r" (?:follows|headers|header|details)|undelivered message headers|message headers follow|unsent message below"
    r"|headers of the original message|copy of the original message|original-nachricht|urspr[üu]ngliche nachricht"
    r"|message d'origine|en-t[êe]tes du message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht"
    r"|mensagem original|(?:-{3,} ?)?original message(?: ?-{3,})?\s*$)",
    re.I | re.M,
)
_MESSAGE_ID_LINE = re.compile(r"^[ \t>]*message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>|[^\s<>]+@[^\s<>]+)", re.I | re.M)


def _message_ids(text: str) -> list[str]:
    ids = []
    for match in _MESSAGE_ID_LINE.finditer(text):
        value = match.group(1)
        ids.append(value if value.startswith("<") else f"<{value}>")
    return ids


def _header_block(text: str) -> str:
    lines = []
    for line in text.lstrip("\r\n").splitlines():
        if not line.strip():
            break
        lines.append(line)
    return "\n".join(lines)


def _original_message_id(mail: ParsedMail) -> str | None:
    own = mail.message_id
    for part in mail.parts:
        if part.content_type in ("message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"):
            for candidate in _message_ids(_header_block(part.text)) + _message_ids(part.text):
                if candidate != own:
                    return candidate
    texts = [p.text for p in mail.parts if p.content_type.startswith("text/")] or [mail.text]
    for text in [*texts, mail.text]:
        marker = _ORIGINAL_MARKERS.search(text)
        for candidate in _message_ids(text[marker.start() :] if marker else text):
            if candidate != own:
                return candidate
    for candidate in (*mail.in_reply_to, *mail.references):
        if candidate != own:
            return candidate
    return None


def _original_recipients(mail: ParsedMail) -> list[str]:
    """The To of the embedded original, when the report carries it."""
    for part in mail.parts:
        if part.content_type in ("message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"):
            block = _header_block(part.text)
            for name, value in _fields(block):
                if name == "to":
                    return [a.lower() for a in _ADDRESS.findall(value)]
    return []


# ---------------------------------------------------------------------------------------------------------------
# Recognition

_DAEMON_LOCAL = re.compile(
    r"^(?:mailer[-_]?daemon|mail[-_]?daemon|post_?master|mail\.?delivery|mdaemon|mailerdaemon|bounces?|nobody|"
    r"microsoftexchange[0-9a-f]{32}|mail-?delivery-?subsystem|mail-?system|mta|smtp|exchange|noreply-dmarc)$",
    re.I,
)
_DAEMON_NAME = re.compile(
    r"mail delivery|mailer[- ]daemon|postmaster|delivery (?:status|subsystem|system)|mail (?:system|administrator)"
    r"|microsoft outlook|microsoft exchange|e-?mail delivery|systemadministrator|administrateur|mail-?daemon",
    re.I,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|not delivered|non-?delivery|delivery (?:status notification|failure|failed|report|"
    r"notification|has failed|problem|error|incomplete|delayed)|mail delivery (?:failed|failure|problem|error|system)"
    r"|returned mail|mail returned|failure notice|delivery failure|could not be delivered|couldn't be delivered|"
    r"message (?:not delivered|delivery failed|blocked|rejected|undeliverable)|warning: could not send|"
    r"delayed mail|delivery delayed|unable to deliver|rejected:|bounced?\b|address not found|failed delivery|"
    r"mail failure|error sending|there was an error|delivery notification|non ?deliverable|delivery report|"
    r"mail system error|could not send|message failure|"
    r"unzustellbar|nicht zustellbar|zustellung (?:fehlgeschlagen|verzögert)|unzustellbare|non remis|non distribu"
    r"|échec de (?:la )?(?:remise|distribution)|impossible de remettre|no se puede entregar|no entregado|"
    r"error de entrega|devuelto|non recapitabile|mancato recapito|impossibile recapitare|onbestelbaar|niet bezorgd"
    r"|onbezorgbaar|não entregue|não foi possível entregar|falha na entrega|nao entregue|entrega falhou",
    re.I,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|wg|tr|rv|enc|i|doorst|vs|vl|pd|trs)\s*:", re.I)
_BODY_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("qmail", re.compile(r"this is the qmail-send program", re.I)),
    ("exim", re.compile(r"this message was created automatically by mail delivery software", re.I)),
    (
        "exchange",
        re.compile(
            r"delivery has failed to these recipients|your message to .{1,200} couldn't be delivered|"
            r"the following recipient\(s\) (?:cannot|could not) be reached|delivery to the following recipients? "
            r"failed|diagnostic information for administrators|generating server:|remote server returned|"
            r"die zustellung an folgende empfänger oder gruppen ist fehlgeschlagen|"
            r"la remise aux destinataires ou groupes suivants a échoué|"
            r"error en la entrega a estos destinatarios o grupos|recapito non riuscito per i destinatari|"
            r"de bezorging aan deze geadresseerden of groepen is mislukt|"
            r"falha na entrega para estes destinatários ou grupos",
            re.I,
        ),
    ),
    (
        "postfix-text",
        re.compile(r"this is the mail system at host|i'm sorry to have to inform you that your message", re.I),
    ),
    (
        "heuristic",
        re.compile(
            r"delivery to the following recipients? failed|unable to deliver (?:your|the) message|"
            r"could not be delivered to (?:one or more|the following)|the following addresses had permanent fatal"
            r"|transcript of session follows|sorry, we were unable to deliver your message|"
            r"message (?:wasn't|was not|could not be|couldn't be|cannot be) delivered|"
            r"there was a problem delivering your message|"
            r"i wasn't able to deliver|permanent error|delivery (?:has )?failed|undeliverable|"
            r"the following address\(es\) failed|failed after i sent the message|remote host said|"
            r"is undeliverable|address not found|delivery status notification|delivery of (?:your|the) message"
            r" (?:has been delayed|failed)|could not deliver|will retry|message delivery failed|returned to sender"
            r"|unable to deliver message to the following|did not reach the following recipient|we had trouble"
            r" delivering|was not delivered to|could not be delivered to|i'm not going to try again|rejected recipient"
            r"|error delivering your mail|could not deliver mail|returned permanent errors"
            r"|unzustellbar|konnte nicht zugestellt|n'a pas pu être (?:remis|distribué)|no (?:se )?(?:ha )?pud[oe]"
            r" (?:ser )?entrega|non è stato possibile recapitare|kon niet worden bezorgd|não (?:pôde|pode|foi possível)"
            r" ser entregue",
            re.I,
        ),
    ),
)
_AUTO_REPLY_WORDS = re.compile(
    r"out of (?:the )?office|vacation|on holiday|on leave|away from (?:the )?office|i am (?:currently )?away|"
    r"i'm (?:currently )?away|automatic reply|auto-?reply|abwesen|urlaub|außer haus|absence|absent|congé|"
    r"vacances|ausente|vacaciones|fuera de la oficina|fuori (?:sede|ufficio)|ferie|assente|afwezig|vakantie|"
    r"ausente|férias|fora do escritório|respuesta automática|risposta automatica|réponse automatique|"
    r"automatisch antwoord|resposta automática|automatische antwort",
    re.I,
)
_MS_NDR = "x-ms-exchange-message-is-ndr"


def _is_daemon(mail: ParsedMail) -> bool:
    address = mail.from_address or ""
    local = address.split("@", 1)[0]
    return_path = (mail.header("return-path") or "").strip()
    return (
        bool(_DAEMON_LOCAL.match(local))
        or bool(_DAEMON_NAME.search(mail.from_name or ""))
        or (return_path in ("<>", "") and "return-path" in mail.headers)
        or not address
    )


def _structural(mail: ParsedMail) -> str | None:
    """The delivery-status text when the message is an RFC 3464 report (or carries its part), else None."""
    for part in mail.parts:
        if part.content_type in ("message/delivery-status", "message/global-delivery-status"):
            return part.text
    if mail.content_type == "multipart/report" and (mail.report_type or "").lower() == "delivery-status":
        return ""
    return None


def _signature(text: str) -> str | None:
    for name, pattern in _BODY_SIGNATURES:
        if pattern.search(text):
            return name
    return None


def read_bounce(mail: ParsedMail) -> Bounce | None:
    """The delivery report in `mail`, or None when `mail` is not one."""
    try:
        bounce = _read_bounce(mail)
    except Exception:  # pragma: no cover - a classifier must never take the pipeline down
        return None
    return _google_groups(bounce) if bounce is not None else None


def _google_groups(bounce: Bounce) -> Bounce:
    """Google Groups' notice (any language, no status): the group may not exist or we may not post to it. That is
    not a proof the address is gone, so policy rather than hard or soft."""
    recipients = tuple(
        replace(r, verdict="policy") if r.status is None and (r.address or "").endswith("@googlegroups.com") else r
        for r in bounce.recipients
    )
    return replace(bounce, recipients=recipients)


def _read_bounce(mail: ParsedMail) -> Bounce | None:
    report_type = (mail.report_type or "").lower()
    if report_type in ("feedback-report", "disposition-notification"):
        return None
    status_text = _structural(mail)
    if status_text is None:
        return _read_text_bounce(mail)
    per_message, blocks = _dsn_blocks(status_text)
    if not blocks:
        # A report whose delivery-status part the parser could not give us: the fields may be in the text.
        per_message, blocks = _dsn_blocks("\n".join(p.text for p in mail.parts) or mail.text)
    if not blocks:
        text_bounce = _read_text_bounce(mail, structural=True)
        if text_bounce is not None:
            return text_bounce
    recipients = [_recipient_from_fields(b) for b in blocks]
    recipients = [r for r in recipients if r.action not in ("delivered", "relayed", "expanded")]
    if not blocks:
        recipients = [_fallback_recipient(mail)]
    recipients = _fill_addresses(mail, recipients)
    human = _human_text(mail)
    recipients = [_with_report_words(r, human) for r in recipients]
    reporting = _typed_value(per_message.get("reporting-mta", "")) or None
    original = _original_message_id(mail)
    if original is None and "@" in per_message.get("x-original-message-id", ""):
        original = _message_ids(f"Message-ID: {per_message['x-original-message-id']}")[0]  # Gmail's own field
    return Bounce(tuple(recipients), original, reporting, "rfc3464")


def _fill_addresses(mail: ParsedMail, recipients: list[BouncedRecipient]) -> list[BouncedRecipient]:
    """Recipients the report leaves unnamed get X-Failed-Recipients or the original's To, when there is one."""
    if all(r.address for r in recipients):
        return recipients
    known = _failed_recipients_header(mail) or _original_recipients(mail)
    if len(known) != 1:
        return recipients
    return [r if r.address else _replace_address(r, known[0]) for r in recipients]


def _replace_address(recipient: BouncedRecipient, address: str) -> BouncedRecipient:
    r = recipient
    return BouncedRecipient(address, r.action, r.status, r.code, r.diagnostic, r.remote_mta, r.verdict)


def _failed_recipients_header(mail: ParsedMail) -> list[str]:
    values = mail.headers.get("x-failed-recipients", ())
    return list(dict.fromkeys(a.lower() for v in values for a in _ADDRESS.findall(v)))


def _fallback_recipient(mail: ParsedMail) -> BouncedRecipient:
    diagnostic = _one_line(_human_text(mail))
    status, code = find_status(diagnostic), find_code(diagnostic)
    return BouncedRecipient(None, "failed", status, code, diagnostic, None, verdict_for(status, code, diagnostic))


def _human_text(mail: ParsedMail) -> str:
    """The report's own words: its readable parts before the returned message, cut at any inline copy of it."""
    texts: list[str] = []
    for part in mail.parts:
        if part.content_type.startswith(("message/rfc822", "message/global", "text/rfc822-headers")):
            break
        if part.content_type.startswith("text/plain") or (part.content_type.startswith("text/html") and not texts):
            texts.append(part.text)
    text = "\n\n".join(t for t in texts if t.strip()) or mail.text
    marker = _ORIGINAL_MARKERS.search(text)
    return text[: marker.start()] if marker else text


# ---------------------------------------------------------------------------------------------------------------
# The text formats (qmail, Exim, Exchange without a delivery-status part, Postfix/Sendmail text, Gmail, Yahoo)


def _looks_like_text_bounce(mail: ParsedMail, text: str) -> str | None:
    """The text format of a report from a mail system (not a person, not an auto-reply), or None."""
    subject = mail.subject or ""
    ndr_header = _MS_NDR in mail.headers
    failed_header = "x-failed-recipients" in mail.headers
    if not (_is_daemon(mail) or ndr_header):
        return None
    if _FORWARD_SUBJECT.match(subject) and not (ndr_header or failed_header):
        return None  # someone forwarding a report by hand
    head = text[:20000]
    signature = _signature(head)
    bounce_subject = bool(_BOUNCE_SUBJECT.search(subject))
    strong = signature not in (None, "heuristic") or ndr_header or failed_header
    if strong:
        return signature or ("exchange" if ndr_header else "heuristic")
    if _AUTO_REPLY_WORDS.search(subject) or _AUTO_REPLY_WORDS.search(text[:3000]):
        return None
    if not bounce_subject and ("list-id" in mail.headers or "list-unsubscribe" in mail.headers):
        return None
    coded = bool(find_status(head) or find_code(head))
    cause = any(p.search(head) for p in (HARD, FULL, STRONG_POLICY, DOMAIN_GONE))
    if signature or bounce_subject:
        return "heuristic" if coded or cause or _FAILURE_WORDS.search(head) else None  # not a subject alone
    return "heuristic" if coded and cause else None  # a mail system quoting a server's refusal


_FAILURE_WORDS = re.compile(
    r"fail|error|problem|delay|undeliver|not delivered|could not|couldn't|unable|rejected|returned", re.I
)


def _read_text_bounce(mail: ParsedMail, *, structural: bool = False) -> Bounce | None:
    body = _human_text(mail)
    full = body if len(body) >= len(mail.text) else mail.text
    kind = _looks_like_text_bounce(mail, full)
    if kind is None:
        if not structural:
            return None
        kind = "heuristic"
    recipients = _text_recipients(mail, body, kind)
    return Bounce(tuple(recipients), _original_message_id(mail), _text_reporting_mta(mail, full), kind)


_DELAY_SUBJECT = re.compile(
    r"delayed|delay\)|\(delay|warning: message|still being retried|not yet delivered|verzögert|retardé|retrasad"
    r"|ritardat|vertraagd|atrasad",
    re.I,
)
_DELAY_BODY = re.compile(
    r"this is a warning only|has not yet been delivered|not been delivered yet|will (?:continue to )?retry|"
    r"still (?:trying|being retried)|delivery attempts will continue|will be retried until",
    re.I,
)
_GAVE_UP = re.compile(
    r"permanent(?:ly)? (?:error|fail)|fatal error|gave up|given up|giving up|has expired|expired", re.I
)
_QMAIL_RCPT = re.compile(r"^<([^<>\s]+@[^<>\s]+)>:\s*\n((?:(?!<[^<>\s]+@[^<>\s]+>:).+\n?)*)", re.M)
_POSTFIX_RCPT = re.compile(r"^\s*<?([^<>\s:]+@[^<>\s:]+?)>?(?:\s*\([^)]*\))?:[ \t]*(\S.*(?:\n[ \t]+\S.*)*)", re.M)
_EXIM_RCPT = re.compile(r"^ {2}([^\s<>]+@[^\s<>]+)\s*\n((?:(?: {4,}|\t).*\n?)*)", re.M)
_SENDMAIL_RCPT = re.compile(r"^\s*<?([^\s<>]+@[^\s<>]+?)>?\s*\n\s*\(reason: (.+?)\)?\s*$", re.M)
_EXCHANGE_RETURNED = re.compile(
    r"remote server returned '([^']+)'|<[^>]*#\s*([45]\.\d\.\d+[^>]*)>|^\s*#\s*([245]\d\d[ -][245]\.\d\.\d+[^#\n]*)",
    re.I | re.M,
)
_GENERATING = re.compile(r"generating server:\s*(\S+)|this is the mail system at host\s+([\w.-]+)", re.I)


def _text_reporting_mta(mail: ParsedMail, text: str) -> str | None:
    match = _GENERATING.search(text)
    if match:
        return (match.group(1) or match.group(2) or "").rstrip(".") or None
    if mail.from_address and "@" in mail.from_address and _is_daemon(mail):
        return mail.from_address.split("@", 1)[1]
    return None


def _text_recipients(mail: ParsedMail, body: str, kind: str) -> list[BouncedRecipient]:
    action = "delayed" if _DELAY_SUBJECT.search(mail.subject) or _DELAY_BODY.search(body) else "failed"
    if _GAVE_UP.search(body):
        action = "failed"
    found: dict[str, str] = {}
    for pattern in (_QMAIL_RCPT, _SENDMAIL_RCPT, _EXIM_RCPT, _POSTFIX_RCPT):
        for match in pattern.finditer(body):
            address = match.group(1).lower().strip(".")
            if _ADDRESS.fullmatch(address) and address not in found and not _ours(mail, address):
                found[address] = match.group(2)
        if found:
            break
    if not found:
        for address in (
            _failed_recipients_header(mail) or _addresses_in(mail, body)[:1] or _original_recipients(mail)[:1]
        ):
            found[address] = _context(body, address) or body
    causes = (HARD, FULL, STRONG_POLICY, DOMAIN_GONE, WEAK_POLICY)
    recipients = []
    for address, found_words in (found or {None: body}).items():  # type: ignore[dict-item]
        raw = found_words or body
        if kind == "exchange" and _EXCHANGE_RETURNED.search(body):
            raw = _exchange_diagnostic(body, address) or raw
        elif not (find_status(raw) or find_code(raw)):
            raw = (_context(body, address) if address else "") or raw
        if len(found) <= 1 and not (find_status(raw) or find_code(raw) or any(p.search(raw) for p in causes)):
            raw = body  # one recipient and nothing said next to it: the whole report speaks of it
        status, code, diagnostic = find_status(raw), find_code(raw), _one_line(raw)
        verdict = verdict_for(status, code, diagnostic, action)
        recipients.append(BouncedRecipient(address, action, status, code, diagnostic, _remote_in(raw), verdict))
    return recipients


def _exchange_diagnostic(body: str, address: str | None) -> str:
    """The server's reply Exchange quotes for `address` under "Diagnostic information for administrators"."""
    lower = body.lower()
    start = lower.find("diagnostic information for administrators")
    start = max(start, 0)
    if address:
        at = lower.find(address, start)
        start = at if at >= 0 else start
    match = _EXCHANGE_RETURNED.search(body, start) or _EXCHANGE_RETURNED.search(body)
    return _one_line(next((g for g in match.groups() if g), "") if match else "")


def _ours(mail: ParsedMail, address: str) -> bool:
    return address == mail.from_address or address in mail.to_addresses


def _addresses_in(mail: ParsedMail, body: str) -> list[str]:
    """Addresses the report's own words name, ours and the daemon's left out, in order."""
    seen = [a.lower().strip(".") for a in _ADDRESS.findall(body)]
    return list(dict.fromkeys(a for a in seen if not _ours(mail, a) and not _DAEMON_LOCAL.match(a.split("@")[0])))[:5]


_RCPT_LINE = re.compile(r"^\s*<?[^\s<>@]+@[^\s<>]+?>?:?\s*(?:\(.*\))?\s*$")


def _context(body: str, address: str) -> str:
    """What the report says about `address`: the lines after a mention that carry a reply code or status, else
    the ones that name a cause, else the lines after its first mention; "" when the report never names it."""
    lines = body.splitlines()
    windows = [_window(lines, i, address) for i, line in enumerate(lines) if address in line.lower()]
    coded = [w for w in windows if find_status(w) or find_code(w)]
    causes = (HARD, FULL, STRONG_POLICY, DOMAIN_GONE, WEAK_POLICY)
    telling = [w for w in windows if any(p.search(w) for p in causes)]
    both = [w for w in coded if w in telling]
    return (both or coded or telling or windows or [""])[0]


def _window(lines: list[str], start: int, address: str) -> str:
    """The mention's line and the few after it, up to the next recipient or a gap of blank lines."""
    taken, blanks = [lines[start].strip()], 0
    for line in lines[start + 1 : start + 12]:
        if not line.strip():
            blanks += 1
            if blanks >= 3 or taken[-1] == "":
                break
            taken.append("")
            continue
        if (_RCPT_LINE.match(line) and address not in line.lower()) or _other_recipient_leads(line, address):
            break
        if _RETURNED_HEADER.match(line):
            break  # the returned message's own headers are no diagnostic
        taken.append(line.strip())
    return "\n".join(t for t in taken if t)


_RETURNED_HEADER = re.compile(
    r"^(?:message-id|mime-version|content-type|content-transfer-encoding|received|return-path|dkim-signature"
    r"|x-[\w-]+):[ \t]",
    re.I,
)
_RCPT_LEAD = re.compile(r"^\s*<?([^\s<>@]+@[\w-]+(?:\.[\w-]+)+)>?(?::|\.\.\.|,|\s)")


def _other_recipient_leads(line: str, address: str) -> bool:
    """A line that opens with another recipient ("other@h.example: 552 ...") starts that recipient's words."""
    match = _RCPT_LEAD.match(line)
    return match is not None and match.group(1).lower() != address


def _with_report_words(recipient: BouncedRecipient, human: str) -> BouncedRecipient:
    """A DSN recipient without a usable Diagnostic-Code read again with the report's own words about it."""
    r = recipient
    telling = r.diagnostic and (
        any(p.search(r.diagnostic) for p in (HARD, FULL, STRONG_POLICY, WEAK_POLICY)) or BARE_REJECT.match(r.diagnostic)
    )
    generic = r.status is None or r.status.endswith(".0.0")
    if not r.address or (r.diagnostic and (telling or not generic)):
        return r
    raw = _context(human, r.address)
    words = _one_line(raw)
    if not words:
        return r
    combined = f"{r.diagnostic} {words}".strip()
    status = r.status
    quoted = find_status(raw)
    if quoted and (status is None or (status.endswith(".0.0") and quoted[0] == status[0])):
        status = quoted
    code = r.code or find_code(raw)
    verdict = verdict_for(status, code, combined, r.action)
    return BouncedRecipient(r.address, r.action, status, code, r.diagnostic or words, r.remote_mta, verdict)


_REMOTE = re.compile(r"(?:host|server)\s+([\w-]+(?:\.[\w-]+)+)(?:\[|\s|$)", re.I)


def _remote_in(text: str) -> str | None:
    match = _REMOTE.search(text)
    return match.group(1).lower() if match else None
