"""Startup budget: CPU time of importing the bundle's entry module from source, beside `import fastapi` alone.

Cloudflare runs the Worker's top level once per deploy (then snapshots it) and fails the deploy when it exceeds the
1 s startup CPU limit. Workers ships no `.pyc`, so every module is compiled from source. Each sample is one fresh
interpreter with `-B` and an empty `-X pycache_prefix`, so nothing is read from (or written to) a bytecode cache,
and `time.process_time()` around the one import statement. The entry module is imported from a freshly assembled
`.bundle/` (scripts/build_bundle.py) with the local SDK stand-ins (local/sdk) for `workers`, `asgi` and `js`,
exactly the path layout Cloudflare gives it. Median of several samples each, interleaved; the budget is the ratio
(decision 0012): entry / fastapi <= 1.2.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from scripts.build_bundle import build

ROOT = Path(__file__).resolve().parent.parent
SDK_STAND_INS = ROOT / "local" / "sdk"
BUDGET_RATIO = 1.2
SAMPLES = 7

# Run in the child: time one import statement, report CPU seconds and how many modules it loaded.
_TIMED_IMPORT = """\
import sys, time
before = len(sys.modules)
started = time.process_time()
__import__(sys.argv[1])
elapsed = time.process_time() - started
print(elapsed, len(sys.modules) - before)
"""


def build_bundle(dest: Path) -> Path:
    """Assemble the deploy bundle into `dest` with scripts/build_bundle.py; returns the bundle root."""
    bundle = dest / "bundle"
    build(bundle)
    return bundle


def fresh_python(bundle: Path, pycache: Path, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter that sees the bundle as Cloudflare lays it out and compiles from source.

    `-P` keeps the working directory (which holds our own `workers/` source root) off `sys.path`; `-B` plus an
    empty pycache prefix means no bytecode cache is read or written.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(bundle), str(SDK_STAND_INS)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    argv = [sys.executable, "-P", "-B", "-X", f"pycache_prefix={pycache}", "-c", code, *args]
    return subprocess.run(argv, env=env, cwd=bundle, capture_output=True, text=True, check=False, timeout=120)


def timed_import(bundle: Path, scratch: Path, module: str) -> tuple[float, int]:
    """CPU seconds to import `module` in a fresh interpreter with an empty bytecode cache, and modules loaded."""
    pycache = Path(tempfile.mkdtemp(prefix="pycache-", dir=scratch))
    done = fresh_python(bundle, pycache, _TIMED_IMPORT, module)
    if done.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{done.stderr}")
    seconds, modules = done.stdout.split()
    return float(seconds), int(modules)


def measure(samples: int = SAMPLES, modules: Sequence[str] = ("entry", "fastapi")) -> dict[str, list[float]]:
    """Interleaved samples (entry, fastapi, entry, ...) so machine drift hits both alike."""
    results: dict[str, list[float]] = {m: [] for m in modules}
    with tempfile.TemporaryDirectory(prefix="jengu-startup-") as tmp:
        scratch = Path(tmp)
        bundle = build_bundle(scratch)
        for _ in range(samples):
            for module in modules:
                results[module].append(timed_import(bundle, scratch, module)[0])
    return results


def run(figure: Callable[[str], None], samples: int = SAMPLES) -> float:
    """Report both medians and the ratio through `figure`; returns the ratio."""
    results = measure(samples)
    entry, fastapi = statistics.median(results["entry"]), statistics.median(results["fastapi"])
    ratio = entry / fastapi
    verdict = "ok" if ratio <= BUDGET_RATIO else f"OVER the {BUDGET_RATIO}x budget"
    figure(f"startup import fastapi        {fastapi * 1000:7.0f} ms cpu  (median of {samples}, from source)")
    figure(f"startup import entry          {entry * 1000:7.0f} ms cpu  (ratio to fastapi {ratio:.2f}, {verdict})")
    return ratio


if __name__ == "__main__":
    run(print)
