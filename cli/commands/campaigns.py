"""`jengu campaigns list | show ID | create-from FILE | activate ID | pause ID | stats ID`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.client import EXIT_USAGE, CliError
from cli.commands import JsonOpt, session
from cli.output import Output

app = typer.Typer(help="Campaigns: list, show, create from a JSON file, activate, pause, stats.", no_args_is_help=True)
IdArg = Annotated[str, typer.Argument(metavar="ID")]


def _list_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    return [[c["id"], c["name"], c["status"], len(c.get("steps") or []), len(c.get("inbox_ids") or []),
             c.get("activated_at")] for c in items]  # fmt: skip


@app.command("list", help="List campaigns.")
async def list_(
    ctx: typer.Context,
    archived: Annotated[str | None, typer.Option("--archived", help="true, false (default) or all")] = None,
    json_: JsonOpt = False,
) -> None:
    s = session(ctx)
    out = s.output(json_)
    async with s.client() as client:
        items = [c async for c in client.pages("/api/campaigns", {"archived": archived, "limit": 100})]
    out.result({"items": items}, lambda: out.table(
        ("id", "name", "status", "steps", "inboxes", "activated"), _list_rows(items), title=f"{len(items)} campaigns"
    ))  # fmt: skip


def _steps_table(out: Output, campaign: dict[str, Any]) -> None:
    rows = []
    for step in campaign.get("steps") or []:
        for v in step.get("variants") or []:
            rows.append([step.get("position"), f"{step.get('delay')} {step.get('delay_unit')}", step.get("kind"),
                         v.get("key"), v.get("subject") or v.get("strategy")])  # fmt: skip
    out.table(("step", "delay", "kind", "variant", "subject / strategy"), rows, title="steps")


def _show(out: Output, campaign: dict[str, Any]) -> None:
    settings = campaign.get("settings") or {}
    window = settings.get("window") or {}
    out.fields(
        [("id", campaign["id"]), ("name", campaign["name"]), ("status", campaign["status"]),
         ("inboxes", campaign.get("inbox_ids")), ("timezone", settings.get("timezone")),
         ("window", f"{','.join(window.get('weekdays', []))} {window.get('start')}-{window.get('end')}"),
         ("activated", campaign.get("activated_at")), ("version", campaign.get("version"))],
        title="campaign",
    )  # fmt: skip
    _steps_table(out, campaign)
    for warning in campaign.get("warnings") or []:
        out.note(f"warning: {warning.get('code')}: {warning.get('message')}")


@app.command("show", help="One campaign and its steps.")
async def show(ctx: typer.Context, campaign_id: IdArg, json_: JsonOpt = False) -> None:
    s = session(ctx)
    out = s.output(json_)
    async with s.client() as client:
        campaign = await client.get(f"/api/campaigns/{campaign_id}")
    out.result(campaign, lambda: _show(out, campaign))


def read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError("bad_file", f"cannot read {file}: {exc.strerror or exc}", EXIT_USAGE) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CliError("bad_file", f"{file} is not JSON: {exc}", EXIT_USAGE) from exc


@app.command("create-from", help="Create a campaign from a JSON file (the body of POST /api/campaigns).")
async def create_from(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="A JSON file.")], json_: JsonOpt = False
) -> None:
    s = session(ctx)
    out = s.output(json_)
    body = read_json(file)
    if not isinstance(body, dict):
        raise CliError("bad_file", f"{file} must hold one JSON object (the campaign)", EXIT_USAGE)
    async with s.client() as client:
        campaign = await client.post("/api/campaigns", body)
    out.result(campaign, lambda: _show(out, campaign))


async def _act(ctx: typer.Context, campaign_id: str, action: str, json_mode: bool) -> None:
    s = session(ctx)
    out = s.output(json_mode)
    async with s.client() as client:
        campaign = await client.post(f"/api/campaigns/{campaign_id}/{action}")

    def render() -> None:
        out.text(f"campaign {campaign['id']} ({campaign['name']}) is {campaign['status']}")
        for warning in campaign.get("warnings") or []:
            out.note(f"warning: {warning.get('code')}: {warning.get('message')}")

    out.result(campaign, render)


@app.command("activate", help="Start sending (draft or paused -> active).")
async def activate(ctx: typer.Context, campaign_id: IdArg, json_: JsonOpt = False) -> None:
    s = session(ctx)
    async with s.client() as client:
        current = await client.get(f"/api/campaigns/{campaign_id}")
    await _act(ctx, campaign_id, "resume" if current.get("status") == "paused" else "activate", json_)


@app.command("pause", help="Stop sending for now (active -> paused).")
async def pause(ctx: typer.Context, campaign_id: IdArg, json_: JsonOpt = False) -> None:
    await _act(ctx, campaign_id, "pause", json_)


COUNTS = ("queued", "sent", "replied", "bounced", "failed", "cancelled")


def _stats(out: Output, stats: dict[str, Any]) -> None:
    rows = [[step.get("position"), v.get("variant"), *(v.get("counts", {}).get(k, 0) for k in COUNTS), v.get("total")]
            for step in stats.get("steps", []) for v in step.get("variants", [])]  # fmt: skip
    out.table(("step", "variant", *COUNTS, "total"), rows, title=f"campaign {stats.get('campaign_id')}")
    emails = stats.get("emails", {})
    out.fields([(k, emails.get(k, 0)) for k in (*COUNTS, "total")], title="emails")
    enrollments = stats.get("enrollments", {})
    out.fields(list(enrollments.items()), title="enrollments")


@app.command("stats", help="Emails per step and variant, and enrollments.")
async def stats(ctx: typer.Context, campaign_id: IdArg, json_: JsonOpt = False) -> None:
    s = session(ctx)
    out = s.output(json_)
    async with s.client() as client:
        body = await client.get(f"/api/campaigns/{campaign_id}/stats")
    out.result(body, lambda: _stats(out, body))
