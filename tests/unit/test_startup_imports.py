"""The startup rule (decision 0012), checked deterministically: importing the bundle's entry module in a fresh
interpreter loads none of the door-specific heavy modules and does no I/O, draws no randomness and touches no JS.

Timing lives in `make bench` (bench/startup.py); this test only looks at what the import *does*. The child runs with
guards installed before `import entry`: any file opened outside the interpreter's own tree (pydantic reads its
plugins' dist-info there), any write, socket, subprocess or entropy (os.urandom, unseeded Random, SystemRandom,
uuid4, secrets) raises `StartupViolation`, except where the SDK itself allows it: the bodies of the OpenTelemetry
modules FastAPI imports draw UUIDs, which workers-runtime-sdk permits for exactly those modules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from bench.startup import PYODIDE_BOOTSTRAP_MODULES, ROOT, build_bundle, fresh_python

pytestmark = pytest.mark.slow  # fresh interpreters and a Node process

# Loaded on first use, never by `import entry`: (module, why it is door-specific).
HEAVY_MODULES: dict[str, str] = {
    "shared.domain.geo_tables": "geo tables: loaded by the first country / time zone lookup",
    "shared.domain.csv_import": "CSV parsers: the import routes and the import job consumer",
    "csv": "CSV parsers",
    "shared.domain.csv_export": "CSV export: one route",
    "shared.service_layer.imports": "CSV import service",
    "email.policy": "the email header registry (modern MIME policies): inbound parsing only",
    "email.headerregistry": "the email header registry",
    "api.routes": "the HTTP routes load with the app, on the fetch door's first request",
    "pydantic.v1": "FastAPI's route analysis imports it: routes load with the app",
    "consumers.dispatch": "the queue door's dispatch: imported in Default.queue",
    "scheduler.jobs": "the scheduled door's jobs: imported in Default.scheduled",
    "shared.service_layer.inbound": "the email door's service: imported in Default.email",
    "shared.service_layer.health": "/health's checks: built by Services.health",
    "shared.service_layer.sending_gate": "the sending path's gate: built by Services.send_gate",
    "shared.domain.prospects": "the prospect domain: composed with its repositories by bootstrap()",
    "shared.adapters.d1.prospects": "the prospect repository: imported by bootstrap()",
    "shared.adapters.d1.import_jobs": "the import job repository: imported by bootstrap()",
    "durable_objects.dedup.logic": "each Durable Object's logic loads on the object's first call",
    "durable_objects.inbox_health.logic": "Durable Object logic",
    "durable_objects.prospect_lock.logic": "Durable Object logic",
    "durable_objects.provider_breaker.logic": "Durable Object logic",
    "durable_objects.rate_limiter.logic": "Durable Object logic",
    "durable_objects.warmup.logic": "Durable Object logic",
    "jinja2": "templates and prompts: the compose consumer, the campaign routes and the preview load it",
    "holidays": "public holidays: the first holiday lookup of the tick or an enrollment",
    "shared.domain.composition.templates": "the sandboxed template environment: composition and step checks only",
    "shared.domain.composition.validation": "draft validation: composition and preview only",
    "shared.domain.campaigns.schedule": "send windows and delays: the tick, enrollment and compose",
    "shared.service_layer.scheduling.tick": "the sending tick: built by Services.send_tick",
    "shared.service_layer.composition.compose": "the compose consumer: built by Services.compose_service",
    "shared.adapters.ai": "AI provider adapters: built on the first composition with providers configured",
    "shared.adapters.d1.enrollments": "the enrollment repository: built on first use",
    "shared.domain.inbound_mail.parse": "inbound parsing: the inbound consumer and the inbound API only",
    "shared.domain.inbound_mail.bounces": "delivery reports: the inbound consumer only",
    "shared.domain.inbound_mail.intent": "reply intents: the inbound consumer only",
    "shared.service_layer.sending.send": "the send consumer: imported by its queue handler",
    "shared.domain.sending.mime": "MIME building: the send consumer only",
    "js": "no JS objects at import: only handlers touch the Pyodide `js` module",
    "pyodide": "no JS objects at import",
}

GUARDED_IMPORT = textwrap.dedent(
    """
    import builtins, io, json, os, random, socket, subprocess, sys, uuid

    class StartupViolation(Exception):
        pass

    # The SDK lets these modules' bodies draw entropy at import (workers-runtime-sdk
    # _workers_sdk_entropy_import_context.py: UUID-keyed OpenTelemetry contexts, which FastAPI imports).
    SDK_ALLOWED = ("opentelemetry.context", "opentelemetry.trace.propagation", "opentelemetry.baggage",
                   "fastapi.telemetry")

    def allowed_by_the_sdk():
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__", "").startswith(SDK_ALLOWED):
                return True
            frame = frame.f_back
        return False

    def guard(what, real=None):
        def guarded(*args, **kwargs):
            if real is None or not allowed_by_the_sdk():
                raise StartupViolation(what + " during import")
            return real(*args, **kwargs)
        return guarded

    trusted = tuple(os.path.realpath(p) + os.sep for p in {sys.prefix, sys.base_prefix})
    real_open = builtins.open

    def guarded_open(file, mode="r", *args, **kwargs):
        path = None if isinstance(file, int) else os.path.realpath(os.fsdecode(file))
        if path is None or any(flag in mode for flag in "wax+") or not path.startswith(trusted):
            raise StartupViolation(f"open({file!r}, {mode!r}) during import")
        return real_open(file, mode, *args, **kwargs)

    builtins.open = io.open = guarded_open
    os.urandom = random._urandom = guard("os.urandom", os.urandom)
    uuid.uuid4 = guard("uuid4", uuid.uuid4)
    uuid.uuid1 = guard("uuid1")
    real_seed = random.Random.seed

    def guarded_seed(self, a=None, version=2):
        if a is None:
            raise StartupViolation("an unseeded Random during import")
        return real_seed(self, a, version)

    random.Random.seed = guarded_seed
    for name in ("random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform",
                 "getrandbits", "randbytes", "gauss"):
        setattr(random, name, guard("random." + name))
    socket.socket.__init__ = guard("a socket")
    socket.create_connection = socket.getaddrinfo = guard("a network lookup")
    subprocess.Popen.__init__ = guard("a subprocess")

    for name in sys.argv[1:]:
        __import__(name)
    print(json.dumps(sorted(sys.modules)))
    """
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_bundle(tmp_path_factory.mktemp("startup"))


def guarded_import(bundle: Path, *modules: str) -> set[str]:
    """The modules loaded after importing `modules` in a fresh, guarded interpreter (fails on a violation)."""
    done = fresh_python(bundle, bundle.parent / "pycache", GUARDED_IMPORT, *modules)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_importing_entry_loads_no_door_specific_heavy_module(bundle: Path) -> None:
    loaded = guarded_import(bundle, "entry")
    assert "entry" in loaded and "api.app" in loaded  # the import really ran, with the fetch door's base
    offenders = {name: why for name, why in HEAVY_MODULES.items() if name in loaded}
    assert offenders == {}


def test_the_heavy_modules_exist_and_import_cleanly_on_first_use(bundle: Path) -> None:
    # A typo in the list would make the first test pass vacuously; and loading later must not break the rule either.
    assert set(HEAVY_MODULES) <= guarded_import(bundle, "entry", *HEAVY_MODULES)


@pytest.mark.parametrize(
    ("statement", "violation"),
    [
        ("import os; os.urandom(4)", "os.urandom during import"),
        ("import uuid; uuid.uuid4()", "uuid4 during import"),
        ("import random; random.Random()", "an unseeded Random during import"),
        ("import secrets; secrets.token_hex(4)", "os.urandom during import"),
        ("open('/etc/hostname')", "open('/etc/hostname', 'r') during import"),
        ("import socket; socket.socket()", "a socket during import"),
    ],
)
def test_the_guards_catch_side_effects_at_import(bundle: Path, statement: str, violation: str) -> None:
    # A module doing one forbidden thing at import time makes the guarded child fail, naming it.
    (bundle / "impure_module.py").write_text(statement + "\n")
    done = fresh_python(bundle, bundle.parent / "pycache", GUARDED_IMPORT, "impure_module")
    assert done.returncode != 0
    assert f"StartupViolation: {violation}" in done.stderr


PYODIDE_BOOTSTRAP_PROBE = """
import { loadPyodide } from "pyodide";
const pyodide = await loadPyodide();
console.log(pyodide.runPython("import json, sys; json.dumps(sorted(sys.modules))"));
"""


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "pyodide").is_dir(),
    reason="needs Node and the npm pyodide package (make install)",
)
def test_the_bench_preloads_what_pyodide_itself_has_loaded() -> None:
    # bench/startup.py starts both timed imports from Pyodide's post-bootstrap state; keep its list true to the
    # pinned Pyodide (a new Pyodide version may load more or less before the Worker's module runs).
    done = subprocess.run(
        ["node", "--input-type=module", "-e", PYODIDE_BOOTSTRAP_PROBE],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    own = {name for name in loaded if name.split(".")[0] in {"__main__", "pyodide", "pyodide_js", "_pyodide_core"}}
    own |= {name for name in loaded if name.startswith("_pyodide")}
    assert set(PYODIDE_BOOTSTRAP_MODULES) == loaded - own
