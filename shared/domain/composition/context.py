"""The facts a template or prompt may use, built from the records alone (never invented, never enriched here).

`build_context(prospect, sender, campaign, site_facts)` gives:

* `prospect`: first_name, last_name, full_name ("first last", else contact_name), contact_name, job_title,
  company_name, property_name, property_type, rooms, city, region, country (English name), country_code,
  website, domain, and what enrichment read on the hotel's own site and stored with its source (prospect_facts:
  site_description, site_location, star_rating, features as "spa, rooftop terrace"); nothing else about the hotel
  is ever given to a template or a prompt;
* `sender` (the inbox): name, email, signature, postal_address;
* `campaign`: name, description (what the campaign offers, in the user's words: the only source a prompt may
  describe the offer from);
* convenience aliases users expect at the top level: first_name, last_name, full_name, company (company_name, else
  property_name), property_name and hotel (property_name, else company_name), city, country, sender_name.

Missing facts are "" (every key is always present), so `{{ prospect.first_name or "there" }}` and
`{% if prospect.city %}` work under StrictUndefined; a bare `{{ prospect.first_name }}` prints nothing when the name
is unknown, which is why the fallback templates guard every fact. `rooms` is the one number: an int, or None when
unknown, and printing None is an "undefined" problem (templates.py), so `{{ prospect.rooms }}` must be guarded.
A misspelt key (`prospect.frist_name`) is refused by `check_template(..., fields=TEMPLATE_FIELDS)`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from shared.domain.geo import country_code, country_name
from shared.domain.normalize import clean_line, clean_multiline, normalize_domain

PROSPECT_FIELDS = (
    *("first_name", "last_name", "full_name", "contact_name", "job_title", "company_name", "property_name"),
    *("property_type", "rooms", "city", "region", "country", "country_code", "website", "domain"),
    *("site_description", "site_location", "star_rating", "features"),
)
SENDER_FIELDS = ("name", "email", "signature", "postal_address")
CAMPAIGN_FIELDS = ("name", "description")
ALIASES = (
    *("first_name", "last_name", "full_name", "company", "property_name", "hotel", "city", "country", "sender_name"),
)
ALLOWED_VARIABLES: frozenset[str] = frozenset({"prospect", "sender", "campaign", *ALIASES})
TEMPLATE_FIELDS: Mapping[str, frozenset[str]] = {
    "prospect": frozenset(PROSPECT_FIELDS),
    "sender": frozenset(SENDER_FIELDS),
    "campaign": frozenset(CAMPAIGN_FIELDS),
}

_MAX_FACT_CHARS = 300
_MAX_BLOCK_CHARS = 2000
# http(s) URLs, www. hosts, e-mail domains and bare domains ("hotel-adlon.de"): validation.py finds links the same way
LINK = re.compile(
    r"(?i:https?://[^\s<>\"'()\[\]]+)"
    r"|(?i:(?<![\w.-])www\.[a-z0-9.-]+[a-z0-9])"
    r"|(?i:(?<=@)[a-z0-9.-]+\.[a-z]{2,24})"
    r"|(?<![\w@.-])(?i:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+)[a-z]{2,24}(?![\w-])"
)


def _text(record: Mapping[str, Any], *keys: str, limit: int = _MAX_FACT_CHARS) -> str:
    """The first non-empty value of `keys`, as one clean line, "" when none."""
    for key in keys:
        value = record.get(key)
        if value is not None and not isinstance(value, bool):
            text = clean_line(str(value))[:limit]
            if text:
                return text
    return ""


def _block(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    return clean_multiline(str(value))[:_MAX_BLOCK_CHARS] if value is not None else ""


def _rooms(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()) or None
    return None


def _prospect(record: Mapping[str, Any]) -> dict[str, Any]:
    first, last, contact = _text(record, "first_name"), _text(record, "last_name"), _text(record, "contact_name")
    raw_country = _text(record, "country_code", "country")
    code = country_code(raw_country) or ""
    website = _text(record, "website")
    return {
        "first_name": first,
        "last_name": last,
        "full_name": " ".join(part for part in (first, last) if part) or contact,
        "contact_name": contact,
        "job_title": _text(record, "job_title"),
        "company_name": _text(record, "company_name"),
        "property_name": _text(record, "property_name"),
        "property_type": _text(record, "property_type"),
        "rooms": _rooms(record.get("rooms")),
        "city": _text(record, "city"),
        "region": _text(record, "region"),
        "country": (country_name(code) if code else None) or _text(record, "country"),
        "country_code": code,
        "website": website,
        "domain": normalize_domain(record.get("domain")) or normalize_domain(website) or "",
    }


def _site(stored: Mapping[str, Any]) -> dict[str, Any]:
    """The stored site facts as context strings ("" when unknown)."""
    stars = stored.get("star_rating")
    features = stored.get("features")
    listed = [clean_line(str(f)) for f in features if str(f).strip()] if isinstance(features, list) else []
    return {
        "site_description": _text(stored, "description"),
        "site_location": _text(stored, "location"),
        "star_rating": str(stars) if isinstance(stars, int) and not isinstance(stars, bool) and 1 <= stars <= 5 else "",
        "features": ", ".join(listed[:8])[:_MAX_FACT_CHARS],
    }


def _record(value: Mapping[str, Any] | object) -> Mapping[str, Any]:
    """A row as a mapping: a Mapping as it is, a pydantic model through model_dump, a dataclass through asdict."""
    if isinstance(value, Mapping):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        dumped = dump()
        if isinstance(dumped, Mapping):
            return dumped
    raise TypeError(f"cannot read facts from a {type(value).__name__}")


def build_context(
    prospect: Mapping[str, Any] | object,
    sender: Mapping[str, Any] | object,
    campaign: Mapping[str, Any] | object,
    site_facts: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The template/prompt context from the prospect row, the inbox row (`display_name`/`email` are read as
    name/email too), the campaign row (mappings, pydantic models (Prospect) or dataclasses (ProspectRecord)) and
    the stored site facts (name -> value). Nothing else of the records (notes, phone, score, tags...) is exposed."""
    prospect, sender, campaign = _record(prospect), _record(sender), _record(campaign)
    facts = {**_prospect(prospect), **_site(site_facts or {})}
    who = {
        "name": _text(sender, "name", "display_name"),
        "email": _text(sender, "email", "address"),
        "signature": _block(sender, "signature"),
        "postal_address": _block(sender, "postal_address"),
    }
    return {
        "prospect": facts,
        "sender": who,
        "campaign": {"name": _text(campaign, "name"), "description": _block(campaign, "description")},
        "first_name": facts["first_name"],
        "last_name": facts["last_name"],
        "full_name": facts["full_name"],
        "company": facts["company_name"] or facts["property_name"],
        "property_name": facts["property_name"] or facts["company_name"],
        "hotel": facts["property_name"] or facts["company_name"],
        "city": facts["city"],
        "country": facts["country"],
        "sender_name": who["name"],
    }


# What a prompt is told, and under which label: the recipient's facts, then who writes (not the signature, the
# postal address or the sender's address: the sending side adds those).
_PROMPT_FACTS = (
    *(("prospect", key, f"recipient_{key}") for key in PROSPECT_FIELDS if key not in ("full_name", "contact_name")),
    ("prospect", "contact_name", "recipient_contact_name"),
    ("sender", "name", "sender_name"),
    ("campaign", "name", "campaign_name"),
    ("campaign", "description", "campaign_description"),
)


def facts_text(context: Mapping[str, Any]) -> str:
    """The known facts as "- key: value" lines (empty facts left out), for prompts."""
    lines = []
    for group, key, label in _PROMPT_FACTS:
        value = context.get(group, {}).get(key)
        if value is None or value == "":
            continue
        if group == "prospect" and key == "contact_name" and context["prospect"].get("first_name"):
            continue  # the split name says it already
        lines.append(f"- {label}: {' '.join(str(value).split())}")
    return "\n".join(lines)


def link_domain(link: str) -> str | None:
    """The host of a URL / www. host / bare domain, lower-case, IDNA, without "www."."""
    return normalize_domain(link.rstrip(".,;:!?"))


def input_links(context: Mapping[str, Any]) -> set[str]:
    """Every domain present in the facts: website, domain, the sender's address, and any link written inside a fact
    (a signature's site, a company called "Booking.com Partner Hotel"). A draft may link to these and nothing else."""
    found: set[str] = set()
    for group in ("prospect", "sender", "campaign"):
        for value in context.get(group, {}).values():
            if isinstance(value, str) and value:
                found.update(d for d in (link_domain(m) for m in LINK.findall(value)) if d)
    return found
