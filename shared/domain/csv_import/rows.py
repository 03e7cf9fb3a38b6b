"""One CSV record's cells into a ParsedRow or a RowError: cleaning, splitting, normalising, validating.

Rules, in the order they apply:

* Cells are text. Control characters (and bidi overrides, zero-width spaces, lone surrogates) are removed and runs of
  whitespace become one space (notes keep their line breaks). HTML or script is kept verbatim: it is data, and
  escaping is the renderer's job. A leading `'` that our export (or Excel) put before `=`, `+`, `-` or `@` is removed.
  Placeholders ("n/a", "#N/A", "-", "null", "none"...) count as empty (names only drop the unambiguous ones).
* A cell longer than its field allows (ProspectFields' limits) makes the row a RowError on that field: it means a
  broken file or a column mix-up, and truncating would import corrupt data silently.
* Names: first/last columns win; a full-name column fills whichever is missing (names.split_full_name).
* Email: syntax-checked (emails.check_email). An invalid address is dropped with a warning when the row still has
  another identity (a LinkedIn profile or name + company), else the row is a RowError on `email`. Either way an
  address we cannot send to is never imported as sendable. Role addresses are kept and flagged `email_is_role`.
* LinkedIn: normalised (normalize.normalize_linkedin) and stored as https://www.linkedin.com/in/<slug>; a company page
  is not a person's profile. Invalid ones follow the email rule (field `linkedin_url`).
* Website: http(s) only (a `javascript:` URL is dropped); its domain comes from normalize.normalize_domain.
* Location: city/region/country columns win; a location column fills the rest (locations.split_location); the
  country becomes ISO alpha-2 (geo.country_code) or is dropped with a warning; the timezone is the file's if it looks
  like an IANA name, else inferred (geo.infer_timezone), else left empty.
* Rooms, tags, email status: a value we cannot read is dropped with a warning; the row still imports.
* No identity at all (no valid email, no LinkedIn profile, no name + company) -> RowError.
* Finally the fields go through ProspectFields, so `ParsedRow.fields` is always valid input for create/patch.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from shared.domain import geo
from shared.domain.csv_export import unneutralise
from shared.domain.csv_import.emails import check_email, is_role_address
from shared.domain.csv_import.headers import FULL_NAME, LOCATION, ColumnMap
from shared.domain.csv_import.locations import split_location
from shared.domain.csv_import.names import split_full_name
from shared.domain.csv_import.results import ParsedRow, RowError, RowResult, RowWarning
from shared.domain.normalize import (
    clean_line,
    clean_multiline,
    normalize_company,
    normalize_domain,
    normalize_linkedin,
    person_key_for,
)
from shared.domain.prospects import EmailStatus, ProspectFields

# ProspectFields' max lengths (a unit test keeps them in step), plus the two split columns.
LIMITS: dict[str, int] = {
    "first_name": 200, "last_name": 200, "job_title": 200, "email": 320, "email_status": 50, "phone": 50,
    "linkedin_url": 500, "company_name": 200, "property_name": 200, "property_type": 50, "rooms": 50,
    "website": 500, "city": 200, "region": 200, "country": 200, "timezone": 64, "tags": 2000,
    "lead_source": 100, "notes": 5000, FULL_NAME: 400, LOCATION: 600,
}  # fmt: skip
MAX_TAGS = 50

_PLACEHOLDERS = frozenset({"n/a", "#n/a", "na", "-", "--", "—", "?", "null", "none", "nil", "#value!", "#ref!",
                           "#name?", "not available", "unknown"})  # fmt: skip
_NAME_PLACEHOLDERS = frozenset({"n/a", "#n/a", "-", "--", "—", "?", "#value!", "#ref!", "#name?"})
_NAME_FIELDS = frozenset({"first_name", "last_name", FULL_NAME})
_TIMEZONE = re.compile(r"^(?:UTC|[A-Z][A-Za-z_]+(?:/[A-Za-z0-9_+\-]+){1,2})$")
_ROOMS = re.compile(r"(\d{1,3}(?:[ ,.'\u00a0\u202f]\d{3})+|\d+)(?:[.,]0+)?")
_ROOM_WORDS = re.compile(r"\b(?:rooms?|zimmer|keys|chambres|habitaciones|camere|units|approx\.?|ca\.?|about)\b|[~+]")
_TAG_SPLIT = re.compile(r"[,;|]")
_TAG = re.compile(r"^[\w][\w .:/+-]*$")
_WEBSITE_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
_RISKY_STATUSES = (
    *("risky", "catch-all", "catch all", "catchall", "accept all", "accept_all", "accept-all", "guessed"),
    *("likely to engage", "unverifiable", "role"),
)
_EMAIL_STATUS = {
    **dict.fromkeys(("valid", "verified", "deliverable", "ok", "safe", "good", "valid email"), EmailStatus.VALID),
    **dict.fromkeys(_RISKY_STATUSES, EmailStatus.RISKY),
    **dict.fromkeys(("invalid", "undeliverable", "bad", "invalid email", "do not mail"), EmailStatus.INVALID),
    **dict.fromkeys(("bounced", "bounce", "hard bounce", "hard bounced"), EmailStatus.BOUNCED),
    **dict.fromkeys(("unknown", "unverified", "not verified", "pending"), EmailStatus.UNKNOWN),
}
_SHOWN = 80


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")


def _unneutralise(value: str) -> str:
    """Drop the `'` an export (ours, or Excel) put before `=`, `+`, `-`, `@` (or their full-width forms), the exact
    inverse of the export's rule: "'+49 89 123" -> "+49 89 123", "''=x" -> "'=x"."""
    return unneutralise(value)


def clean_cell(value: str) -> str:
    """The API's single-line rule (normalize.clean_line), then undo spreadsheet formula neutralisation."""
    return unneutralise(clean_line(value))


def clean_note(value: str) -> str:
    """The API's multi-line rule (normalize.clean_multiline: line breaks kept), then undo neutralisation."""
    return _unneutralise(clean_multiline(value))


def parse_rooms(value: str) -> int | None:
    """'120', '1,200', '1.200', '120 rooms', '~80', '120.0' -> int; anything else None."""
    text = _ROOM_WORDS.sub(" ", value.casefold()).strip()
    match = _ROOMS.fullmatch(text)
    if not match:
        return None
    return int(re.sub(r"\D", "", match.group(1)))


def parse_tags(value: str) -> tuple[list[str], list[str]]:
    """(valid tags, refused pieces) from 'VIP, #spa; golf'."""
    tags: list[str] = []
    refused: list[str] = []
    for piece in _TAG_SPLIT.split(value):
        tag = " ".join(piece.split()).lstrip("#").strip().lower()
        if not tag:
            continue
        if len(tag) <= 40 and _TAG.match(tag):
            tags.append(tag)
        else:
            refused.append(piece.strip())
    return tags, refused


class RowBuilder:
    """Builds rows for one file's column map."""

    def __init__(self, columns: ColumnMap) -> None:
        self.columns = columns
        # Per mapped field, once per file: its columns, how its cells are cleaned, its placeholders and length limit.
        self._mapped = [
            (field, indexes, clean_note if field == "notes" else clean_cell,
             _NAME_PLACEHOLDERS if field in _NAME_FIELDS else _PLACEHOLDERS, LIMITS.get(field))
            for field, indexes in columns.mapped.items()
        ]  # fmt: skip

    def build(self, number: int, cells: list[str]) -> RowResult | None:
        """None for a blank row (no non-blank cell at all)."""
        values: dict[str, str] = {}
        for field, indexes, clean, placeholders, limit in self._mapped:
            for index in indexes:
                if index >= len(cells) or not cells[index]:
                    continue
                value = clean(cells[index])
                if not value:
                    continue
                if value.casefold() in placeholders and not (field == "country" and value == "NA"):  # Namibia
                    continue
                if limit is not None and len(value) > limit:
                    return RowError(
                        number,
                        field,
                        f"column {_shown(self.columns.headers[index])}: {len(value):,} characters, more than the"
                        f" {limit:,} allowed",
                    )
                values[field] = value
                break
        if not values and not any(cell.strip() for cell in cells):
            return None
        return self._build(number, values)

    def _header(self, field: str) -> str:
        return _shown(self.columns.header_for(field))

    def _build(self, number: int, values: dict[str, str]) -> RowResult:
        warnings: list[RowWarning] = []
        data: dict[str, Any] = {}
        for field in ("job_title", "phone", "company_name", "property_name", "property_type", "lead_source", "notes"):
            if field in values:
                data[field] = values[field]

        # Names
        first, last = values.get("first_name"), values.get("last_name")
        if FULL_NAME in values and not (first and last):
            split_first, split_last = split_full_name(values[FULL_NAME])
            first, last = first or split_first, last or split_last
        if (first and len(first) > LIMITS["first_name"]) or (last and len(last) > LIMITS["last_name"]):
            return RowError(number, FULL_NAME, f"column {self._header(FULL_NAME)}: the name is too long")
        data["first_name"], data["last_name"] = first, last

        # Email
        email_normalized: str | None = None
        email_problem: str | None = None
        role = False
        if "email" in values:
            check = check_email(values["email"])
            if check.address:
                email_normalized = check.address
                role = is_role_address(check.address)
                data["email"] = check.address
                if check.several:
                    warnings.append(RowWarning("email", f"the cell holds several addresses; kept {check.address}"))
            else:
                email_problem = f"{_shown(values['email'])} is not a valid email address: {check.problem}"

        # LinkedIn
        linkedin_normalized: str | None = None
        linkedin_problem: str | None = None
        if "linkedin_url" in values:
            normalized = normalize_linkedin(values["linkedin_url"])
            if normalized is None:
                linkedin_problem = f"{_shown(values['linkedin_url'])} is not a LinkedIn profile URL"
            elif normalized.startswith("linkedin.com/company/"):
                linkedin_problem = f"{_shown(values['linkedin_url'])} is a company page, not a person's profile"
            else:
                if normalized.startswith("linkedin.com/sales/"):  # drop Sales Navigator's per-search suffix
                    normalized = normalized.split(",", 1)[0]
                linkedin_normalized = normalized
                data["linkedin_url"] = "https://www." + normalized

        # Website and domain
        domain: str | None = None
        if "website" in values:
            website = values["website"]
            other_scheme = "://" in website and not _WEBSITE_SCHEME.match(website)  # javascript://, ftp://...
            domain = None if other_scheme else normalize_domain(website)
            if domain:
                data["website"] = website if _WEBSITE_SCHEME.match(website) else "https://" + website
            else:
                warnings.append(RowWarning("website", f"{_shown(website)} is not a website address; left empty"))

        # Location, country, timezone
        city, region = values.get("city"), values.get("region")
        country: str | None = None
        location = split_location(values[LOCATION]) if LOCATION in values else None
        if "country" in values:
            found = geo.parse_country(values["country"])
            if found:
                country, region = found[0], region or found[1]
            else:
                warnings.append(RowWarning("country", f"{_shown(values['country'])} is not a country we know"))
        if location is not None:
            if location.country and not country and "country" not in values:
                country = location.country
            if location.unrecognised_country and "country" not in values:
                warnings.append(
                    RowWarning("country", f"{_shown(location.unrecognised_country)} is not a country we know")
                )
            if location.ambiguous and not country:
                warnings.append(
                    RowWarning(
                        "country",
                        f"{_shown(location.ambiguous)} could be a country or a state; add a Country column",
                    )
                )
            city, region = city or location.city, region or location.region
        if country is None and region:
            country = geo.countries_for_region(region, city)
        timezone = values.get("timezone")
        if timezone and not _TIMEZONE.match(timezone):
            warnings.append(RowWarning("timezone", f"{_shown(timezone)} is not an IANA time zone name"))
            timezone = None
        timezone = timezone or geo.infer_timezone(city, region, country)
        for field, value in (("city", city), ("region", region)):
            if value and len(value) > LIMITS[field]:
                return RowError(number, LOCATION, f"column {self._header(LOCATION)}: the {field} is too long")
        data.update(city=city, region=region, country=country, timezone=timezone)

        # Rooms, tags, email status
        if "rooms" in values:
            rooms = parse_rooms(values["rooms"])
            if rooms is None or rooms > 100_000:
                warnings.append(RowWarning("rooms", f"{_shown(values['rooms'])} is not a number of rooms"))
            else:
                data["rooms"] = rooms
        if "tags" in values:
            tags, refused = parse_tags(values["tags"])
            if refused:
                shown = ", ".join(_shown(tag) for tag in refused[:5])
                warnings.append(RowWarning("tags", f"not valid tags (letters, digits, space . : / + - only): {shown}"))
            if len(set(tags)) > MAX_TAGS:
                warnings.append(RowWarning("tags", f"more than {MAX_TAGS} tags; kept the first {MAX_TAGS}"))
                tags = list(dict.fromkeys(tags))[:MAX_TAGS]
            data["tags"] = tags or None
        if "email_status" in values:
            status = _EMAIL_STATUS.get(values["email_status"].casefold())
            if status is None:
                warnings.append(
                    RowWarning("email_status", f"{_shown(values['email_status'])} is not an email status we know")
                )
            elif email_normalized:
                data["email_status"] = status

        # Identity
        company = data.get("company_name") or data.get("property_name")
        company_key = normalize_company(company)
        key = person_key_for(company_key, first, last)
        if not (email_normalized or linkedin_normalized or key):
            if email_problem:
                return RowError(number, "email", f"column {self._header('email')}: {email_problem}")
            if linkedin_problem:
                return RowError(number, "linkedin_url", f"column {self._header('linkedin_url')}: {linkedin_problem}")
            return RowError(number, None, "the row has no valid email, no LinkedIn profile, and no name with a company")
        if email_problem:
            warnings.append(RowWarning("email", email_problem + "; left empty"))
        if linkedin_problem:
            warnings.append(RowWarning("linkedin_url", linkedin_problem + "; left empty"))

        try:
            model = ProspectFields.model_validate({k: v for k, v in data.items() if v is not None})
        except ValidationError as error:
            details = error.errors()
            first_error = details[0]
            loc = first_error.get("loc", ())
            bad_field = str(loc[0]) if loc else None
            more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
            return RowError(number, bad_field, f"{bad_field or 'row'}: {first_error.get('msg', 'invalid')}{more}")
        # model_dump(exclude_none=True) without its copy: the values are plain, and the model is dropped here
        fields = {name: value for name, value in model.__dict__.items() if value is not None}
        return ParsedRow(
            row_number=number,
            fields=fields,
            email_normalized=email_normalized,
            linkedin_normalized=linkedin_normalized,
            person_key=key,
            domain=domain,
            email_is_role=role,
            warnings=tuple(warnings),
            hints=_hints(fields, email_normalized, role, linkedin_normalized, (company, first, last), key, company_key),
        )


def _hints(
    fields: dict[str, Any], email: str | None, role: bool, linkedin: str | None, key_inputs: tuple[Any, ...],
    key: str | None, company_key: str | None,
) -> dict[str, tuple[Any, Any]]:  # fmt: skip
    """The keys computed here, for `new_record` not to compute them again (prospect_records.Hints), each with the
    exact value it was computed from; only where validation left that value as it was."""
    hints: dict[str, tuple[Any, Any]] = {}
    if email and fields.get("email") == email:
        hints["email"] = (email, email)
        hints["role"] = (email, role)
    if linkedin and fields.get("linkedin_url") == "https://www." + linkedin:
        hints["linkedin"] = (fields["linkedin_url"], linkedin)
    company = fields.get("company_name") or fields.get("property_name")
    if (company, fields.get("first_name"), fields.get("last_name")) == key_inputs:
        hints["person_key"] = (key_inputs, key)
        if fields.get("company_name") == company:  # the key was the company name's, not the property's
            hints["company"] = (company, company_key)
    return hints
