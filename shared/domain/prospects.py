"""Prospects: the model, its stage machine, and the validated shapes for creating and changing one.

Stages move forward new -> enriched -> ready -> contacted -> engaged -> meeting -> won | lost. A prospect may be
marked lost from any open stage and reopened from lost to `ready`; anything else is an invalid transition (422).
Archiving is a flag, not a stage. Text fields go through the boundary rule (`normalize.clean_line`, notes
`clean_multiline`) before their length limits apply: the API stores what the CSV importer would, so every export
imports again unchanged.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from shared.domain.errors import ValidationFailed
from shared.domain.normalize import clean_line, clean_multiline


class Stage(StrEnum):
    NEW = "new"
    ENRICHED = "enriched"
    READY = "ready"
    CONTACTED = "contacted"
    ENGAGED = "engaged"
    MEETING = "meeting"
    WON = "won"
    LOST = "lost"


class Tier(StrEnum):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class EmailStatus(StrEnum):
    UNKNOWN = "unknown"
    VALID = "valid"
    RISKY = "risky"
    INVALID = "invalid"
    BOUNCED = "bounced"


_FORWARD = [Stage.NEW, Stage.ENRICHED, Stage.READY, Stage.CONTACTED, Stage.ENGAGED, Stage.MEETING, Stage.WON]

ALLOWED_TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    stage: frozenset(_FORWARD[i + 1 :]) | ({Stage.LOST} if stage is not Stage.WON else set())
    for i, stage in enumerate(_FORWARD)
}
ALLOWED_TRANSITIONS[Stage.LOST] = frozenset({Stage.READY})


def check_transition(current: Stage, target: Stage) -> None:
    """Forward moves (skipping is allowed: a reply can jump `contacted` to `meeting`), lost from any open stage,
    lost back to ready. Raises ValidationFailed otherwise."""
    if current == target:
        return
    if target not in ALLOWED_TRANSITIONS[current]:
        raise ValidationFailed(f"cannot move a prospect from {current.value} to {target.value}")


Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40,
                                      pattern=r"^[\w][\w .:/+-]*$")]  # fmt: skip
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class Prospect(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    first_name: str | None = None
    last_name: str | None = None
    contact_name: str | None = None
    job_title: str | None = None
    email: str | None = None
    email_status: EmailStatus = EmailStatus.UNKNOWN
    email_is_role: bool = False
    phone: str | None = None
    linkedin_url: str | None = None
    company_name: str | None = None
    property_name: str | None = None
    property_type: str | None = None
    rooms: int | None = None
    website: str | None = None
    domain: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    timezone: str | None = None
    stage: Stage = Stage.NEW
    tier: Tier = Tier.COLD
    score: int = 0
    tags: list[str] = Field(default_factory=list)
    lead_source: str | None = None
    notes: str | None = None
    archived: bool = False
    archived_at: datetime | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime
    last_contacted_at: datetime | None = None

    @property
    def sendable(self) -> bool:
        """Never mail role addresses, invalid/bounced addresses or archived prospects."""
        return (
            self.email is not None
            and not self.email_is_role
            and self.email_status not in (EmailStatus.INVALID, EmailStatus.BOUNCED)
            and not self.archived
        )


_RAW_LIMITS: dict[type, dict[str, int]] = {}


def _within_limit(model: type[BaseModel], info: ValidationInfo, value: str) -> str:
    """The document's maxLength holds for the text as sent: cleaning (trimming, dropping control characters) comes
    after it, so a request the schema refuses is never accepted because cleaning shortened it (schemathesis)."""
    limits = _RAW_LIMITS.get(model)
    if limits is None:
        properties = model.model_json_schema()["properties"]
        limits = _RAW_LIMITS[model] = {
            name: option["maxLength"]
            for name, prop in properties.items()
            for option in prop.get("anyOf", [prop])
            if isinstance(option, dict) and "maxLength" in option
        }
    limit = limits.get(info.field_name or "")
    if limit is not None and len(value) > limit:
        raise ValueError(f"at most {limit} characters")
    return value


_SINGLE_LINE_FIELDS = (
    *("first_name", "last_name", "job_title", "email", "phone", "linkedin_url", "company_name", "property_name"),
    *("property_type", "website", "city", "region", "country", "timezone", "lead_source"),
)


class ProspectFields(BaseModel):
    """The fields a user may set, shared by create and patch. Unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_name: ShortText | None = None
    last_name: ShortText | None = None
    job_title: ShortText | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    email_status: EmailStatus | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    linkedin_url: Annotated[str, StringConstraints(max_length=500)] | None = None
    company_name: ShortText | None = None
    property_name: ShortText | None = None
    property_type: Annotated[str, StringConstraints(max_length=50)] | None = None
    rooms: Annotated[int, Field(ge=0, le=100_000)] | None = None
    website: Annotated[str, StringConstraints(max_length=500)] | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    country: ShortText | None = None  # a name or an ISO code; normalised to ISO 3166-1 alpha-2
    timezone: Annotated[str, StringConstraints(max_length=64)] | None = None
    tags: Annotated[list[Tag], Field(max_length=50)] | None = None
    lead_source: Annotated[str, StringConstraints(max_length=100)] | None = None
    notes: LongText | None = None

    @field_validator(*_SINGLE_LINE_FIELDS, mode="before")
    @classmethod
    def _clean_line(cls, value: object, info: ValidationInfo) -> object:
        return clean_line(_within_limit(cls, info, value)) if isinstance(value, str) else value

    @field_validator("notes", mode="before")
    @classmethod
    def _clean_multiline(cls, value: object, info: ValidationInfo) -> object:
        return clean_multiline(_within_limit(cls, info, value)) if isinstance(value, str) else value

    @field_validator("rooms", mode="before")
    @classmethod
    def _rooms_is_a_number(cls, value: object) -> object:
        if isinstance(value, bool | str):  # lax mode would read true as 1 and "12" as 12; the schema says integer
            raise ValueError("rooms must be a whole number")
        if isinstance(value, float) and value.is_integer():
            return int(value)  # JSON Schema's integer includes 236.0 (one number, two spellings)
        return value

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: list[str] | None) -> list[str] | None:
        return sorted(set(tags)) if tags is not None else None


class ProspectCreate(ProspectFields):
    # The identity rule (prospect_records._require_identity) as far as JSON Schema can say it: one of these is sent.
    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": [name], "properties": {name: {"type": "string", "minLength": 1}}}
                                     for name in ("email", "linkedin_url", "company_name", "property_name",
                                                  "first_name", "last_name")]}
    )  # fmt: skip

    stage: Stage = Stage.NEW


class ProspectPatch(ProspectFields):
    stage: Stage | None = None
    archived: Annotated[bool, Field(strict=True)] | None = None

    def changes(self) -> dict[str, Any]:
        """Only the fields the client sent (explicit nulls included: they clear the field)."""
        return self.model_dump(exclude_unset=True)
