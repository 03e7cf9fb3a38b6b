"""CLI tests: the `jengu` command run in-process against the local runtime (its ASGI app over httpx)."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from cli.app import run_async
from cli.commands import Deps
from local.clock import ManualClock
from local.runtime import LocalRuntime
from local.server import create_dev_app

ROOT = Path(__file__).resolve().parents[2]
TEST_API_KEY = "jengu_test_key_0123456789abcdef"


@asynccontextmanager
async def cli_runtime(tmp_path: Path) -> AsyncIterator[LocalRuntime]:
    """The local runtime on a temporary state dir (as tests/e2e runs it), enrichment on create off."""
    dev_vars = tmp_path / ".dev.vars"
    dev_vars.write_text(f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=warning\nAPI_KEY={TEST_API_KEY}\n")
    rt = LocalRuntime(ROOT, state_dir=tmp_path / "state", clock=ManualClock(), dev_vars=dev_vars, smtp_sink_port=0,
                      d1_backend="sqlite")  # fmt: skip
    await rt.start(migrate=True)
    try:
        yield rt
    finally:
        await rt.close()


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Jengu:
    """`await jengu("prospects", "list")`: one invocation, its exit code and what it printed. Each poll's sleep
    drains the runtime's queues and moves the CLI's clock by the seconds slept (rates and ETAs are exact)."""

    runtime: LocalRuntime | None
    key: str
    cwd: Path
    transport: httpx.AsyncBaseTransport | None = None
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.runtime is not None:
            await self.runtime.drain()

    async def __call__(self, *argv: str, key: str | None = None, url: str = "http://127.0.0.1:8787") -> Result:
        out, err = io.StringIO(), io.StringIO()
        transport = self.transport
        if transport is None and self.runtime is not None:
            transport = httpx.ASGITransport(app=create_dev_app(self.runtime))
        deps = Deps(transport=transport, out=out, err=err, env={"HOME": str(self.cwd), **self.env}, cwd=self.cwd,
                    clock=self.clock, sleep=self.sleep)  # fmt: skip
        code = await run_async(["--url", url, "--key", key or self.key, *argv], deps)
        return Result(code, out.getvalue(), err.getvalue())
