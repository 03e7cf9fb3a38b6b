"""The deploy bundle: `wrangler deploy --dry-run` (offline) uploads exactly the deployable modules, entry at root."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRANGLER = ROOT / "node_modules" / ".bin" / "wrangler"
BINDINGS = (
    "env.DB", "env.KV_CACHE", "env.EMAIL", "env.WARMUP", "env.INBOX_HEALTH", "env.RATE_LIMITER", "env.DEDUP",
    "env.PROSPECT_LOCK", "env.PROVIDER_BREAKER", "env.ENRICH_QUEUE", "env.COMPOSE_QUEUE", "env.SEND_QUEUE",
    "env.INBOUND_QUEUE", "env.EVENTS_QUEUE", "env.DLQ_QUEUE",
)  # fmt: skip

pytestmark = pytest.mark.skipif(not WRANGLER.exists(), reason="wrangler is not installed (run make install)")


def expected_modules() -> set[str]:
    """Derived from the source tree, independently of the bundle builder's table."""
    names = {"entry.py"}
    for package in ("api", "scheduler", "consumers"):
        names |= {str(p.relative_to(ROOT / "workers")) for p in (ROOT / "workers" / package).rglob("*.py")}
    for package in ("shared", "durable_objects"):
        names |= {str(p.relative_to(ROOT)) for p in (ROOT / package).rglob("*.py")}
    names.add("api/dashboard/_templates.py")  # the dashboard's templates, embedded by the builder
    return {n for n in names if "__pycache__" not in n}


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    outdir = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "WRANGLER_SEND_METRICS": "false", "CI": "true", "NO_COLOR": "1"}
    proc = subprocess.run(
        [str(WRANGLER), "deploy", "--dry-run", "--outdir", str(outdir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return outdir, proc.stdout


def test_dry_run_uploads_exactly_the_deployable_modules(dry_run: tuple[Path, str]) -> None:
    outdir, _ = dry_run
    uploaded = {str(p.relative_to(outdir)) for p in outdir.rglob("*.py")}
    assert uploaded == expected_modules()
    assert (outdir / "entry.py").is_file()


def test_nothing_from_tests_the_local_runtime_or_tools_is_shipped(dry_run: tuple[Path, str]) -> None:
    outdir, _ = dry_run
    shipped = [str(p.relative_to(outdir)) for p in outdir.rglob("*") if p.is_file()]
    for forbidden in ("tests/", "local/", "scripts/", "bench/", "workers/", "__pycache__", ".sql"):
        assert not any(forbidden in name for name in shipped), forbidden
    assert "/__local/" not in "".join((outdir / n).read_text() for n in shipped if n.endswith(".py"))


def test_dry_run_declares_every_binding(dry_run: tuple[Path, str]) -> None:
    _, stdout = dry_run
    for binding in BINDINGS:
        assert binding in stdout, binding


def test_bundle_builder_is_stdlib_only_and_repeatable() -> None:
    python3 = shutil.which("python3")
    assert python3
    for _ in range(2):
        subprocess.run([python3, "scripts/build_bundle.py"], cwd=ROOT, check=True, capture_output=True)
    assert {str(p.relative_to(ROOT / ".bundle")) for p in (ROOT / ".bundle").rglob("*.py")} == expected_modules()


def test_the_dashboard_templates_ship_embedded_as_a_module(dry_run: tuple[Path, str]) -> None:
    outdir, _ = dry_run
    namespace: dict[str, object] = {}
    exec((outdir / "api" / "dashboard" / "_templates.py").read_text(encoding="utf-8"), namespace)
    embedded = namespace["TEMPLATES"]
    folder = ROOT / "workers" / "api" / "dashboard" / "templates"
    assert embedded == {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*.html")}
    assert not list(outdir.rglob("*.html"))  # one source of truth in the deploy
