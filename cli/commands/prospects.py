"""`jengu prospects list | show ID | export`: the prospect list with its filters, one prospect, a CSV export."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.client import CliError
from cli.commands import (
    ArchivedOpt,
    CampaignOpt,
    CountryOpt,
    EmailStatusOpt,
    HasEmailOpt,
    JsonOpt,
    ProspectFilter,
    SearchOpt,
    StageOpt,
    TagOpt,
    TierOpt,
    session,
)  # fmt: skip
from cli.output import Output

app = typer.Typer(help="Prospects: list with filters, show one, export as CSV.", no_args_is_help=True)

SortOpt = Annotated[str | None, typer.Option("--sort", help="-score (default), name, -created_at, ...")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many (pages are followed).")]
LIST_COLUMNS = ("id", "name", "company", "country", "stage", "tier", "score", "email", "email status")


def _row(p: dict[str, Any]) -> list[Any]:
    name = p.get("contact_name") or " ".join(x for x in (p.get("first_name"), p.get("last_name")) if x) or None
    return [p["id"], name, p.get("company_name"), p.get("country"), p.get("stage"), p.get("tier"), p.get("score"),
            p.get("email"), p.get("email_status")]  # fmt: skip


def _filter(**values: Any) -> ProspectFilter:
    return ProspectFilter(**values)


@app.command("list", help="List prospects (best score first unless --sort).")
async def list_(
    ctx: typer.Context, stage: StageOpt = None, tier: TierOpt = None, country: CountryOpt = None, tag: TagOpt = None,
    archived: ArchivedOpt = None, has_email: HasEmailOpt = None, email_status: EmailStatusOpt = None,
    campaign: CampaignOpt = None, search: SearchOpt = None, sort: SortOpt = None, limit: LimitOpt = 50,
    json_: JsonOpt = False,
) -> None:  # fmt: skip
    s = session(ctx)
    out = s.output(json_)
    chosen = _filter(stage=stage, tier=tier, country=country, tag=tag, archived=archived, has_email=has_email,
                     email_status=email_status, campaign=campaign, q=search)  # fmt: skip
    params = {**chosen.params(), "sort": sort, "limit": min(limit, 500)}
    async with s.client() as client:
        items = [p async for p in client.pages("/api/prospects", params, limit=limit)]
    out.result({"items": items}, lambda: _list_table(out, items))


def _list_table(out: Output, items: list[dict[str, Any]]) -> None:
    out.table(LIST_COLUMNS, [_row(p) for p in items], title=f"{len(items)} prospects")


SHOWN = ("id", "contact_name", "job_title", "email", "email_status", "phone", "linkedin_url", "company_name",
         "property_name", "property_type", "rooms", "website", "city", "region", "country", "timezone", "stage",
         "tier", "score", "tags", "lead_source", "notes", "archived", "created_at", "updated_at",
         "last_contacted_at")  # fmt: skip


@app.command("show", help="One prospect and its latest activities.")
async def show(
    ctx: typer.Context, prospect_id: Annotated[str, typer.Argument(metavar="ID")], json_: JsonOpt = False
) -> None:
    s = session(ctx)
    out = s.output(json_)
    async with s.client() as client:
        prospect = await client.get(f"/api/prospects/{prospect_id}")
        activities = await client.get(f"/api/prospects/{prospect_id}/activities", {"limit": 20})
    items = activities.get("items", []) if isinstance(activities, dict) else []

    def render() -> None:
        out.fields([(name.replace("_", " "), prospect.get(name)) for name in SHOWN], title="prospect")
        if items:
            rows = [[a.get("occurred_at"), a.get("type"), a.get("summary"), a.get("actor")] for a in items]
            out.table(("at", "type", "summary", "by"), rows, title="activities")

    out.result({**prospect, "activities": items}, render)


@app.command("export", help="Export prospects as CSV (the API's columns), to stdout or -o FILE.")
async def export(
    ctx: typer.Context, stage: StageOpt = None, tier: TierOpt = None, country: CountryOpt = None, tag: TagOpt = None,
    archived: ArchivedOpt = None, has_email: HasEmailOpt = None, email_status: EmailStatusOpt = None,
    campaign: CampaignOpt = None, search: SearchOpt = None, sort: SortOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    json_: JsonOpt = False,
) -> None:  # fmt: skip
    s = session(ctx)
    out = s.output(json_)
    chosen = _filter(stage=stage, tier=tier, country=country, tag=tag, archived=archived, has_email=has_email,
                     email_status=email_status, campaign=campaign, q=search)  # fmt: skip
    params = {**chosen.params(), "sort": sort}
    lines = 0
    text = codecs.getincrementaldecoder("utf-8")()  # a character may straddle two chunks
    try:
        target = output.open("wb") if output is not None else None
    except OSError as exc:
        raise CliError("bad_file", f"cannot write {output}: {exc.strerror or exc}", 2) from exc
    try:
        async with s.client() as client, client.stream("GET", "/api/prospects/export", params=params) as response:
            async for chunk in response.aiter_bytes():
                lines += chunk.count(b"\n")
                if target is not None:
                    target.write(chunk)
                else:
                    _stdout(s.deps.out).write(text.decode(chunk))
        if target is None:
            _stdout(s.deps.out).write(text.decode(b"", final=True))
    finally:
        if target is not None:
            target.close()
    rows = max(0, lines - 1)
    if output is not None:
        summary = {"file": str(output), "rows": rows}
        out.result(summary, lambda: out.text(f"{rows} prospects written to {output}"))


def _stdout(stream: Any) -> Any:
    return stream if stream is not None else sys.stdout
