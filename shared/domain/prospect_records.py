"""From what a user sends to what we store: normalisation, derived keys, score and tier, for create and patch.

A `ProspectRecord` is every stored column of a prospect; the repository writes it as is. Building one is pure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from shared.domain.errors import ValidationFailed
from shared.domain.geo import country_code, infer_timezone, is_timezone
from shared.domain.normalize import (
    clean_text,
    normalize_company,
    normalize_domain,
    normalize_linkedin,
    normalize_website,
    person_key,
    search_text,
    sort_name,
)
from shared.domain.prospects import (
    EmailStatus,
    Prospect,
    ProspectCreate,
    ProspectFields,
    ProspectPatch,
    Stage,
    Tier,
    check_transition,
)
from shared.domain.roles import is_role_address
from shared.domain.scoring import ScoreInput, score, tier


@dataclass(frozen=True, slots=True)
class ProspectRecord:
    id: str
    first_name: str | None
    last_name: str | None
    contact_name: str | None
    sort_name: str
    job_title: str | None
    email: str | None
    email_normalized: str | None
    email_status: str
    email_is_role: bool
    phone: str | None
    linkedin_url: str | None
    linkedin_normalized: str | None
    company_name: str | None
    company_normalized: str | None
    property_name: str | None
    property_type: str | None
    rooms: int | None
    website: str | None
    domain: str | None
    city: str | None
    region: str | None
    country: str | None
    timezone: str | None
    stage: str
    tier: str
    score: int
    tags: list[str] = field(default_factory=list)
    lead_source: str | None = None
    notes: str | None = None
    person_key: str | None = None
    archived: bool = False
    archived_at: str | None = None
    version: int = 1
    created_at: str = ""
    updated_at: str = ""
    last_contacted_at: str | None = None
    search_text: str = ""  # what the FTS index holds (normalize.search_text)

    def columns(self) -> dict[str, Any]:
        return asdict(self)


USER_FIELDS = tuple(ProspectFields.model_fields)


# Keys a caller computed already (the CSV row builder): name -> (the input it was computed from, the result). A
# hint is used only when its input is exactly this record's, so it can only save work, never change a result.
Hints = dict[str, tuple[Any, Any]]


def _hinted(hints: Hints | None, name: str, inputs: Any) -> tuple[bool, Any]:
    known = hints.get(name) if hints else None
    return (True, known[1]) if known is not None and known[0] == inputs else (False, None)


def _derived(values: dict[str, Any], hints: Hints | None = None) -> dict[str, Any]:
    """Everything computed from the user-settable values: keys, names, location, score, tier."""
    email = None
    if values.get("email"):
        known, email = _hinted(hints, "email", values["email"])
        if not known:
            from shared.domain.csv_import.emails import check_email  # not at the top: it loads the CSV parsers (0012)

            checked = check_email(str(values["email"]))  # the same rule as the CSV importer
            if checked.address is None or checked.several:
                problem = checked.problem or "several"
                raise ValidationFailed(f"email {values['email']!r} is not a valid address: {problem}")
            email = checked.address
    known, linkedin = _hinted(hints, "linkedin", values.get("linkedin_url"))
    if not known:
        linkedin = normalize_linkedin(values.get("linkedin_url")) if values.get("linkedin_url") else None
    if values.get("linkedin_url") and linkedin is None:
        raise ValidationFailed("linkedin_url is not a LinkedIn profile URL")
    website = normalize_website(values.get("website")) if values.get("website") else None
    if values.get("website") and website is None:
        raise ValidationFailed("website is not a valid URL or domain")
    country = None
    if values.get("country"):
        country = country_code(values["country"])
        if country is None:
            raise ValidationFailed(f"country {values['country']!r} is not a known country")
    timezone = values.get("timezone") or infer_timezone(values.get("city"), values.get("region"), country)
    if values.get("timezone") and not is_timezone(values["timezone"]):
        raise ValidationFailed(f"timezone {values['timezone']!r} is not an IANA time zone")
    first, last = clean_text(values.get("first_name")), clean_text(values.get("last_name"))
    contact = " ".join(p for p in (first, last) if p) or None
    email_status = EmailStatus(values.get("email_status") or EmailStatus.UNKNOWN)
    known, is_role = _hinted(hints, "role", email)
    if not known:
        is_role = bool(email and is_role_address(email))
    stage = Stage(values.get("stage") or Stage.NEW)
    signals = ScoreInput(
        has_email=email is not None,
        email_is_role=is_role,
        email_status=email_status,
        job_title=values.get("job_title"),
        has_linkedin=linkedin is not None,
        has_website=website is not None,
        country=country,
        rooms=values.get("rooms"),
        stage=stage,
    )
    points = score(signals)
    return {
        "email": email,
        "email_normalized": email,
        "email_is_role": is_role,
        "email_status": email_status.value,
        "linkedin_url": f"https://www.{linkedin}" if linkedin else None,
        "linkedin_normalized": linkedin,
        "website": website,
        "domain": normalize_domain(website) if website else (email.rpartition("@")[2] if email else None),
        "country": country,
        "timezone": timezone,
        "first_name": first,
        "last_name": last,
        "contact_name": contact,
        "sort_name": sort_name(contact or values.get("company_name")),
        "search_text": search_text(
            contact, values.get("company_name"), values.get("property_name"), values.get("city"), email
        ),
        "company_normalized": _company_key(values.get("company_name"), hints),
        "person_key": _person_key(values, hints),
        "stage": stage.value,
        "score": points,
        "tier": tier(signals, points).value,
        "tags": sorted(set(values.get("tags") or [])),
    }


def _person_key(values: dict[str, Any], hints: Hints | None) -> str | None:
    company = values.get("company_name") or values.get("property_name")
    first, last = values.get("first_name"), values.get("last_name")
    known, key = _hinted(hints, "person_key", (company, first, last))
    return key if known else person_key(company, first, last)  # person_key cleans the names itself


def _company_key(company: str | None, hints: Hints | None) -> str | None:
    known, key = _hinted(hints, "company", company)
    return key if known else normalize_company(company)


IDENTITY_FIELDS = ("email", "linkedin_url", "company_name", "property_name", "first_name", "last_name")


def _require_identity(values: dict[str, Any]) -> None:
    if not any(values.get(name) for name in IDENTITY_FIELDS):
        raise ValidationFailed("a prospect needs at least an email, a LinkedIn URL, a name or a company")


def new_record(data: ProspectCreate, *, prospect_id: str, now: datetime, hints: Hints | None = None) -> ProspectRecord:
    return _new_record(data.model_dump(), prospect_id, now, hints)


# What `ProspectCreate().model_dump()` holds for each field nobody set.
_CREATE_DEFAULTS = {
    name: info.get_default(call_default_factory=True) for name, info in ProspectCreate.model_fields.items()
}


def new_record_from_fields(
    fields: dict[str, Any], *, prospect_id: str, now: datetime, hints: Hints | None = None
) -> ProspectRecord:
    """`new_record` for values already valid as `ProspectCreate` fields (the CSV row builder's validated fields and a
    checked lead source): the same record, without building a model only to dump it again."""
    return _new_record({**_CREATE_DEFAULTS, **fields}, prospect_id, now, hints)


def _new_record(values: dict[str, Any], prospect_id: str, now: datetime, hints: Hints | None) -> ProspectRecord:
    _require_identity(values)
    stamp = now.isoformat()
    return ProspectRecord(id=prospect_id, created_at=stamp, updated_at=stamp, **_record_fields(values, hints))


def patched_record(stored: ProspectRecord, patch: ProspectPatch, *, now: datetime) -> ProspectRecord:
    """Apply a patch: check the stage transition, recompute every derived column, keep history fields."""
    changes = patch.changes()
    archived = changes.pop("archived", None)
    if "stage" in changes:
        if changes["stage"] is None:
            raise ValidationFailed("stage cannot be null")
        check_transition(Stage(stored.stage), Stage(changes["stage"]))
    values = {name: getattr(stored, name) for name in USER_FIELDS}
    values["stage"] = stored.stage
    values.update(changes)
    _require_identity(values)
    if {"city", "region", "country"} & changes.keys() and "timezone" not in changes:
        values["timezone"] = None  # re-infer from the new location
    stamp = now.isoformat()
    is_archived = stored.archived if archived is None else bool(archived)
    return ProspectRecord(
        id=stored.id,
        created_at=stored.created_at,
        updated_at=stamp,
        version=stored.version,
        last_contacted_at=stored.last_contacted_at,
        archived=is_archived,
        archived_at=(stored.archived_at or stamp) if is_archived else None,
        **_record_fields(values),
    )


def _record_fields(values: dict[str, Any], hints: Hints | None = None) -> dict[str, Any]:
    """User values plus everything derived from them, restricted to stored columns."""
    fields = {k: v for k, v in values.items() if k in _VALUE_COLUMNS}
    fields.update(_derived(values, hints))  # every derived value is a stored column
    return fields


_VALUE_COLUMNS = frozenset(ProspectRecord.__slots__) - {"id", "created_at", "updated_at", "version", "archived",
                                                        "archived_at", "last_contacted_at"}  # fmt: skip


def record_to_prospect(record: ProspectRecord) -> Prospect:
    return Prospect.model_validate({**record.columns(), "tier": Tier(record.tier)})
