"""End-to-end fixtures: a `LocalRuntime` on a temporary state dir, a manual clock, and HTTP clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from local.clock import ManualClock
from local.d1 import miniflare_available
from local.runtime import LocalRuntime
from local.server import create_dev_app

ROOT = Path(__file__).resolve().parents[2]
TEST_API_KEY = "jengu_test_key_0123456789abcdef"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def dev_vars(tmp_path: Path) -> Path:
    path = tmp_path / ".dev.vars"
    path.write_text(f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=info\nAPI_KEY={TEST_API_KEY}\n")
    return path


@pytest.fixture
def d1_backend() -> str:
    """SQLite by default; a test that must also hold on real D1 parametrizes this with `BOTH_D1_BACKENDS`."""
    return "sqlite"


BOTH_D1_BACKENDS = pytest.mark.parametrize(
    "d1_backend",
    [
        "sqlite",
        pytest.param(
            "miniflare",
            marks=[pytest.mark.miniflare, pytest.mark.skipif(not miniflare_available(), reason="miniflare missing")],
        ),
    ],
)


@pytest.fixture
async def runtime(tmp_path: Path, clock: ManualClock, dev_vars: Path, d1_backend: str) -> AsyncIterator[LocalRuntime]:
    rt = LocalRuntime(
        ROOT, state_dir=tmp_path / "state", clock=clock, dev_vars=dev_vars, smtp_sink_port=0, d1_backend=d1_backend
    )
    await rt.start(migrate=True)
    try:
        yield rt
    finally:
        await rt.close()


@pytest.fixture
async def http(runtime: LocalRuntime) -> AsyncIterator[httpx.AsyncClient]:
    """The dev server's ASGI app in-process: wrangler's local endpoints plus the Worker's fetch."""
    transport = httpx.ASGITransport(app=create_dev_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as client:
        yield client
