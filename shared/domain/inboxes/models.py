"""Inboxes: the validated shapes for creating and changing one, the record the pipeline reads, and the API view.

The pydantic models check what JSON Schema can say (lengths, ranges, patterns, the transport's settings per kind);
`new_inbox` / `updated_inbox` check the rest on the whole inbox (so a PATCH is judged with the stored values) and
raise `ValidationFailed`: the address and reply-to syntax (the importer's rule), the IANA time zone, hourly cap <=
daily cap, a send window that ends after it starts, and secret roles the transport takes.

Credentials are *names* of Worker secrets (`SMTP_INBOX_1_PASSWORD`), never values: a name is
`^[A-Z][A-Z0-9_]{2,63}$`, anything else is refused without being echoed. The API view says per role whether the
Worker's env has a non-empty binding of that name (`set`), never what it holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, field_validator, model_validator

from shared.domain.errors import Conflict, ValidationFailed
from shared.domain.geo import is_timezone
from shared.domain.normalize import clean_line, clean_multiline


class InboxStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DISABLED = "disabled"


class TransportKind(StrEnum):
    CLOUDFLARE = "cloudflare"
    SMTP = "smtp"
    GRAPH = "graph"
    RESEND = "resend"
    LOCAL = "local"


SecretRole = Literal["password", "client_secret", "api_key"]
SECRET_ROLES: dict[TransportKind, tuple[str, ...]] = {
    TransportKind.CLOUDFLARE: (),
    TransportKind.SMTP: ("password",),
    TransportKind.GRAPH: ("client_secret",),
    TransportKind.RESEND: ("api_key",),
    TransportKind.LOCAL: (),
}
SECRET_NAME_PATTERN = r"^[A-Z][A-Z0-9_]{2,63}$"
_SECRET_NAME = re.compile(SECRET_NAME_PATTERN)
RESERVED_SECRET_NAMES = frozenset({"API_KEY"})  # the API's own key is never a transport credential
_NOT_A_NAME = (
    "not a secret name (A-Z, 0-9 and _, 3-64 characters, starting with a letter, e.g. SMTP_INBOX_1_PASSWORD): "
    "secret_names holds the names of Worker secrets; values never go here (set them with `wrangler secret put`)"
)


def _secret_name(value: object) -> str:
    value = value.strip() if isinstance(value, str) else value
    if not isinstance(value, str) or not _SECRET_NAME.fullmatch(value):
        raise ValueError(_NOT_A_NAME)  # never echo the input: it may be the secret itself
    if value in RESERVED_SECRET_NAMES:
        raise ValueError(f"{value} is the API's own key, not a transport credential")
    return value


_SECRET_NAME_SCHEMA = {
    "type": "string",
    "pattern": SECRET_NAME_PATTERN,
    "not": {"enum": sorted(RESERVED_SECRET_NAMES)},
    "description": "the NAME of a Worker secret, never its value",
    "examples": ["SMTP_INBOX_1_PASSWORD"],
}
SecretName = Annotated[str, PlainValidator(_secret_name), WithJsonSchema(_SECRET_NAME_SCHEMA)]
SecretNames = Annotated[dict[SecretRole, SecretName], Field(max_length=3)]

MAX_DAILY_CAP = 10_000
MAX_HOURLY_CAP = 1_000
_HOST = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
_CLOCK = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
_SELECTOR = r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}))*$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class NoSettings(_In):
    """The transports configured by the Worker's bindings alone (cloudflare, resend, local): no keys at all."""


class SmtpSettings(_In):
    host: Annotated[str, Field(min_length=1, max_length=253, pattern=_HOST)]
    port: Annotated[int, Field(ge=1, le=65535, json_schema_extra={"not": {"const": 25}},
                               description="465 implicit TLS, 587 STARTTLS; 25 is blocked on Workers")]  # fmt: skip
    security: Literal["tls", "starttls"] | None = Field(default=None, description="default: tls on 465, else starttls")
    username: Annotated[str, Field(max_length=320)] | None = None

    @field_validator("host")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("port")
    @classmethod
    def _not_25(cls, value: int) -> int:
        if value == 25:
            raise ValueError("port 25 is blocked on Cloudflare Workers: use 465 (implicit TLS) or 587 (STARTTLS)")
        return value

    @field_validator("username", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        return (clean_line(value) or None) if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _security(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("security") is None and isinstance(data.get("port"), int):
            data = {**data, "security": "tls" if data["port"] == 465 else "starttls"}
        return data


_GraphId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$")]


class GraphSettings(_In):
    tenant_id: _GraphId
    client_id: _GraphId
    user: Annotated[str, Field(min_length=1, max_length=320, pattern=r"^[A-Za-z0-9._%+'@-]+$",
                               description="the mailbox (user principal name or object id)")]  # fmt: skip
    # Graph's JSON message cannot carry List-Unsubscribe (RFC 8058), In-Reply-To or References; "mime" sends the
    # complete message we built (every header), "json" the structured message. MIME by default: compliance first.
    format: Literal["mime", "json"] = "mime"


class CloudflareSettings(_In):
    """`mime` sends the message we built as a `cloudflare:email` EmailMessage (our Message-ID, threading and RFC 8058
    headers exactly as written); `builder` uses Email Service's JSON builder (it sets its own Message-ID)."""

    format: Literal["mime", "builder"] = "mime"
    binding: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,63}$")] | None = None  # default: EMAIL


class LocalSettings(_In):
    """The local runtime's SMTP sink (`make dev`: 127.0.0.1:1025)."""

    host: Annotated[str, Field(min_length=1, max_length=253, pattern=_HOST)] = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 1025


class CloudflareTransport(_In):
    kind: Literal["cloudflare"]
    settings: CloudflareSettings = CloudflareSettings()


class SmtpTransport(_In):
    kind: Literal["smtp"]
    settings: SmtpSettings


class GraphTransport(_In):
    kind: Literal["graph"]
    settings: GraphSettings


class ResendTransport(_In):
    kind: Literal["resend"]
    settings: NoSettings = NoSettings()


class LocalTransport(_In):
    kind: Literal["local"]
    settings: LocalSettings = LocalSettings()


Transport = Annotated[
    CloudflareTransport | SmtpTransport | GraphTransport | ResendTransport | LocalTransport, Field(discriminator="kind")
]


class WarmupSettings(_In):
    """The ramp: `ramp[w]` sends a day in week w+1 from `start_date` (None: the first send), then `target`."""

    enabled: Annotated[bool, Field(strict=True)] = True
    ramp: Annotated[list[Annotated[int, Field(ge=0, le=MAX_DAILY_CAP)]], Field(max_length=52)] = [5, 10, 15, 18]
    target: Annotated[int, Field(ge=0, le=MAX_DAILY_CAP)] = 20
    start_date: date | None = None


class SendWindow(_In):
    """The inbox's pacing hours, local time in its time zone (HH:MM, end after start)."""

    start: Annotated[str, Field(pattern=_CLOCK)] = "08:00"
    end: Annotated[str, Field(pattern=_CLOCK)] = "18:00"


_SINGLE_LINE = ("email", "display_name", "reply_to", "timezone", "dkim_selector")
_MULTI_LINE = ("signature", "postal_address")
# No minimum lengths: a value that cleans down to nothing is refused by the rule on the whole inbox, with its reason.
_Email = Annotated[
    str, Field(max_length=254, json_schema_extra={"format": "email"}, examples=["ada@hotel-lovelace.example"])
]
_Zone = Annotated[str, Field(max_length=64, description="an IANA time zone", examples=["Europe/Berlin"])]
_Caps = {"daily": Field(ge=0, le=MAX_DAILY_CAP), "hourly": Field(ge=0, le=MAX_HOURLY_CAP)}


class _Text(_In):
    @field_validator(*_SINGLE_LINE, mode="before", check_fields=False)
    @classmethod
    def _clean_line(cls, value: object) -> object:
        return clean_line(value) if isinstance(value, str) else value

    @field_validator(*_MULTI_LINE, mode="before", check_fields=False)
    @classmethod
    def _clean_multiline(cls, value: object) -> object:
        return clean_multiline(value) if isinstance(value, str) else value


_EXAMPLE: dict[str, Any] = {
    "email": "ada@hotel-lovelace.example",
    "display_name": "Ada Lovelace",
    "reply_to": "sales@hotel-lovelace.example",
    "postal_address": "1 Analytical Row\nLondon",
    "timezone": "Europe/London",
    "transport": {"kind": "smtp", "settings": {"host": "smtp.hotel-lovelace.example", "port": 465, "username": "ada"}},
    "secret_names": {"password": "SMTP_INBOX_1_PASSWORD"},
    "warmup": {"ramp": [5, 10, 15], "target": 25},
    "daily_cap": 25,
    "hourly_cap": 5,
    "send_window": {"start": "09:00", "end": "17:00"},
}


class InboxCreate(_Text):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    email: _Email
    display_name: Annotated[str, Field(max_length=200)] | None = None
    reply_to: _Email | None = None
    signature: Annotated[str, Field(max_length=2000)] | None = None
    postal_address: Annotated[str, Field(max_length=500)] | None = None
    timezone: _Zone = "UTC"
    transport: Transport = CloudflareTransport(kind="cloudflare")
    secret_names: SecretNames = {}
    warmup: WarmupSettings = WarmupSettings()
    daily_cap: Annotated[int, _Caps["daily"]] = 20
    hourly_cap: Annotated[int, _Caps["hourly"]] = 5
    send_window: SendWindow = SendWindow()
    dkim_selector: Annotated[str, Field(max_length=253, pattern=_SELECTOR)] | None = None


CLEARABLE = ("display_name", "reply_to", "signature", "postal_address", "dkim_selector")


def _no_null_schema(schema: dict[str, Any]) -> None:
    """Fields that cannot be cleared are optional but never null in the document (null is refused)."""
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name in CLEARABLE or not isinstance(options, list):
            continue
        kept = [o for o in options if o != {"type": "null"}]
        rest = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
        schema["properties"][name] = {**kept[0], **rest} if len(kept) == 1 else {"anyOf": kept, **rest}


class InboxUpdate(_Text):
    """A PATCH: only the fields sent change; `warmup` and `send_window` merge into the stored ones, `transport` and
    `secret_names` replace them; null clears the optional texts and is refused elsewhere."""

    model_config = ConfigDict(json_schema_extra=_no_null_schema)

    email: _Email | None = None
    display_name: Annotated[str, Field(max_length=200)] | None = None
    reply_to: _Email | None = None
    signature: Annotated[str, Field(max_length=2000)] | None = None
    postal_address: Annotated[str, Field(max_length=500)] | None = None
    timezone: _Zone | None = None
    transport: Transport | None = None
    secret_names: SecretNames | None = None
    warmup: WarmupSettings | None = None
    daily_cap: Annotated[int, _Caps["daily"]] | None = None
    hourly_cap: Annotated[int, _Caps["hourly"]] | None = None
    send_window: SendWindow | None = None
    dkim_selector: Annotated[str, Field(max_length=253, pattern=_SELECTOR)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(str(k) for k, v in data.items() if v is None and k not in CLEARABLE)
            if nulls:
                raise ValueError(f"{', '.join(nulls)} cannot be null (leave it out to keep it)")
        return data


@dataclass(frozen=True, slots=True)
class PacingWindow:
    start: time
    end: time

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M")}


@dataclass(frozen=True, slots=True)
class InboxRecord:
    """An inbox as the pipeline reads it (scheduler, composer, transports) and the repository stores it."""

    id: str
    email: str
    domain: str
    display_name: str | None
    reply_to: str | None
    signature: str | None
    postal_address: str | None
    timezone: str
    transport_kind: TransportKind
    status: InboxStatus
    daily_cap: int
    hourly_cap: int
    send_window: PacingWindow
    dkim_selector: str | None
    secret_names: Mapping[str, str]
    created_at: datetime
    updated_at: datetime
    transport_settings: Mapping[str, Any] = field(default_factory=dict)
    warmup: WarmupSettings = field(default_factory=WarmupSettings)
    status_reason: str | None = None
    version: int = 1
    configured_at: datetime | None = None

    @property
    def sending(self) -> bool:
        return self.status is InboxStatus.ACTIVE


def window_of(window: SendWindow) -> PacingWindow:
    return PacingWindow(time.fromisoformat(window.start), time.fromisoformat(window.end))


def _address(name: str, value: str) -> str:
    from shared.domain.csv_import.emails import check_email  # the importer's rule; loads its parsers (0012)

    checked = check_email(value)
    if checked.address is None or checked.several:
        raise ValidationFailed(f"{name} {value!r} is not a valid address: {checked.problem or 'several'}")
    return checked.address


def _check(record: InboxRecord) -> InboxRecord:
    if not is_timezone(record.timezone):
        raise ValidationFailed(f"timezone {record.timezone!r} is not an IANA time zone")
    if record.hourly_cap > record.daily_cap:
        raise ValidationFailed(f"hourly_cap ({record.hourly_cap}) cannot be above daily_cap ({record.daily_cap})")
    if record.send_window.end <= record.send_window.start:
        shown = record.send_window.as_dict()
        raise ValidationFailed(f"send_window end ({shown['end']}) must be after its start ({shown['start']})")
    allowed = SECRET_ROLES[record.transport_kind]
    for role in record.secret_names:
        if role not in allowed:
            takes = ", ".join(allowed) or "no secrets"
            raise ValidationFailed(f"secret_names: a {record.transport_kind} transport takes {takes}; not {role}")
    return record


def new_inbox(data: InboxCreate, *, inbox_id: str, now: datetime) -> InboxRecord:
    email = _address("email", data.email)
    return _check(
        InboxRecord(
            id=inbox_id,
            email=email,
            domain=email.rpartition("@")[2],
            display_name=data.display_name or None,
            reply_to=_address("reply_to", data.reply_to) if data.reply_to else None,
            signature=data.signature or None,
            postal_address=data.postal_address or None,
            timezone=data.timezone,
            transport_kind=TransportKind(data.transport.kind),
            transport_settings=data.transport.settings.model_dump(mode="json", exclude_none=True),
            status=InboxStatus.ACTIVE,
            daily_cap=data.daily_cap,
            hourly_cap=data.hourly_cap,
            send_window=window_of(data.send_window),
            dkim_selector=data.dkim_selector.lower() if data.dkim_selector else None,
            secret_names={str(role): name for role, name in data.secret_names.items()},
            warmup=data.warmup,
            created_at=now,
            updated_at=now,
        )
    )


def _merged(stored: BaseModel, given: BaseModel | None) -> Any:
    if given is None:
        return stored
    return type(stored).model_validate({**stored.model_dump(), **given.model_dump(include=given.model_fields_set)})


def updated_inbox(stored: InboxRecord, patch: InboxUpdate, *, now: datetime) -> InboxRecord:
    """`stored` with the patch applied and every rule checked again (the version is the repository's)."""
    sent = patch.model_fields_set
    changes: dict[str, Any] = {}
    if "email" in sent and patch.email is not None:
        changes["email"] = _address("email", patch.email)
        changes["domain"] = changes["email"].rpartition("@")[2]
    for name in ("display_name", "signature", "postal_address"):
        if name in sent:
            changes[name] = getattr(patch, name) or None
    if "reply_to" in sent:
        changes["reply_to"] = _address("reply_to", patch.reply_to) if patch.reply_to else None
    if "dkim_selector" in sent:
        changes["dkim_selector"] = patch.dkim_selector.lower() if patch.dkim_selector else None
    for name in ("timezone", "daily_cap", "hourly_cap"):
        if getattr(patch, name) is not None:
            changes[name] = getattr(patch, name)
    if patch.transport is not None:
        changes["transport_kind"] = TransportKind(patch.transport.kind)
        changes["transport_settings"] = patch.transport.settings.model_dump(mode="json", exclude_none=True)
        if patch.secret_names is None:  # the old transport's names mean nothing to the new one
            allowed = SECRET_ROLES[changes["transport_kind"]]
            changes["secret_names"] = {r: n for r, n in stored.secret_names.items() if r in allowed}
    if patch.secret_names is not None:
        changes["secret_names"] = {str(role): name for role, name in patch.secret_names.items()}
    if patch.warmup is not None:
        changes["warmup"] = _merged(stored.warmup, patch.warmup)
    if patch.send_window is not None:
        stored_window = SendWindow.model_validate(stored.send_window.as_dict())
        changes["send_window"] = window_of(_merged(stored_window, patch.send_window))
    if not changes:
        return stored
    return _check(replace(stored, **changes, updated_at=now))


def with_status(stored: InboxRecord, status: InboxStatus, reason: str | None, *, now: datetime) -> InboxRecord:
    """The inbox moved to `status`: active ⇄ paused, either to disabled, and back to active by resume. A disabled
    inbox cannot be paused (resume it first). Unchanged (same status) returns `stored` itself."""
    if stored.status is status:
        return stored
    if stored.status is InboxStatus.DISABLED and status is InboxStatus.PAUSED:
        raise Conflict("a disabled inbox cannot be paused: resume it first", details={"status": stored.status.value})
    return replace(stored, status=status, status_reason=reason, updated_at=now)


class SecretRef(BaseModel):
    name: str | None = Field(description="the Worker secret's name (null: not named yet)")
    set: bool = Field(description="whether the Worker has a non-empty secret of that name (never its value)")


class TransportView(BaseModel):
    kind: TransportKind
    settings: dict[str, Any]


class Inbox(BaseModel):
    """An inbox as the API shows it."""

    id: str
    email: str
    domain: str
    display_name: str | None
    reply_to: str | None
    signature: str | None
    postal_address: str | None
    timezone: str
    transport: TransportView
    secret_names: dict[str, str]
    secrets: dict[str, SecretRef]
    warmup: WarmupSettings
    daily_cap: int
    hourly_cap: int
    send_window: SendWindow
    dkim_selector: str | None
    status: InboxStatus
    status_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    configured_at: datetime | None
    configured: bool = Field(description="WarmupManager and InboxHealth hold this version's settings")


def inbox_view(record: InboxRecord, secret_is_set: Callable[[str], bool]) -> Inbox:
    roles: dict[str, str | None] = {**dict.fromkeys(SECRET_ROLES[record.transport_kind]), **record.secret_names}
    secrets = {role: SecretRef(name=name, set=name is not None and secret_is_set(name)) for role, name in roles.items()}
    return Inbox(
        id=record.id,
        email=record.email,
        domain=record.domain,
        display_name=record.display_name,
        reply_to=record.reply_to,
        signature=record.signature,
        postal_address=record.postal_address,
        timezone=record.timezone,
        transport=TransportView(kind=record.transport_kind, settings=dict(record.transport_settings)),
        secret_names=dict(record.secret_names),
        secrets=secrets,
        warmup=record.warmup,
        daily_cap=record.daily_cap,
        hourly_cap=record.hourly_cap,
        send_window=SendWindow.model_validate(record.send_window.as_dict()),
        dkim_selector=record.dkim_selector,
        status=record.status,
        status_reason=record.status_reason,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        configured_at=record.configured_at,
        configured=record.configured_at is not None and record.configured_at >= record.updated_at,
    )
