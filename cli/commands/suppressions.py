"""`jengu suppressions [list]`: who is never mailed (GET /api/suppressions)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Annotated, Any

import typer

from cli.commands import JsonOpt, session

app = typer.Typer(help="Suppressions: who is never mailed (addresses, domains, people).", invoke_without_command=True)

KindOpt = Annotated[str | None, typer.Option("--kind", help="email, domain, ...")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="unsubscribe, hard_bounce, complaint, manual, ...")]
PrefixOpt = Annotated[str | None, typer.Option("--search", "-q", help="A prefix of the stored value.")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many (pages are followed).")]
COLUMNS = ("id", "kind", "value", "reason", "source", "created")


async def _list(ctx: typer.Context, kind: str | None, reason: str | None, q: str | None, limit: int,
                json_mode: bool) -> None:  # fmt: skip
    s = session(ctx)
    out = s.output(json_mode)
    params = {"kind": kind, "reason": reason, "q": q, "limit": min(limit, 200)}
    async with s.client() as client:
        items = [i async for i in client.pages("/api/suppressions", params, limit=limit)]
    rows = [[i.get("id"), i.get("kind"), i.get("value"), i.get("reason"), i.get("source"), i.get("created_at")]
            for i in items]  # fmt: skip
    out.result({"items": items}, lambda: out.table(COLUMNS, rows, title=f"{len(items)} suppressions"))


@app.callback()
def suppressions(
    ctx: typer.Context, kind: KindOpt = None, reason: ReasonOpt = None, q: PrefixOpt = None, limit: LimitOpt = 50,
    json_: JsonOpt = False,
) -> Coroutine[Any, Any, None] | None:  # fmt: skip
    """Suppressions: who is never mailed. Without a subcommand: the list."""
    if ctx.invoked_subcommand is None:
        return _list(ctx, kind, reason, q, limit, json_)
    return None


@app.command("list", help="List suppressions, newest first.")
async def list_(
    ctx: typer.Context, kind: KindOpt = None, reason: ReasonOpt = None, q: PrefixOpt = None, limit: LimitOpt = 50,
    json_: JsonOpt = False,
) -> None:  # fmt: skip
    await _list(ctx, kind, reason, q, limit, json_)
