"""Header names to prospect fields, with the aliases met in real exports (../shared/samples/csv/column_aliases.md).

Matching ignores case, accents, spaces and punctuation: "E-mail", "e_mail" and "EMAIL" are one alias. Besides the
ProspectFields names, two pseudo-fields are split by the row parser: `full_name` (-> first/last name) and `location`
(-> city/region/country). Headers that match nothing are ignored and listed in `ColumnMap.unknown`; when several
columns map to the same field, each row takes the first non-empty one, left to right.

A file must have an identity column: email, LinkedIn URL, or a name (first, last or full) plus a company; otherwise
it is refused whole (CsvFormatError `no_identity_column`), because none of its rows could be deduplicated or mailed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from shared.domain.csv_import.errors import CsvFormatError
from shared.domain.normalize import fold

FULL_NAME = "full_name"
LOCATION = "location"

_ALIASES = {
    "first_name": "first_name; first name; firstname; first; given name; forename; vorname; prénom; nombre; nome;"
    " voornaam",
    "last_name": "last_name; last name; lastname; last; surname; family name; nachname; familienname; nom;"
    " apellido; apellidos; cognome; achternaam",
    FULL_NAME: "full_name; full name; name; contact name; contact; contact person; person name; lead name;"
    " ansprechpartner; nom complet; nombre completo",
    "job_title": "job_title; title; job title; position; headline; role; job; job position; current title;"
    " designation; occupation; funktion; berufsbezeichnung; poste; cargo; ruolo",
    "company_name": "company_name; company; company name; hotel; property; hotel name; hotel_name; organization;"
    " organisation; organization name; account; account name; business name; employer; current company; firma;"
    " unternehmen; société; entreprise; empresa; azienda",
    "property_name": "property_name; property name",
    "property_type": "property_type; property type; hotel type; accommodation type",
    "rooms": "rooms; number of rooms; no of rooms; num rooms; room count; rooms count; total rooms; # rooms; keys;"
    " zimmer; anzahl zimmer; chambres; habitaciones; camere",
    "website": "company_website; website; company website; company.website; domain; company domain; url; web;"
    " web site; website url; company url; homepage; hotel website; webseite; site web; sitio web; sito web",
    "email": "email; e-mail; e_mail; email address; e-mail address; most_probable_email; email 1; email1;"
    " work email; business email; professional email; primary email; contact email; mail; e-mail-adresse;"
    " courriel; correo; correo electrónico",
    "email_status": "email_status; email status; email verification; email verification status; verification status",
    "linkedin_url": "linkedin_profile_url; linkedin url; linkedin; profile url; sales_navigator_profile_url;"
    " sales navigator url; linkedin profile; linkedin profile url; person linkedin url; linkedin link; li url",
    LOCATION: "location; company location; person location; standort; localisation; ubicación",
    "city": "city; town; company city; person city; locality; stadt; ort; ville; ciudad; città",
    "region": "region; state; province; state/region; state/province; state or province; county; company state;"
    " person state; bundesland; région; provincia; regione; estado; prefecture",
    "country": "country; country code; country name; company country; person country; land; pays; país; paese",
    "phone": "phone; phone number; telephone; tel; mobile; mobile phone; cell; work phone; direct phone;"
    " work direct phone; corporate phone; company phone; office phone; phone 1; telefon; téléphone; teléfono;"
    " telefono",
    "timezone": "timezone; time zone; tz",
    "tags": "tags; tag; labels; label",
    "notes": "notes; note; comments; comment; description; remarks; notizen; bemerkungen; remarques",
    "lead_source": "lead_source; lead source; source; lead origin",
}

_NOT_ALNUM = re.compile(r"[\W_]+")


def header_key(name: str) -> str:
    """'E-Mail Address' -> 'emailaddress', 'company.website' -> 'companywebsite'."""
    return _NOT_ALNUM.sub("", fold(name))


@cache
def aliases() -> dict[str, str]:
    """Alias key -> canonical field."""
    table: dict[str, str] = {}
    for field, names in _ALIASES.items():
        for name in names.split(";"):
            key = header_key(name)
            if key in table and table[key] != field:
                raise AssertionError(f"header alias {name!r} maps to {table[key]} and {field}")
            table[key] = field
    return table


@dataclass(frozen=True, slots=True)
class ColumnMap:
    headers: tuple[str, ...]
    fields: tuple[str | None, ...]  # canonical field per column, None for ignored columns
    unknown: tuple[str, ...]  # non-empty headers that map to nothing, in file order

    def columns_for(self, field: str) -> list[int]:
        return [i for i, mapped in enumerate(self.fields) if mapped == field]

    @property
    def mapped(self) -> dict[str, tuple[int, ...]]:
        """Canonical field -> its column indexes, left to right."""
        out: dict[str, list[int]] = {}
        for i, field in enumerate(self.fields):
            if field is not None:
                out.setdefault(field, []).append(i)
        return {field: tuple(indexes) for field, indexes in out.items()}

    def header_for(self, field: str) -> str:
        """The header text of the first column mapped to `field` (for messages)."""
        for header, mapped in zip(self.headers, self.fields, strict=True):
            if mapped == field:
                return header
        return field


def map_headers(headers: Sequence[str]) -> ColumnMap:
    table = aliases()
    cleaned = tuple(header.strip().lstrip("\ufeff").strip() for header in headers)
    fields = tuple(table.get(header_key(header)) if header else None for header in cleaned)
    unknown = tuple(header for header, field in zip(cleaned, fields, strict=True) if header and field is None)
    present = set(fields)
    has_name = bool(present & {"first_name", "last_name", FULL_NAME})
    has_company = bool(present & {"company_name", "property_name"})
    if not (present & {"email", "linkedin_url"} or (has_name and has_company)):
        shown = ", ".join(repr(h) for h in cleaned if h)[:300] or "none"
        raise CsvFormatError(
            "The header row has no column we can identify prospects by: we need an email, a LinkedIn URL, or a"
            f" name and a company. Headers found: {shown}.",
            code="no_identity_column",
        )
    return ColumnMap(cleaned, fields, unknown)
