"""`wrangler d1 migrations apply --local` (offline) accepts our migrations, and the runtime's miniflare D1 sees them:
wrangler and the local runtime share one database and one `d1_migrations` bookkeeping."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from workers import Request

from local.clock import ManualClock
from local.d1 import miniflare_available
from local.runtime import LocalRuntime

ROOT = Path(__file__).resolve().parents[2]
WRANGLER = ROOT / "node_modules" / ".bin" / "wrangler"

pytestmark = [
    pytest.mark.miniflare,
    pytest.mark.skipif(not (WRANGLER.exists() and miniflare_available()), reason="wrangler/miniflare not installed"),
]


def wrangler_apply(state: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WRANGLER), "d1", "migrations", "apply", "DB", "--local", "--persist-to", str(state)],
        cwd=ROOT,
        env={**os.environ, "WRANGLER_SEND_METRICS": "false", "CI": "true", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


async def test_wrangler_applies_our_migrations_and_the_runtime_is_ready(tmp_path: Path) -> None:
    state = tmp_path / "state"
    applied = wrangler_apply(state)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "0001_platform.sql" in applied.stdout

    runtime = await LocalRuntime(ROOT, state_dir=state, clock=ManualClock(), d1_backend="miniflare").start()
    try:
        assert await runtime.migrate() == []  # already applied by wrangler: same bookkeeping
        response = await runtime.fetch(Request("http://127.0.0.1:8787/ready"))
        assert response.status == 200, response.body
        assert json.loads(response.body)["status"] == "ready"
    finally:
        await runtime.close()
    again = wrangler_apply(state)
    assert again.returncode == 0
    assert "No migrations to apply" in again.stdout
