"""The dashboard's replies page (`/app/replies`): inbound mail that needs a person, newest first — replies that are
interested, ask for a meeting, ask a question, refer someone else or say something else, mail nobody could classify,
and anything possibly spoofed — with the prospect, a snippet, the classification and its confidence.

Each row has a form of intents as buttons (`POST /app/replies/{id}/reclassify`): the same correction as
`POST /api/inbound/{id}/reclassify` (the route's own function runs: the row's verdict and corrections, the queued
re-processing), and the page shows the result.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from api.dashboard.auth import DashboardSession
from api.dashboard.render import error_page, page
from shared.domain.errors import ValidationFailed
from shared.domain.pagination import decode_cursor, encode_cursor

router = APIRouter(include_in_schema=False)
InboundId = Annotated[str, Path(min_length=1, max_length=64)]
NEEDS_A_PERSON = frozenset({"interested", "meeting_request", "question", "referral", "other", None})
PAGE_SIZE, SCAN_PAGE, MAX_SCAN_PAGES = 25, 100, 5
SNIPPET_CHARS, SNIPPET_SOURCE_BYTES = 240, 64 * 1024
CHOICES: tuple[tuple[str, str | None, str], ...] = (
    ("reply", "interested", "Interested"), ("reply", "meeting_request", "Meeting request"),
    ("reply", "question", "Question"), ("reply", "referral", "Referral"), ("reply", "other", "Other reply"),
    ("reply", "not_interested", "Not interested"), ("reply", "unsubscribe", "Unsubscribe"),
    ("auto_reply", None, "Auto-reply"), ("unknown", None, "Unknown"),
)  # fmt: skip
VERDICTS = {f"{c}:{i or ''}": (c, i) for c, i, _ in CHOICES}


def needs_a_person(row: dict[str, Any]) -> bool:
    if row.get("spoofed"):
        return True
    kind = row.get("classification")
    return kind == "unknown" or (kind == "reply" and row.get("intent") in NEEDS_A_PERSON)


async def snippet(services: Any, inbound_id: str) -> str:
    """The reply's new words (quoted history and signature left out), from the stored message's first chunk."""
    from shared.domain.inbound_mail.parse import parse_message

    try:
        head = await services.inbound.head(inbound_id)
        if head is None:
            return ""
        mail = parse_message(head[:SNIPPET_SOURCE_BYTES])
    except Exception:  # an unreadable message still gets its row; the snippet stays empty
        return ""
    words = " ".join((mail.reply_text or mail.text or "").split())
    return words if len(words) <= SNIPPET_CHARS else words[: SNIPPET_CHARS - 1].rstrip() + "…"


async def waiting(services: Any, after: tuple[str, str] | None) -> tuple[list[dict[str, Any]], str | None]:
    """Up to PAGE_SIZE messages needing a person, newest first, scanning a bounded number of rows; the cursor goes
    on from the last row read."""
    from shared.adapters.d1.inbound import list_inbound

    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_SCAN_PAGES):
        rows = await list_inbound(services.db, equals={}, matched=None, since=None, until=None, after=after,
                                  limit=SCAN_PAGE)  # fmt: skip
        for row in rows:
            after = (str(row["received_at"]), str(row["id"]))
            if needs_a_person(row):
                found.append(row)
                if len(found) == PAGE_SIZE:
                    break
        if len(found) == PAGE_SIZE or len(rows) < SCAN_PAGE:
            cursor = encode_cursor(list(after)) if len(found) == PAGE_SIZE and after else None
            break
    else:
        cursor = encode_cursor(list(after)) if after else None
    return found, cursor


async def shaped(services: Any, row: dict[str, Any]) -> dict[str, Any]:
    prospect = await services.prospects.get(str(row["prospect_id"])) if row.get("prospect_id") else None
    who = None
    if prospect is not None:
        who = prospect.contact_name or " ".join(p for p in (prospect.first_name, prospect.last_name) if p) or None
    return {
        "row": row, "prospect": prospect, "who": who or row.get("mail_from") or "unknown sender",
        "company": (prospect.property_name or prospect.company_name) if prospect is not None else None,
        "snippet": await snippet(services, str(row["id"])),
        "confidence": None if row.get("confidence") is None else round(float(row["confidence"]) * 100),
    }  # fmt: skip


async def replies_context(services: Any, cursor: str | None) -> dict[str, Any]:
    after = None
    if cursor:
        received, inbound_id = decode_cursor(cursor, arity=2)
        after = (str(received), str(inbound_id))
    rows, next_cursor = await waiting(services, after)
    return {"items": [await shaped(services, r) for r in rows], "next_cursor": next_cursor, "choices": CHOICES,
            "title": "Replies · Jengu", "notice": None}  # fmt: skip


@router.get("/app/replies")
async def replies_page(
    request: Request, signed_in: DashboardSession, cursor: Annotated[str | None, Query(max_length=512)] = None
) -> HTMLResponse:
    try:
        context = await replies_context(signed_in.services, cursor)
    except ValidationFailed as exc:  # a cursor that is not one of ours
        return error_page(request, 400, f"This page of replies does not exist: {exc}.")
    return await page(request, "replies.html", **context)


@router.post("/app/replies/{inbound_id}/reclassify")
async def reclassify_reply(request: Request, signed_in: DashboardSession, inbound_id: InboundId) -> HTMLResponse:
    from api.routes.inbound import ReclassifyIn, reclassify

    form = await request.form()
    chosen = VERDICTS.get(str(form.get("verdict") or ""))
    if chosen is None:
        return error_page(request, 422, "Choose one of the classifications on the form.")
    note = str(form.get("note") or "").strip()[:500] or None
    services = signed_in.services
    classification, intent = chosen
    body = ReclassifyIn(classification=classification, intent=intent, note=note)  # type: ignore[arg-type]
    result = await reclassify(inbound_id, body, request, services)
    label = next(text for c, i, text in CHOICES if (c, i) == chosen)
    context = await replies_context(services, None)
    previous = " / ".join(p for p in (result.correction.previous_classification, result.correction.previous_intent)
                          if p) or "unclassified"  # fmt: skip
    context["notice"] = (f"The message from {result.item.mail_from or 'an unknown sender'} is now “{label}” (was "
                         f"{previous}); its effects are being applied again.")  # fmt: skip
    return await page(request, "replies.html", **context)
