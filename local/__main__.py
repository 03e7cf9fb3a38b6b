"""`python -m local <command>`: run the local runtime (`serve`), apply migrations (`migrate`), or print URLs.

serve: HTTP on 127.0.0.1:8787 (the Worker + wrangler's local endpoints), inbound SMTP on 127.0.0.1:2525 (as Email
Routing), an outbound SMTP sink on 127.0.0.1:1025 writing `.eml` files to `.local/outbox/`, a fake DNS-over-HTTPS
resolver on 127.0.0.1:8053 serving `local/fakes/zones.json` and the offline World's hotels (`local/fakes/world.json`),
the enrichment fakes (search APIs, verifiers, hotel websites: local/fakes/enrichment.py; each Worker setting they
need is set unless `.dev.vars` sets it), and a loop that fires crons, queue batches and Durable Object alarms in real
time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

import uvicorn

from local.email import InboundSmtpServer, SmtpSink, smtp_transport
from local.fakes.enrichment import EnrichmentFakes
from local.runtime import REPO_ROOT, LocalRuntime
from local.server import create_dev_app

IDLE_POLL_SECONDS = 1.0


async def pump(runtime: LocalRuntime, stop: asyncio.Event) -> None:
    """Fire whatever is due, then sleep until the next due time (at most a second), until stopped."""
    while not stop.is_set():
        try:
            await runtime.run_due()
        except Exception as exc:  # keep serving; the error is in the log
            runtime.log.error("background work failed", error=f"{type(exc).__name__}: {exc}")
        wakeup = runtime.next_wakeup()
        delay = IDLE_POLL_SECONDS if wakeup is None else min(IDLE_POLL_SECONDS, max(0.05, wakeup - runtime.clock.now()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)


async def serve(args: argparse.Namespace) -> None:
    fakes = await EnrichmentFakes(host=args.host, doh_port=args.doh_port).start()
    doh = fakes.doh
    outbox = Path(args.outbox) if args.outbox else REPO_ROOT / ".local" / "outbox"
    sink = SmtpSink(outbox, host=args.host, port=args.smtp_sink_port)
    await sink.start()  # first, so the Worker's local transport knows its port (0 picks a free one)
    runtime = LocalRuntime(REPO_ROOT, state_dir=args.state_dir, smtp_sink_port=sink.port)
    for name, value in fakes.worker_vars().items():  # .dev.vars may point the Worker at real services
        if not runtime.config.bindings_and_vars.get(name):  # an empty NAME= in .dev.vars is not a setting
            runtime.extra_vars[name] = value
    await runtime.start(migrate=True)
    inbound = InboundSmtpServer(
        runtime.email, host=args.host, port=args.smtp_port, forwarder=smtp_transport(args.host, sink.port)
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_dev_app(runtime, outbox=outbox), host=args.host, port=args.port, log_level="warning", lifespan="off"
        )
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Task[object]] = []
    try:
        await inbound.start()
        tasks.append(asyncio.create_task(server.serve()))
        while not server.started:  # print the URLs only once the port is really ours
            if tasks[0].done():
                raise SystemExit(f"could not start the HTTP server on {args.host}:{args.port} (port in use?)")
            await asyncio.sleep(0.05)
        print(banner(runtime, args, inbound.port, sink.port, outbox, doh.url), flush=True)
        print(f"  enrichment  search {fakes.search.base_url}  verifiers {fakes.verifiers.base_url}  "
              f"websites {fakes.websites.base_url}  (local/fakes/world.json)", flush=True)  # fmt: skip
        tasks.append(asyncio.create_task(pump(runtime, stop)))
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({tasks[0], stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
    finally:
        stop.set()
        server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        await inbound.stop()
        await sink.stop()
        await fakes.stop()
        await runtime.close()


def banner(
    runtime: LocalRuntime, args: argparse.Namespace, smtp_in: int, smtp_sink: int, outbox: Path, doh_url: str
) -> str:
    base = f"http://{args.host}:{args.port}"
    doh_use = "DOH_URL" if runtime.extra_vars.get("DOH_URL") == doh_url else "not used: .dev.vars sets DOH_URL"
    return (
        f"Jengu local runtime ({runtime.d1_backend} D1, state in {runtime.state_dir})\n"
        f"  HTTP        {base}  (/health /ready /live /docs)\n"
        f"  cron        curl -X POST '{base}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*'\n"
        f"  email       curl -X POST --data-binary @mail.eml "
        f"'{base}/cdn-cgi/handler/email?from=a@example.com&to=b@example.com'\n"
        f"  queues      {base}/__local/queues\n"
        f"  SMTP in     {args.host}:{smtp_in}   SMTP sink {args.host}:{smtp_sink} -> {outbox}\n"
        f"  DNS (DoH)   {doh_url}  ({doh_use}; jengu-demo.test, broken-demo.test; POST /__fake/zone replaces them)"
    )


async def migrate(args: argparse.Namespace) -> None:
    runtime = await LocalRuntime(REPO_ROOT, state_dir=args.state_dir).start()
    try:
        applied = await runtime.migrate()
        print(f"migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")
    finally:
        await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", type=Path, default=None, help="state directory (default .local/state)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_p = sub.add_parser("serve", help="run the Worker locally")
    serve_p.add_argument("--host", default="127.0.0.1")
    serve_p.add_argument("--port", type=int, default=8787)
    serve_p.add_argument("--smtp-port", type=int, default=2525)
    serve_p.add_argument("--smtp-sink-port", type=int, default=1025)
    serve_p.add_argument("--outbox", default=None)
    serve_p.add_argument("--doh-port", type=int, default=8053, help="the fake DNS-over-HTTPS resolver (0: any)")
    sub.add_parser("migrate", help="apply migrations/ to the local D1")
    args = parser.parse_args()
    asyncio.run(serve(args) if args.command == "serve" else migrate(args))


if __name__ == "__main__":
    main()
