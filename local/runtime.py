"""The local runtime: hosts the Worker's entry module in CPython with every binding from wrangler.toml emulated.

One `LocalRuntime` owns the emulators (D1, KV, Queues, Durable Objects, send_email, cron) and invokes the same
`Default` entrypoint class Cloudflare would: `fetch`, `scheduled`, `queue` and `email`. Time comes from an injected
clock, so tests drive queues, alarms and crons by moving a `ManualClock` and calling `run_due()` / `drain()`.
Two host bindings Cloudflare never sets: `JENGU_CLOCK` (that clock) and `JENGU_SOCKETS` (local/sockets.py's asyncio
`StreamOpener`, which the SMTP transport uses instead of `cloudflare:sockets`).
"""

from __future__ import annotations

import importlib
import os
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from local.clock import Clock, SystemClock
from local.config import LocalConfig, load_config
from local.cron import CronSchedule
from local.d1 import apply_migrations, backend_from_env, open_d1
from local.durable import DurableObjectNamespace
from local.email import LocalEmailMessage, LocalSendEmail
from local.env import ExecutionContext, LocalEnv, ScheduledController
from local.kv import LocalKV
from local.paths import REPO_ROOT, ensure_import_paths
from local.queues import MessageBatch, QueueBroker, consumers_from_wrangler
from local.sockets import LocalSocketOpener
from local.workers_ai import LocalWorkersAI
from shared.observability.log import Logger


class LocalRuntime:
    def __init__(
        self,
        root: Path = REPO_ROOT,
        *,
        state_dir: Path | None = None,
        clock: Clock | None = None,
        d1_backend: str | None = None,
        dev_vars: Path | None = None,
        smtp_sink_port: int = 1025,
        extra_vars: dict[str, str] | None = None,
    ) -> None:
        self.root = root.resolve()
        self.config: LocalConfig = load_config(self.root, dev_vars=dev_vars)
        default_state = os.environ.get("JENGU_STATE_DIR") or str(self.root / ".local" / "state")
        self.state_dir = Path(state_dir or default_state).resolve()
        self.clock: Clock = clock or SystemClock()
        self.d1_backend = d1_backend or backend_from_env()
        self.smtp_sink_port = smtp_sink_port
        self.extra_vars = dict(extra_vars or {})
        self.log = Logger("local.runtime")
        self.env: LocalEnv | None = None
        self.entry: ModuleType | None = None
        self.d1: dict[str, Any] = {}
        self.kv: dict[str, LocalKV] = {}
        self.broker: QueueBroker | None = None
        self.durable: dict[str, DurableObjectNamespace] = {}
        self.cron: CronSchedule | None = None
        self.workers_ai: LocalWorkersAI | None = None  # the [ai] binding (tests script it)

    # -- lifecycle ---------------------------------------------------------------------------------------------
    async def start(self, *, migrate: bool = False) -> LocalRuntime:
        ensure_import_paths(self.root)
        self.entry = importlib.import_module("entry")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        values: dict[str, Any] = dict(self.config.bindings_and_vars)
        values["JENGU_CLOCK"] = self.clock  # the Worker tells time by the runtime's clock (tests move it)
        values["JENGU_SOCKETS"] = LocalSocketOpener()  # SMTP's TCP (shared.adapters.mail.smtp.opener_for); never on CF
        values.update(self.extra_vars)
        for db in self.config.d1:
            self.d1[db.binding] = await open_d1(
                self.d1_backend,
                location=self._d1_location(db.database_name),
                database_id=db.database_id,
                clock=self.clock,
            )
            values[db.binding] = self.d1[db.binding]
        for binding in self.config.kv:
            self.kv[binding] = LocalKV(self._file("kv", f"{binding}.sqlite"), self.clock)
            values[binding] = self.kv[binding]
        self.broker = QueueBroker(
            self._file("queues.sqlite"),
            self.clock,
            consumers_from_wrangler({"queues": {"consumers": self.config.consumers}}),
        )
        for binding, queue in self.config.producers.items():
            values[binding] = self.broker.producer(queue)
        for binding, class_name in self.config.durable_objects.items():
            cls = getattr(self.entry, class_name)
            namespace = DurableObjectNamespace(
                class_name, cls, env=None, state_dir=self.state_dir / "do", clock=self.clock
            )
            self.durable[binding] = namespace
            values[binding] = namespace
        for spec in self.config.send_email:
            values[spec["name"]] = LocalSendEmail(
                spec["name"],
                smtp_port=self.smtp_sink_port,
                destination_address=spec.get("destination_address"),
                allowed_destination_addresses=spec.get("allowed_destination_addresses"),
                allowed_sender_addresses=spec.get("allowed_sender_addresses"),
            )
        if self.config.ai:
            self.workers_ai = LocalWorkersAI()
            values[self.config.ai] = self.workers_ai
        self.env = LocalEnv(values)
        for namespace in self.durable.values():
            namespace.env = self.env
        self.cron = CronSchedule(self.config.crons, self.clock, self._file("cron.sqlite"))
        if migrate:
            await self.migrate()
        return self

    async def migrate(self) -> list[str]:
        applied: list[str] = []
        for db in self.config.d1:
            applied += await apply_migrations(self.d1[db.binding], db.migrations_dir)
        return applied

    async def close(self) -> None:
        # Durable Objects first: their pending work and alarms may still use D1, KV or queues.
        for namespace in self.durable.values():
            await namespace.drain()
            namespace.close()
        for db in self.d1.values():
            close = getattr(db, "close", None)
            if close is not None:
                result = close()
                if hasattr(result, "__await__"):
                    await result
        for kv in self.kv.values():
            kv.close()
        if self.broker is not None:
            self.broker.close()
        if self.cron is not None:
            self.cron.close()
        self.d1.clear()
        self.kv.clear()
        self.durable.clear()

    async def __aenter__(self) -> LocalRuntime:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _d1_location(self, database_name: str) -> Path:
        """SQLite: one file per database. Miniflare: wrangler's own layout, so that
        `wrangler d1 migrations apply DB --local --persist-to <state_dir>` and this runtime share one database."""
        if self.d1_backend == "miniflare":
            return self.state_dir / "v3" / "d1"
        return self.state_dir / "d1" / database_name

    def _file(self, *parts: str) -> Path:
        path = self.state_dir.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    # -- invocations -------------------------------------------------------------------------------------------
    def _worker(self) -> tuple[Any, ExecutionContext]:
        if self.entry is None or self.env is None:
            raise RuntimeError("LocalRuntime.start() has not been called")
        ctx = ExecutionContext()
        return self.entry.Default(ctx, self.env), ctx

    async def fetch(self, request: Any) -> Any:
        worker, ctx = self._worker()
        response = await worker.fetch(request)
        await ctx.settle()
        return response

    async def scheduled(self, cron: str, scheduled_time: float | None = None) -> None:
        when = self.clock.now() if scheduled_time is None else scheduled_time
        worker, ctx = self._worker()
        await worker.scheduled(ScheduledController(cron, when * 1000), None, None)
        await ctx.settle()

    async def email(self, message: LocalEmailMessage) -> LocalEmailMessage:
        worker, ctx = self._worker()
        await worker.email(message, None, None)
        await ctx.settle()
        return message

    async def _deliver(self, batch: MessageBatch) -> None:
        worker, ctx = self._worker()
        await worker.queue(batch, None, None)
        await ctx.settle()

    # -- time-driven work --------------------------------------------------------------------------------------
    async def run_due(self) -> int:
        """Deliver due queue batches, fire due alarms and due crons. Returns how much work was done."""
        assert self.broker is not None and self.cron is not None
        done = await self.broker.deliver_due(self._deliver)
        for namespace in self.durable.values():
            done += await namespace.run_due_alarms()
        for expression, fire_time in self.cron.due():
            done += 1
            try:
                await self.scheduled(expression, fire_time)
            except Exception as exc:
                self.log.error("scheduled handler failed", cron=expression, error=f"{type(exc).__name__}: {exc}")
        return done

    async def drain(self, max_rounds: int = 100) -> int:
        """Deliver every visible queue message now (ignoring batch timeouts) until the queues are idle."""
        assert self.broker is not None
        total = 0
        for _ in range(max_rounds):
            delivered = await self.broker.deliver_due(self._deliver, flush=True)
            if delivered == 0:
                return total
            total += delivered
        raise RuntimeError(f"queues still busy after {max_rounds} rounds")

    def next_wakeup(self) -> float | None:
        assert self.broker is not None and self.cron is not None
        times = [self.broker.next_due_time(), self.cron.next_fire_time()]
        times += [ns.next_alarm_time() for ns in self.durable.values()]
        due = [t for t in times if t is not None]
        return min(due) if due else None

    def queue_stats(self) -> dict[str, dict[str, int]]:
        assert self.broker is not None
        return self.broker.stats()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), tz=UTC)
