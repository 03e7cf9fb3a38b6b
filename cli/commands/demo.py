"""`jengu demo`: the whole loop on the sample data against the local runtime (`make dev`), step by step.

It imports the sample leads (plus offline-World hotels for enrichment and four fresh people for the replies),
enriches them, sends a two-step campaign's first emails to the local SMTP sink, answers four of them through Email
Routing's local endpoint (interested, out-of-office, hard bounce, unsubscribe) and says where to look. Each run is
"Jengu demo #N" with its own recipients, so it can be run again on the same database.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cli.commands import IntervalOpt, JsonOpt, session
from cli.demo.samples import samples_dir
from cli.demo.steps import Demo
from cli.output import Output

HELP = (
    "Run the whole loop on the sample data against the local runtime (`make dev`): import, enrichment, a two-step "
    "campaign, sending to .local/outbox/, and four replies (interested, out-of-office, bounce, unsubscribe)."
)


async def demo(
    ctx: typer.Context,
    step_timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds each step may take.")] = 120.0,
    interval: IntervalOpt = 1.0,
    json_: JsonOpt = False,
) -> None:
    s = session(ctx)
    out = s.output(json_)
    # --json: the steps' lines and tables go to stderr, stdout gets only the summary JSON
    steps_out = Output(s.deps.err, s.deps.err, env=s.deps.env, clock=s.deps.clock) if json_ else out
    samples = samples_dir(os.environ if s.deps.env is None else s.deps.env)
    async with s.client() as client:
        facts = await Demo(s, client, steps_out, samples, timeout=step_timeout, interval=interval).run_all()
    if json_:
        out.json(facts)
