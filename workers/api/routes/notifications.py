"""`/api/notifications` (any key: what was recorded for people and how its delivery went, newest first, keyset) and
`/api/admin/webhooks` (admin scope: the endpoints notifications go to, and a test send)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AdminServices, AuthorizedServices
from api.openapi import PYTHON_WHITE_SPACE, error_responses
from api.routes.prospects import actor_of
from shared.domain.notifications import KINDS, MAX_ENDPOINTS, NotificationRecord
from shared.domain.pagination import decode_cursor, encode_cursor

router = APIRouter(tags=["notifications"])
ADMIN = error_responses(403)


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class NotificationOut(BaseModel):
    id: str
    kind: str
    channel: str
    endpoint: str | None = Field(description="the webhook endpoint's name; null when none took this kind")
    subject_id: str
    status: NotificationStatus
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    data: dict[str, Any]


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None


def _out(record: NotificationRecord) -> NotificationOut:
    return NotificationOut(
        id=record.id, kind=record.kind, channel=record.channel, endpoint=record.endpoint,
        subject_id=record.subject_id, status=NotificationStatus(record.status), attempts=record.attempts,
        error=record.error, created_at=record.created_at, sent_at=record.sent_at,
        next_attempt_at=record.next_attempt_at if record.status == "pending" else None, data=record.data,
    )  # fmt: skip


@router.get("/api/notifications")
async def list_notifications(
    services: AuthorizedServices,
    kind: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=list(KINDS))] = None,
    status: NotificationStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="opaque: the previous page's next_cursor")] = None,
) -> NotificationPage:
    from shared.adapters.d1.notifications import D1NotificationRepository

    after: tuple[str, str] | None = None
    if cursor:
        created_at, notification_id = decode_cursor(cursor, arity=2)
        after = (str(created_at), str(notification_id))
    assert services.db is not None
    rows = await D1NotificationRepository(services.db).page(
        kind=kind, status=status.value if status else None, after=after, limit=limit + 1
    )
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor([page[-1].created_at.isoformat(), page[-1].id]) if more and page else None
    return NotificationPage(items=[_out(r) for r in page], next_cursor=next_cursor)


_NAME = r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$"
_SECRET = r"^[A-Z][A-Z0-9_]{2,63}$"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_PORT = r"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}))?"
_REST = rf"(?:[/?#][^\x00-\x20\x7f{PYTHON_WHITE_SPACE}]*)?"
URL_PATTERN = rf"^(?:https://{_LABEL}(?:\.{_LABEL})*|http://(?:127\.0\.0\.1|localhost|\[::1\])){_PORT}{_REST}$"
_URL_DOC = (
    "https (or http://127.0.0.1 for a local receiver), no credentials; a read shows it masked, and sending the "
    "masked form back keeps the stored URL"
)
Kind = Literal["*", *KINDS]  # type: ignore[valid-type]


class _EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(pattern=_NAME, examples=["sales-slack"], description="unique (letter case aside)")]
    url: Annotated[str, Field(min_length=8, max_length=2048, pattern=URL_PATTERN, description=_URL_DOC)]
    kinds: Annotated[list[Kind], Field(min_length=1, max_length=20, description='kinds to deliver, or ["*"]')]


class ChatEndpointIn(_EndpointIn):
    """Slack (incoming webhook) or Discord (execute webhook): the URL is the credential."""

    channel: Literal["slack", "discord"]


class JsonEndpointIn(_EndpointIn):
    """Generic JSON, signed with X-Jengu-Signature when `secret_name` names a Worker secret."""

    channel: Literal["webhook"]
    secret_name: Annotated[
        str | None,
        Field(
            pattern=_SECRET, description="the NAME of the Worker secret that signs, never its value",
            json_schema_extra={"not": {"enum": ["API_KEY"]}},
        ),
    ] = None  # fmt: skip


EndpointIn = Annotated[ChatEndpointIn | JsonEndpointIn, Field(discriminator="channel")]


class EndpointOut(BaseModel):
    name: str
    channel: str
    url: str = Field(description="masked: scheme, host and the last characters of the path")
    kinds: list[str]
    secret_name: str | None = None
    secret_set: bool | None = Field(default=None, description="whether the named secret is set (never its value)")


class WebhooksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoints: Annotated[list[EndpointIn], Field(max_length=MAX_ENDPOINTS)]


class WebhooksOut(BaseModel):
    endpoints: list[EndpointOut]


class TestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str | None, Field(max_length=64, description="one endpoint by name (404 when none); all when absent")
    ] = None


class TestResult(BaseModel):
    name: str
    ok: bool
    status: int | None
    error: str | None


class TestOut(BaseModel):
    results: list[TestResult]


@router.get("/api/admin/webhooks", tags=["admin"], responses=ADMIN)
async def get_webhooks(services: AdminServices) -> WebhooksOut:
    settings = services.webhook_settings
    return WebhooksOut(endpoints=[EndpointOut(**settings.view(e)) for e in await settings.endpoints()])


@router.put("/api/admin/webhooks", tags=["admin"], responses={**ADMIN, **error_responses(409)})
async def put_webhooks(body: WebhooksIn, request: Request, services: AdminServices) -> WebhooksOut:
    """Replace the whole list (validated: https URLs, known kinds, secret names not values; 409: a name twice)."""
    settings = services.webhook_settings
    items = [e.model_dump(exclude_none=True) for e in body.endpoints]
    endpoints = await settings.replace(items, by=actor_of(request))
    return WebhooksOut(endpoints=[EndpointOut(**settings.view(e)) for e in endpoints])


@router.post("/api/admin/webhooks/test", tags=["admin"], responses={**ADMIN, **error_responses(404)})
async def test_webhooks(services: AdminServices, body: TestIn | None = None) -> TestOut:
    """Send a test notification now to one endpoint or all, and report each answer (nothing is recorded)."""
    results = await services.webhook_settings.send_test(body.name if body else None)
    return TestOut(results=[TestResult(**r) for r in results])
