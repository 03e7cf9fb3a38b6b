"""Suppressions: who must never be mailed, by address, by domain or by person (a prospect id), and why.

Values are stored normalised, so one rule holds whoever wrote them (the API, a CSV import, the unsubscribe page, a
bounce): an address lower-cased with its domain in IDNA (`Anna@Bücher.example` -> `anna@xn--bcher-kva.example`); a
domain as the user gave it (a URL, `@domain` or `www.` in front are read past), lower-cased, IDNA, at least two
labels; a person as its prospect id. A domain covers its subdomains: `hotel.example` forbids `a@mail.hotel.example`
(`domains_for` lists the domains an address falls under, which the check looks up in one statement).

Reasons: every reason may be added through the API (an unsubscribe or complaint received by phone or from a
provider's feedback loop is recorded as such), each row saying its source and who added it. An unsubscribe or a
complaint is a person's objection: removing one needs an explicit override, which is logged with who (`needs_override`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.domain.errors import ValidationFailed
from shared.domain.normalize import clean_line, normalize_email

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PROSPECT_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_DOMAIN = 253
MAX_NOTE = 500


class SuppressionKind(StrEnum):
    EMAIL = "email"
    DOMAIN = "domain"
    PERSON = "person"


class SuppressionReason(StrEnum):
    UNSUBSCRIBE = "unsubscribe"
    HARD_BOUNCE = "hard_bounce"
    COMPLAINT = "complaint"
    MANUAL = "manual"
    POLICY = "policy"
    IMPORT = "import"


PROTECTED_REASONS = frozenset({SuppressionReason.UNSUBSCRIBE, SuppressionReason.COMPLAINT})


def needs_override(reason: SuppressionReason | str) -> bool:
    """Whether removing a suppression with this reason needs `override=True` (a person objected)."""
    return reason in PROTECTED_REASONS


class Suppression(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    kind: SuppressionKind
    value: str = Field(description="the normalised address, domain, or prospect id")
    reason: SuppressionReason
    source: str | None = Field(default=None, description="where it came from: one-click, an API key, a CSV file...")
    note: str | None = None
    created_by: str | None = Field(default=None, description="the API key id, or a component (system, send)")
    created_at: datetime

    @property
    def protected(self) -> bool:
        return needs_override(self.reason)


def normalize_address(value: object) -> str:
    """An address as stored: lower-cased, its domain in IDNA. ValidationFailed when it is not an address."""
    address = normalize_email(value)
    if address is None:
        raise ValidationFailed(f"{_shown(value)} is not an email address")
    return address


def normalize_domain_value(value: object) -> str:
    """A domain as stored: `https://www.Hotel.example/x`, `@hotel.example` and `HOTEL.example.` all give
    `hotel.example`. ValidationFailed for an address, an IP address, a single label or an invalid label."""
    text = clean_line(value) if isinstance(value, str) else ""
    if "@" in text.lstrip("@"):
        raise ValidationFailed(f"{_shown(value)} is an address: suppress it with kind 'email'")
    text = text.lstrip("@").strip()
    if "://" in text:
        text = text.split("://", 1)[1]
    host = re.split(r"[/?#:]", text, maxsplit=1)[0].strip().rstrip(".").lower().removeprefix("www.")
    try:
        host = host.encode("idna").decode("ascii").lower() if host else ""
    except UnicodeError:
        host = ""
    labels = host.split(".")
    if len(labels) < 2 or len(host) > MAX_DOMAIN or not all(_LABEL.match(label) for label in labels):
        raise ValidationFailed(f"{_shown(value)} is not a domain name")
    if labels[-1].isdigit():
        raise ValidationFailed(f"{_shown(value)} is an IP address, not a domain name")
    return host


def normalize_person(value: object) -> str:
    """A prospect id (32 hexadecimal characters)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _PROSPECT_ID.match(text):
        raise ValidationFailed(f"{_shown(value)} is not a prospect id")
    return text


def normalize_value(kind: SuppressionKind, value: object) -> str:
    if kind is SuppressionKind.EMAIL:
        return normalize_address(value)
    if kind is SuppressionKind.DOMAIN:
        return normalize_domain_value(value)
    return normalize_person(value)


def domains_for(address: str) -> list[str]:
    """The domains a (normalised) address falls under: its own, then each parent of at least two labels."""
    domain = address.rpartition("@")[2]
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(max(len(labels) - 1, 1))]


def mask_address(address: str) -> str:
    """What a page may show of an address: its first character and its domain (`a***@hotel.example`)."""
    local, at, domain = address.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


# -- what an unsubscribe reads and writes (the repository's batch, the service's ids and times) ---------------


@dataclass(frozen=True, slots=True)
class UnsubscribeTarget:
    email_id: str
    prospect_id: str
    address: str
    campaign_id: str | None
    already: bool  # this email's unsubscribe was recorded before


@dataclass(frozen=True, slots=True)
class UnsubscribeWrite:
    """The rows the unsubscribe batch writes; ids and times come from the service (clock, ids)."""

    target: UnsubscribeTarget
    address_rule: Suppression
    person_rule: Suppression
    activity_id: str
    event_id: str
    source: str
    at: datetime


@dataclass(frozen=True, slots=True)
class UnsubscribeChanges:
    stopped: int
    cancelled: list[tuple[str, str | None, str | None]]  # (email id, inbox id, reservation token)
    recorded: bool  # the event (and the activity) were added now


def _shown(value: object) -> str:
    """The value as an error message quotes it: one line, at most 80 characters, in single quotes."""
    text = clean_line(value) if isinstance(value, str) else str(value)
    return f"'{text[:80]}'"


class SuppressionCreate(BaseModel):
    """`POST /api/suppressions`: what to suppress, why, and a note. The service normalises the value for its kind
    (`normalize_value`; ValidationFailed, a 422 with the reason, when it cannot)."""

    model_config = ConfigDict(extra="forbid")

    kind: SuppressionKind
    value: Annotated[
        str,
        Field(
            min_length=1, max_length=320, description="an address, a domain (covers its subdomains), or a prospect id",
            examples=["anna@hotel-sonnenhof.example"],
        ),
    ]  # fmt: skip
    reason: SuppressionReason = SuppressionReason.MANUAL
    note: Annotated[str, Field(max_length=MAX_NOTE)] | None = None

    @field_validator("note", mode="before")
    @classmethod
    def _clean_note(cls, value: object) -> object:
        return (clean_line(value) or None) if isinstance(value, str) else value


# -- CSV import of a suppression list ----------------------------------------------------------------------------

_EMAIL_HEADERS = frozenset({"email", "emailaddress", "mail", "address", "emails", "recipient", "emailaddresses"})
_DOMAIN_HEADERS = frozenset({"domain", "domainname", "domains", "website", "emaildomain"})
_REASON_HEADERS = frozenset({"reason", "suppressionreason", "type"})
_NOTE_HEADERS = frozenset({"note", "notes", "comment", "comments"})


@dataclass(frozen=True, slots=True)
class CsvSuppression:
    row: int  # as a spreadsheet shows it (the header is row 1)
    kind: SuppressionKind
    value: str
    reason: SuppressionReason
    note: str | None


@dataclass(frozen=True, slots=True)
class CsvProblem:
    row: int
    value: str
    error: str


@dataclass
class CsvColumns:
    email: int | None = None
    domain: int | None = None
    reason: int | None = None
    note: int | None = None
    header: bool = True


def _columns(first: list[str]) -> CsvColumns:
    from shared.domain.csv_import.headers import header_key

    columns = CsvColumns()
    for index, name in enumerate(first):
        key = header_key(name)
        if key in _EMAIL_HEADERS and columns.email is None:
            columns.email = index
        elif key in _DOMAIN_HEADERS and columns.domain is None:
            columns.domain = index
        elif key in _REASON_HEADERS and columns.reason is None:
            columns.reason = index
        elif key in _NOTE_HEADERS and columns.note is None:
            columns.note = index
    if columns.email is None and columns.domain is None:
        # No header: a plain list of addresses or domains, one a line (its first column) - if it starts with one.
        if first and _looks_like_a_value(first[0]):
            return CsvColumns(email=0, header=False)
        from shared.domain.csv_import.errors import CsvFormatError

        raise CsvFormatError(
            "a suppression list needs a column email or domain (or one address or domain a line)",
            code="no_identity_column",
        )
    return columns


def _looks_like_a_value(cell: str) -> bool:
    try:
        normalize_value(SuppressionKind.EMAIL if "@" in cell.strip().lstrip("@") else SuppressionKind.DOMAIN, cell)
    except ValidationFailed:
        return False
    return True


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _row(cells: list[str], row: int, columns: CsvColumns) -> CsvSuppression | CsvProblem | None:
    email, domain = _cell(cells, columns.email), _cell(cells, columns.domain)
    value = email or domain
    if not value:
        return None  # a blank line, or a row with neither column filled
    headerless_domain = not columns.header and "@" not in value.lstrip("@")
    kind = SuppressionKind.EMAIL if email and not headerless_domain else SuppressionKind.DOMAIN
    raw_reason = _cell(cells, columns.reason).lower().replace(" ", "_").replace("-", "_")
    try:
        reason = SuppressionReason(raw_reason) if raw_reason else SuppressionReason.IMPORT
    except ValueError:
        known = ", ".join(r.value for r in SuppressionReason)
        return CsvProblem(row, clean_line(value)[:320], f"unknown reason {clean_line(raw_reason)[:40]!r} ({known})")
    try:
        normalised = normalize_value(kind, value)
    except ValidationFailed as exc:
        return CsvProblem(row, clean_line(value)[:320], str(exc))
    note = clean_line(_cell(cells, columns.note))[:MAX_NOTE] or None
    return CsvSuppression(row, kind, normalised, reason, note)


def read_suppression_csv(data: bytes) -> tuple[list[CsvSuppression], list[CsvProblem]]:
    """The rows of a suppression list: a column `email` or `domain` (aliases: e-mail, email address, website...),
    optional `reason` (default import) and `note`; or no header at all, one address or domain a line. Encodings
    and delimiters as the prospect import reads them; CsvFormatError for a file that cannot be read."""
    import csv

    from shared.domain.csv_import.decoding import decode_csv
    from shared.domain.csv_import.dialect import detect_dialect
    from shared.domain.csv_import.errors import CsvFormatError

    text = decode_csv(data).lstrip("\ufeff")
    if not text.strip():
        raise CsvFormatError("the CSV file is empty", code="empty_file")
    dialect = detect_dialect(text[:16384])
    reader = csv.reader(text.splitlines(keepends=True)[dialect.preamble_lines :], delimiter=dialect.delimiter)
    rows: list[CsvSuppression] = []
    problems: list[CsvProblem] = []
    columns: CsvColumns | None = None
    try:
        for cells in reader:
            if columns is None:
                if not any(c.strip() for c in cells):
                    continue
                columns = _columns(cells)
                if columns.header:
                    continue
            parsed = _row(cells, reader.line_num + dialect.preamble_lines, columns)
            if isinstance(parsed, CsvSuppression):
                rows.append(parsed)
            elif parsed is not None:
                problems.append(parsed)
    except csv.Error as exc:
        raise CsvFormatError(f"the CSV cannot be read: {exc}", code="malformed_csv") from exc
    return rows, problems
