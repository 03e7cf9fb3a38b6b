"""The dashboard's suppressions: `/app/suppressions` lists who is never mailed (newest first, a value-prefix search,
kind and reason filters, keyset pages) and `POST /app/suppressions` adds an address or a domain (CSRF-checked by
the session). A bad value re-shows the form with the reason (400); one already suppressed says so (409)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import QueryParams

from api.dashboard.auth import DashboardSession, SignedIn
from api.dashboard.render import DashboardRoute, error_page, page
from shared.domain.errors import ValidationFailed
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.domain.suppressions import SuppressionKind, SuppressionReason
from shared.service_layer.suppressions import DuplicateSuppression

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)

PAGE_SIZE = 50
MAX_VALUE_CHARS = 320
MAX_NOTE_CHARS = 500
ADDABLE_KINDS = (SuppressionKind.EMAIL, SuppressionKind.DOMAIN)
ADDABLE_REASONS = (SuppressionReason.MANUAL, SuppressionReason.POLICY)


def _one(params: Mapping[str, Any], name: str, max_chars: int) -> str:
    value = params.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > max_chars:
        raise ValidationFailed(f"{name} is at most {max_chars} characters (this one has {len(text)})")
    return text


def _enum(enum: Any, raw: str, name: str) -> Any:
    if not raw:
        return None
    if raw not in enum._value2member_map_:
        raise ValidationFailed(f"unknown {name} {raw!r}; expected one of {', '.join(enum._value2member_map_)}")
    return enum(raw)


def list_filters(params: QueryParams) -> tuple[dict[str, str], tuple[str, str] | None]:
    filters = {
        "q": _one(params, "q", MAX_VALUE_CHARS), "kind": _one(params, "kind", 20), "reason": _one(params, "reason", 20)
    }  # fmt: skip
    _enum(SuppressionKind, filters["kind"], "kind")
    _enum(SuppressionReason, filters["reason"], "reason")
    cursor = _one(params, "cursor", 512)
    after = None
    if cursor:
        created_at, suppression_id = decode_cursor(cursor, arity=2)
        after = (str(created_at), str(suppression_id))
    return {k: v for k, v in filters.items() if v}, after


async def _list(
    request: Request, signed_in: SignedIn, *, status: int = 200, error: str | None = None,
    form: Mapping[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    try:
        filters, after = list_filters(request.query_params)
    except ValidationFailed as exc:
        return error_page(request, 400, f"The search or a filter is not valid: {exc}.")
    items, last = await signed_in.services.suppressions.page(
        kind=_enum(SuppressionKind, filters.get("kind", ""), "kind"),
        reason=_enum(SuppressionReason, filters.get("reason", ""), "reason"),
        q=filters.get("q"), limit=PAGE_SIZE, after=after,
    )  # fmt: skip
    query = urlencode({**filters, "cursor": encode_cursor(list(last))}) if last else None
    return await page(
        request, "suppressions.html", status=status, title="Suppressions · Jengu", items=items, filters=filters,
        next_link=f"/app/suppressions?{query}" if query else None,
        first_link=f"/app/suppressions?{urlencode(filters)}" if after else None,
        kinds=[k.value for k in SuppressionKind], reasons=[r.value for r in SuppressionReason],
        addable_kinds=[k.value for k in ADDABLE_KINDS], addable_reasons=[r.value for r in ADDABLE_REASONS],
        error=error, form=form or {},
    )  # fmt: skip


@router.get("/app/suppressions")
async def suppressions_page(request: Request, signed_in: DashboardSession) -> HTMLResponse:
    return await _list(request, signed_in)


@router.post("/app/suppressions")
async def add_suppression(request: Request, signed_in: DashboardSession) -> Response:
    form = await request.form()  # already parsed by the CSRF check (a small urlencoded form)
    fields = {name: str(form.get(name) or "").strip() for name in ("kind", "value", "reason", "note")}
    try:
        kind = _enum(SuppressionKind, fields["kind"], "kind")
        reason = _enum(SuppressionReason, fields["reason"], "reason") or SuppressionReason.MANUAL
        if kind not in ADDABLE_KINDS:
            raise ValidationFailed("choose email or domain")
        if reason not in ADDABLE_REASONS:
            raise ValidationFailed("the reason is manual or policy here")
        if not fields["value"]:
            raise ValidationFailed(f"enter the {kind.value} to suppress")
        if len(fields["value"]) > MAX_VALUE_CHARS or len(fields["note"]) > MAX_NOTE_CHARS:
            raise ValidationFailed(f"the value is at most {MAX_VALUE_CHARS} and the note {MAX_NOTE_CHARS} characters")
        created = await signed_in.services.suppressions.create(
            kind, fields["value"], reason=reason, source=f"dashboard ({signed_in.principal.name})"[:200],
            note=fields["note"] or None, created_by=signed_in.principal.key_id,
        )  # fmt: skip
    except ValidationFailed as exc:
        return await _list(request, signed_in, status=400, error=f"Not added: {exc}.", form=fields)
    except DuplicateSuppression as exc:
        return await _list(request, signed_in, status=409, error=f"Not added: {exc}.", form=fields)
    target = f"/app/suppressions?{urlencode({'q': created.value})}"
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
