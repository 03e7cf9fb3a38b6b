"""Campaigns: settings, steps and variants as the API takes them, and the stored campaign the scheduler reads.

Two layers of checks. The models hold what JSON Schema can say (types, ranges, patterns, which variant fields a
step's kind takes), so the OpenAPI document is exact. The rules it cannot say are `settings_problems` and
`step_problems` here, and the template checks in `step_rules.content_problems`: a time zone that does not exist, a
window whose end is not after its start, a schedule that ends before it starts, duplicate variant keys, weights
that are all zero. The service runs them on every write and refuses with 422 (`RuleViolation`, whose details list
each problem with its field). Stored campaigns passed them on the way in, so reading one re-checks nothing.

`Campaign` and `Step` are frozen: they are the records the scheduler and the composer load (`CampaignRecord`,
`StepRecord`), steps ordered by position. Step 1's delay counts from enrollment, later steps' from the previous
step's email.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.domain.errors import ValidationFailed
from shared.domain.normalize import clean_line, clean_multiline

MAX_STEPS = 20
MAX_VARIANTS = 26
MAX_INBOXES = 50
MAX_DELAY = 365
MAX_TEMPLATE_CHARS = 20_000
MAX_SUBJECT_CHARS = 1_000


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Strategy = Literal["authority_scarcity", "curiosity_value", "cold_direct"]  # composition.prompts.STRATEGIES
StepKind = Literal["template", "ai"]
DelayUnit = Literal["days", "business_days"]


def _whole_number(value: object) -> object:
    """JSON integers only: lax mode would read true as 1 and "12" as 12; 3.0 is the integer 3 (JSON Schema)."""
    if isinstance(value, bool | str):
        raise ValueError("must be a whole number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _instant(value: object) -> object:
    """An ISO-8601 string (a number is not a date); without an offset it is read as UTC."""
    if isinstance(value, int | float):
        raise ValueError("must be an ISO-8601 date-time string")
    return value


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The bounds come before the validator so the schema states them (minimum/maximum).
Delay = Annotated[int, Field(ge=0, le=MAX_DELAY), BeforeValidator(_whole_number)]
DailyCap = Annotated[int, Field(ge=1, le=10_000), BeforeValidator(_whole_number)]
Instant = Annotated[datetime, BeforeValidator(_instant)]
Flag = Annotated[bool, Field(strict=True)]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
EndTime = Annotated[str, StringConstraints(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
Template = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEMPLATE_CHARS)]
SubjectTemplate = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SUBJECT_CHARS)]
VariantKey = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]
InboxId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\w")]
Description = Annotated[str, StringConstraints(max_length=2000)]


def _mon_to_fri() -> list[str]:
    return list(WEEKDAYS[:5])


def _strip_nulls(schema: dict[str, Any], model: type[BaseModel]) -> None:
    for name in getattr(model, "non_null", ()):
        field = schema.get("properties", {}).get(name, {})
        options = field.get("anyOf")
        if isinstance(options, list):
            kept = [o for o in options if o != {"type": "null"}]
            rest = {k: v for k, v in field.items() if k != "anyOf"}
            schema["properties"][name] = {**kept[0], **rest} if len(kept) == 1 else {"anyOf": kept, **rest}


class AbsentNotNull(BaseModel):
    """Its `non_null` optional fields are left out, never sent as JSON null (refused), so the schema says exactly
    what is accepted."""

    model_config = ConfigDict(json_schema_extra=_strip_nulls)
    non_null: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(str(k) for k, v in data.items() if v is None and k in cls.non_null)
            if nulls:
                raise ValueError(f"leave out {', '.join(nulls)} instead of sending null")
        return data


class SendWindowSpec(BaseModel):
    """When a step may be sent, in the recipient's local time: these weekdays, from `start` (inclusive) to `end`
    (exclusive), "HH:MM" ("24:00" as the end is midnight). No overnight windows: end must be after start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weekdays: list[Weekday] = Field(default_factory=_mon_to_fri, min_length=1, max_length=7)  # type: ignore[arg-type]
    start: ClockTime = "09:00"
    end: EndTime = "17:00"

    @field_validator("weekdays")
    @classmethod
    def _week_order(cls, days: list[str]) -> list[str]:
        return sorted(set(days), key=WEEKDAYS.index)


class StopRules(BaseModel):
    """What a reply, an auto-reply, a bounce or an unsubscribe does to the enrollment. An unsubscribe always stops
    (it is honoured, never continued); `company` stops every enrollment of the company when one person replies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    on_reply: Literal["stop", "continue"] = "stop"
    on_auto_reply: Literal["pause", "stop", "continue"] = "pause"
    on_bounce: Literal["stop", "continue"] = "stop"
    on_unsubscribe: Annotated[
        Literal["stop"], Field(description="always stop: an unsubscribe is honoured, never continued")
    ] = "stop"
    company: Flag = False


class Tracking(BaseModel):
    """Open and click tracking, both off by default (outreach_rules.md §3e)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    opens: Flag = False
    clicks: Flag = False


class CampaignSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: Annotated[
        str,
        StringConstraints(min_length=1, max_length=64),
        Field(description="IANA zone used when a prospect's own zone is unknown and cannot be inferred"),
    ] = "UTC"
    schedule_start: Instant | None = None
    schedule_end: Instant | None = None
    window: SendWindowSpec = Field(default_factory=SendWindowSpec)
    skip_holidays: Flag = True
    daily_cap: DailyCap | None = None
    stop: StopRules = Field(default_factory=StopRules)
    tracking: Tracking = Field(default_factory=Tracking)
    language: (
        Annotated[
            str,
            StringConstraints(pattern=r"^[a-z]{2}$"),
            Field(description="ISO 639-1 code the AI output must be written in"),
        ]
        | None
    ) = None

    @field_validator("schedule_start", "schedule_end")
    @classmethod
    def _as_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class Variant(BaseModel):
    """One wording of a step. Template steps: `subject` and `body` (jinja2). AI steps: a `strategy` or a custom
    `prompt` template (one of them), and optionally `fallback_subject`/`fallback_body` for when every provider
    fails. `weight` (>= 0) is the share of enrollments given this variant. A null field is an absent one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: VariantKey = "A"
    weight: Annotated[float, Field(ge=0, le=1_000_000, strict=True, allow_inf_nan=False)] = 1.0
    subject: SubjectTemplate | None = None
    body: Template | None = None
    strategy: Strategy | None = None
    prompt: Template | None = None
    fallback_subject: SubjectTemplate | None = None
    fallback_body: Template | None = None


def _given(*names: str) -> dict[str, Any]:
    """JSON Schema: each of `names` is present and not null (null counts as absent)."""
    return {"required": list(names), "properties": {n: {"not": {"type": "null"}} for n in names}}


def _absent(*names: str) -> dict[str, Any]:
    """JSON Schema: each of `names` is absent or null."""
    return {"properties": {n: {"type": "null"} for n in names}}


def _step_schema(schema: dict[str, Any]) -> None:
    """The fields each kind's variants take, in JSON Schema (the same rule as `_kind_fields`)."""
    template_items = {"allOf": [_given("subject", "body"), _absent("strategy", "prompt")]}
    ai_items = {"allOf": [_absent("subject", "body")], "oneOf": [_given("strategy"), _given("prompt")]}
    schema["oneOf"] = [
        {"properties": {"kind": {"const": "template"}, "variants": {"items": template_items}}},
        {"properties": {"kind": {"const": "ai"}, "variants": {"items": ai_items}}, "required": ["kind"]},
    ]


class StepSpec(BaseModel):
    """One step of the sequence: its delay (days or business days after the previous step; step 1 after
    enrollment), its kind and 1..26 variants."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_step_schema)

    delay: Delay = 0
    delay_unit: DelayUnit = "days"
    kind: StepKind = "template"
    variants: list[Variant] = Field(min_length=1, max_length=MAX_VARIANTS)

    @field_validator("variants")
    @classmethod
    def _kind_fields(cls, variants: list[Variant], info: ValidationInfo) -> list[Variant]:
        kind = info.data.get("kind", "template")
        for variant in variants:
            if kind == "template":
                if variant.subject is None or variant.body is None:
                    raise ValueError(f"variant {variant.key}: a template step's variants need subject and body")
                if variant.strategy is not None or variant.prompt is not None:
                    raise ValueError(f"variant {variant.key}: strategy and prompt belong to ai steps")
            else:
                if (variant.strategy is None) == (variant.prompt is None):
                    raise ValueError(f"variant {variant.key}: an ai step's variants need a strategy or a prompt")
                if variant.subject is not None or variant.body is not None:
                    raise ValueError(f"variant {variant.key}: ai steps use fallback_subject/fallback_body")
        return variants


class SequenceStep(StepSpec):
    """A step in a whole-sequence replacement (PUT): `id` optionally names the stored step this one is, so a move
    is recognised (and refused once the campaign has been activated)."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class StepPatch(AbsentNotNull):
    """PATCH of one step: only what is sent changes; `variants`, when sent, is the step's whole list."""

    model_config = ConfigDict(extra="forbid")
    non_null = ("delay", "delay_unit", "kind", "variants")

    delay: Delay | None = None
    delay_unit: DelayUnit | None = None
    kind: StepKind | None = None
    variants: Annotated[list[Variant], Field(min_length=1, max_length=MAX_VARIANTS)] | None = None

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


def _clean_name(value: object) -> object:
    return clean_line(value) if isinstance(value, str) else value


def _clean_description(value: object) -> object:
    return clean_multiline(value) if isinstance(value, str) else value


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Name, BeforeValidator(_clean_name)]
    description: Annotated[Description, BeforeValidator(_clean_description)] | None = None
    settings: CampaignSettings = Field(default_factory=CampaignSettings)
    inbox_ids: list[InboxId] = Field(default_factory=list, max_length=MAX_INBOXES)
    steps: list[StepSpec] = Field(default_factory=list, max_length=MAX_STEPS)

    @field_validator("inbox_ids")
    @classmethod
    def _unique_inboxes(cls, ids: list[str]) -> list[str]:
        return list(dict.fromkeys(ids))


class CampaignUpdate(AbsentNotNull):
    """PATCH: only what is sent changes. `settings` is merged into the stored settings (a nested object such as
    `window` is merged too: send `start` and `end` together when moving a window); `description: null` clears it;
    name, settings and inbox_ids may not be null."""

    model_config = ConfigDict(extra="forbid")
    non_null = ("name", "settings", "inbox_ids")

    name: Annotated[Name, BeforeValidator(_clean_name)] | None = None
    description: Annotated[Description, BeforeValidator(_clean_description)] | None = None
    settings: CampaignSettings | None = None
    inbox_ids: Annotated[list[InboxId], Field(max_length=MAX_INBOXES)] | None = None

    @field_validator("inbox_ids")
    @classmethod
    def _unique_inboxes(cls, ids: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(ids)) if ids is not None else None

    def changes(self) -> dict[str, Any]:
        """The fields sent, nested settings included only as far as they were sent."""
        return self.model_dump(exclude_unset=True, mode="json")


class Step(StepSpec):
    """A stored step (`StepRecord`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    position: int
    created_at: datetime
    updated_at: datetime

    def spec(self) -> StepSpec:
        return StepSpec(delay=self.delay, delay_unit=self.delay_unit, kind=self.kind, variants=list(self.variants))


class Campaign(BaseModel):
    """A stored campaign (`CampaignRecord`): steps ordered by position; `version` is its ETag."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    description: str | None = None
    status: CampaignStatus = CampaignStatus.DRAFT
    archived: bool = False
    archived_at: datetime | None = None
    settings: CampaignSettings = Field(default_factory=CampaignSettings)
    inbox_ids: list[str] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    version: int = 1
    created_at: datetime
    updated_at: datetime
    activated_at: datetime | None = None
    completed_at: datetime | None = None

    def step_at(self, position: int) -> Step | None:
        return self.steps[position - 1] if 1 <= position <= len(self.steps) else None


CampaignRecord = Campaign
StepRecord = Step


class RuleViolation(ValidationFailed):
    """A rule JSON Schema cannot express (422). `problems` are `{"field", "message", ...}` dicts; the message is the
    first one's, prefixed with its field."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        first = problems[0]
        super().__init__(f"{first['field']}: {first['message']}", details=problems)
        self.problems = problems


def problem(field: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "message": message, **extra}


def settings_problems(settings: CampaignSettings, field: str = "settings") -> list[dict[str, Any]]:
    """The settings' rules beyond their schema: a real time zone, end after start (window and schedule)."""
    from shared.domain.geo import is_timezone

    found = []
    if not is_timezone(settings.timezone):
        found.append(problem(f"{field}.timezone", f"timezone {settings.timezone!r} is not an IANA time zone"))
    from shared.domain.campaigns.schedule import WindowError, parse_window

    window = settings.window
    try:
        parse_window(window.weekdays, window.start, window.end)
    except WindowError as exc:
        found.append(problem(f"{field}.window", str(exc)))
    start, end = settings.schedule_start, settings.schedule_end
    if start is not None and end is not None and end <= start:
        found.append(problem(f"{field}.schedule_end", "schedule_end must be after schedule_start"))
    return found


def step_problems(step: StepSpec, field: str = "") -> list[dict[str, Any]]:
    """A step's rules beyond its schema: distinct variant keys, not every weight zero."""
    found = []
    variants = f"{field}.variants" if field else "variants"
    keys = [v.key for v in step.variants]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        found.append(problem(variants, f"variant keys must be distinct: {', '.join(duplicates)} repeated"))
    if all(v.weight == 0 for v in step.variants):
        found.append(problem(variants, "at least one variant needs a weight above 0"))
    return found
