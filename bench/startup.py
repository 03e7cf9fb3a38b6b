"""Startup budget: CPU time of importing the bundle's entry module from source, beside `import fastapi` alone.

Cloudflare runs the Worker's top level once per deploy (then snapshots it) and fails the deploy when it exceeds the
1 s startup CPU limit. Workers ships no `.pyc`, so every module is compiled from source. Each sample is one fresh
interpreter with `-B` and an empty `-X pycache_prefix`, so nothing is read from (or written to) a bytecode cache,
and `time.process_time()` around the one import statement. The entry module is imported from a freshly assembled
`.bundle/` (scripts/build_bundle.py) with the local SDK stand-ins (local/sdk) for `workers`, `asgi` and `js`,
exactly the path layout Cloudflare gives it. Both imports start from the state a Python Worker's module starts from:
the stdlib modules Pyodide's own bootstrap has loaded (`PYODIDE_BOOTSTRAP_MODULES`: asyncio for its event loop,
logging, inspect, json...) are imported first, untimed, as they are already in memory on Workers. Median of several
samples each, interleaved; the budget is the ratio (decision 0012): entry / fastapi <= 1.2.
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

# `sys.modules` of Pyodide 0.28.3 right after `loadPyodide()`, before any Worker code (node_modules/pyodide; checked
# by tests/unit/test_startup_imports.py), without Pyodide's own `pyodide*` / `_pyodide*` modules.
_PYODIDE_BOOTSTRAP = """
    _abc _ast _asyncio _bisect _bz2 _codecs _collections _collections_abc _colorize _compression _contextvars
    _frozen_importlib _frozen_importlib_external _functools _heapq _imp _io _json _opcode _opcode_metadata _operator
    _random _signal _sitebuiltins _socket _sre _stat _string _struct _thread _tokenize _typing _warnings _weakref
    _weakrefset abc array ast asyncio asyncio.base_events asyncio.base_futures asyncio.base_subprocess
    asyncio.base_tasks asyncio.constants asyncio.coroutines asyncio.events asyncio.exceptions asyncio.format_helpers
    asyncio.futures asyncio.locks asyncio.log asyncio.mixins asyncio.protocols asyncio.queues asyncio.runners
    asyncio.selector_events asyncio.sslproto asyncio.staggered asyncio.streams asyncio.subprocess asyncio.taskgroups
    asyncio.tasks asyncio.threads asyncio.timeouts asyncio.transports asyncio.trsock asyncio.unix_events atexit
    binascii bisect builtins bz2 codecs collections collections.abc concurrent concurrent.futures
    concurrent.futures._base contextlib contextvars copy copyreg dis encodings encodings.aliases encodings.utf_8 enum
    errno fnmatch functools gc genericpath glob heapq importlib importlib._abc importlib._bootstrap
    importlib._bootstrap_external importlib.abc importlib.machinery importlib.resources importlib.resources._common
    importlib.resources._functional importlib.resources.abc importlib.util inspect io itertools json json.decoder
    json.encoder json.scanner keyword linecache logging marshal math ntpath opcode operator os os.path pathlib
    pathlib._abc pathlib._local posix posixpath random re re._casefix re._compiler re._constants re._parser reprlib
    select selectors shutil signal site socket stat string struct subprocess sys tempfile textwrap threading time
    token tokenize traceback types typing warnings weakref zipfile zipfile._path zipfile._path.glob zipimport zlib
"""
PYODIDE_BOOTSTRAP_MODULES: tuple[str, ...] = tuple(_PYODIDE_BOOTSTRAP.split())

# Run in the child: load the platform's modules (argv[2:]) untimed, then time one import statement (argv[1]);
# report CPU seconds and how many modules that import loaded.
_TIMED_IMPORT = """\
import sys, time
for name in sys.argv[2:]:
    __import__(name)
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


def timed_import(
    bundle: Path, scratch: Path, module: str, preloaded: Sequence[str] = PYODIDE_BOOTSTRAP_MODULES
) -> tuple[float, int]:
    """CPU seconds to import `module` in a fresh interpreter with an empty bytecode cache (after `preloaded`, untimed),
    and how many modules it loaded."""
    pycache = Path(tempfile.mkdtemp(prefix="pycache-", dir=scratch))
    done = fresh_python(bundle, pycache, _TIMED_IMPORT, module, *preloaded)
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
