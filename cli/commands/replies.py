"""`jengu replies [--intent ...]`: the latest classified replies (GET /api/inbound?classification=reply)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.client import EXIT_USAGE, CliError
from cli.commands import JsonOpt, session

HELP = (
    "The latest classified replies, newest first: interested, meeting_request, question, not_interested, "
    "unsubscribe, referral, other (--intent, repeatable). --all shows every inbound message (bounces, auto-replies)."
)
INTENTS = ("interested", "meeting_request", "question", "not_interested", "unsubscribe", "referral", "other")
COLUMNS = ("received", "from", "subject", "classification", "intent", "confidence", "spoofed", "prospect", "id")


def rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    return [[i.get("received_at"), i.get("mail_from"), i.get("subject"), i.get("classification"), i.get("intent"),
             i.get("confidence"), i.get("spoofed"), i.get("prospect_id"), i.get("id")] for i in items]  # fmt: skip


async def replies(
    ctx: typer.Context,
    intent: Annotated[list[str] | None, typer.Option("--intent", help="Only this intent (repeatable).")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every classification, not only replies.")] = False,
    campaign: Annotated[str | None, typer.Option("--campaign", help="Only replies to this campaign (id).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100)] = 20,
    json_: JsonOpt = False,
) -> None:
    unknown = sorted(set(intent or ()) - set(INTENTS))
    if unknown and not everything:  # with --all, auto-replies' and bounces' own intents are allowed too
        raise CliError("usage", f"unknown --intent {', '.join(unknown)}; expected one of {', '.join(INTENTS)}",
                       EXIT_USAGE)  # fmt: skip
    s = session(ctx)
    out = s.output(json_)
    base = {"classification": None if everything else "reply", "campaign_id": campaign, "limit": limit}
    items: list[dict[str, Any]] = []
    async with s.client() as client:
        wanted_intents: list[str | None] = list(intent) if intent else [None]
        for wanted in wanted_intents:
            page = await client.get("/api/inbound", {**base, "intent": wanted})
            items.extend(page.get("items", []))
    items.sort(key=lambda i: (str(i.get("received_at")), str(i.get("id"))), reverse=True)
    items = items[:limit]
    out.result({"items": items}, lambda: out.table(COLUMNS, rows(items), title=f"{len(items)} replies"))
