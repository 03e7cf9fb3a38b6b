"""`jengu inboxes list | status | resume ID`: the sending inboxes, their health and warmup, and resuming one."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.client import ApiClient
from cli.commands import JsonOpt, session
from cli.output import Output

app = typer.Typer(help="Sending inboxes: list, health and warmup, resume a paused one.", no_args_is_help=True)


@app.command("list", help="List inboxes.")
async def list_(ctx: typer.Context, json_: JsonOpt = False) -> None:
    s = session(ctx)
    out = s.output(json_)
    async with s.client() as client:
        items = [i async for i in client.pages("/api/inboxes", {"limit": 200})]
    rows = [[i["id"], i["email"], i["status"], i.get("transport", {}).get("kind"), i.get("daily_cap"),
             i.get("hourly_cap"), (i.get("warmup") or {}).get("enabled"), i.get("timezone")]
            for i in items]  # fmt: skip
    out.result({"items": items}, lambda: out.table(
        ("id", "email", "status", "transport", "daily cap", "hourly cap", "warmup", "timezone"), rows,
        title=f"{len(items)} inboxes",
    ))  # fmt: skip


async def inbox_status(client: ApiClient, inbox: str | None = None) -> dict[str, Any]:
    if inbox is not None:
        await client.get(f"/api/inboxes/{inbox}")  # an unknown id is not_found, not a blank inbox's figures
    params = {"inbox": inbox}
    health = await client.get("/api/status/inboxes", params)
    warmup = await client.get("/api/status/warmup", params)
    return {"emergency_stop": health.get("emergency_stop"), "inboxes": health.get("inboxes", []),
            "warmup": warmup.get("inboxes", [])}  # fmt: skip


def health_rows(body: dict[str, Any]) -> list[list[Any]]:
    return [[i.get("email") or i.get("inbox_id"), i.get("status"), i.get("state"), i.get("score"),
             f"{100 * float(i.get('bounce_rate') or 0):.1f}%", f"{100 * float(i.get('complaint_rate') or 0):.2f}%",
             (i.get("circuit") or {}).get("state"), (i.get("paused") or {}).get("reason") if i.get("paused") else None]
            for i in body.get("inboxes", [])]  # fmt: skip


HEALTH_COLUMNS = ("inbox", "status", "health", "score", "bounces", "complaints", "circuit", "paused because")


def warmup_rows(body: dict[str, Any]) -> list[list[Any]]:
    return [[w.get("email") or w.get("inbox_id"), w.get("warming_up"), w.get("week"), w.get("day_limit"),
             w.get("sent"), w.get("remaining_day"), w.get("hour_limit"), w.get("remaining_hour")]
            for w in body.get("warmup", [])]  # fmt: skip


WARMUP_COLUMNS = ("inbox", "warming up", "week", "day limit", "sent today", "left today", "hour limit", "left hour")


def render_status(out: Output, body: dict[str, Any]) -> None:
    out.table(HEALTH_COLUMNS, health_rows(body), title="inbox health")
    out.table(WARMUP_COLUMNS, warmup_rows(body), title="warmup")


@app.command("status", help="Health (bounce and complaint rates, pauses, circuit) and warmup of every inbox.")
async def status(
    ctx: typer.Context,
    inbox: Annotated[str | None, typer.Option("--inbox", help="Only this inbox (id).")] = None,
    json_: JsonOpt = False,
) -> None:
    s = session(ctx)
    out = s.output(json_)
    async with s.client() as client:
        body = await inbox_status(client, inbox)
    out.result(body, lambda: render_status(out, body))


@app.command("resume", help="Resume a paused inbox: its status back to active, and its health if that paused it.")
async def resume(
    ctx: typer.Context, inbox_id: Annotated[str, typer.Argument(metavar="ID")], json_: JsonOpt = False
) -> None:
    s = session(ctx)
    out = s.output(json_)
    async with s.client() as client:
        inbox = await client.post(f"/api/inboxes/{inbox_id}/resume")
        health = (await client.get("/api/status/inboxes", {"inbox": inbox_id})).get("inboxes", [{}])[0]
        resumed = None
        if health.get("paused") or health.get("state") == "paused":
            resumed = await client.post(f"/api/admin/inboxes/{inbox_id}/resume")
    body = {"inbox": inbox, "health": resumed or health}

    def render() -> None:
        out.text(f"inbox {inbox['email']} is {inbox['status']}; health {(resumed or health).get('state')}")

    out.result(body, render)
