"""`jengu enrich`: queue prospects for enrichment (by `--id` or the list filters) and follow it to the end.

`POST /api/enrich` queues them; then `GET /api/enrich/status` is polled (a bar: prospects enriched among those
queued so far) until nothing is queued any more, and the coverage, provider calls and costs are shown.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.client import EXIT_USAGE, CliError
from cli.commands import (
    ArchivedOpt,
    CampaignOpt,
    CountryOpt,
    EmailStatusOpt,
    HasEmailOpt,
    IntervalOpt,
    JsonOpt,
    ProspectFilter,
    SearchOpt,
    StageOpt,
    TagOpt,
    TierOpt,
    session,
)  # fmt: skip
from cli.output import Output

HELP = (
    "Enrich prospects (website, facts, email address) by --id or by the list filters (--stage, --tier, ...), with "
    "live progress from /api/enrich/status; --no-wait returns once they are queued."
)
SETTLED = ("done", "partial", "failed", "waiting")


def progress_of(status: dict[str, Any]) -> tuple[int, int]:
    """(settled, tried): prospects enriched (or given up on for now) among every prospect ever queued."""
    counts = status.get("prospects", {})
    settled = sum(int(counts.get(k, 0)) for k in SETTLED)
    return settled, settled + int(counts.get("queued", 0))


def finished(status: dict[str, Any]) -> bool:
    depth = (status.get("queue") or {}).get("depth")
    return int(status.get("prospects", {}).get("queued", 0)) == 0 and not depth


def render(out: Output, queued: dict[str, Any], status: dict[str, Any]) -> None:
    counts = status.get("prospects", {})
    out.fields([*((k, counts.get(k, 0)) for k in ("never", "queued", *SETTLED, "total")),
                ("progress", f"{status.get('progress_pct', 0)}%")], title="prospects")  # fmt: skip
    coverage = status.get("coverage", {})
    out.fields([(name, f"{coverage.get(f'{name}_pct', 0)}%") for name in ("website", "email", "valid_email", "facts")],
               title="coverage")  # fmt: skip
    rows = [[p.get("name"), p.get("kind"), p.get("configured"), p["today"]["calls"], p["today"]["failures"],
             p["today"]["cost_usd"], p["month"]["cost_usd"]] for p in status.get("providers", [])]  # fmt: skip
    out.table(("provider", "kind", "configured", "calls today", "failures", "cost today $", "cost month $"), rows,
              title="providers")  # fmt: skip
    for failure in status.get("recent_failures", [])[:5]:
        out.note(f"recent failure: {failure.get('provider')}: {failure.get('error')} ({failure.get('at')})")


async def enrich(
    ctx: typer.Context,
    ids: Annotated[list[str] | None, typer.Option("--id", help="A prospect id (repeatable, up to 1,000).")] = None,
    stage: StageOpt = None, tier: TierOpt = None, country: CountryOpt = None, tag: TagOpt = None,
    archived: ArchivedOpt = None, has_email: HasEmailOpt = None, email_status: EmailStatusOpt = None,
    campaign: CampaignOpt = None, search: SearchOpt = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the progress until nothing is queued.")] = True,
    interval: IntervalOpt = 2.0, json_: JsonOpt = False,
) -> None:  # fmt: skip
    s = session(ctx)
    out = s.output(json_)
    chosen = ProspectFilter(stage=stage, tier=tier, country=country, tag=tag, archived=archived, has_email=has_email,
                            email_status=email_status, campaign=campaign, q=search)  # fmt: skip
    if ids and not chosen.empty():
        raise CliError("usage", "give either --id or filters, not both", EXIT_USAGE)
    if not ids and chosen.empty():
        raise CliError("usage", "say which prospects: --id ID ... or a filter such as --stage new", EXIT_USAGE)
    body = {"ids": ids} if ids else {"filter": chosen.body()}
    async with s.client() as client:
        queued = await client.post("/api/enrich", body)
        if queued.get("selection_id"):
            out.note(f"enrichment of the matching prospects queued (selection {queued['selection_id']})")
        else:
            out.note(f"{queued['queued']} of {queued['requested']} prospects queued for enrichment")
        status = await client.get("/api/enrich/status")
        if wait:
            bar = out.progress("enrich", "prospects", every_s=interval * 2)
            while True:
                bar.update(*progress_of(status))
                if finished(status):
                    break
                await s.sleep(interval)
                status = await client.get("/api/enrich/status")
            bar.close()
    out.result({"request": queued, "status": status}, lambda: render(out, queued, status))
