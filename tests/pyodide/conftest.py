"""The real-Pyodide tier: one Node 20 + Pyodide 0.28.3 process per test session (tests/pyodide/harness.mjs).

`pyodide.run("module", "func")` runs `tests/pyodide/cases/<module>.py:<func>` inside real Pyodide with the real
workers-runtime-sdk and returns its JSON result; a failure inside Pyodide fails the test with the Python traceback.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
LOG = ROOT / ".local" / "pyodide" / "harness.log"  # Pyodide's own output and the harness's errors


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.pyodide)


class PyodideTier:
    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("the Pyodide tier needs Node.js 20 on PATH")
        self._ids = itertools.count(1)
        LOG.parent.mkdir(parents=True, exist_ok=True)
        self._log = LOG.open("w")
        self._proc = subprocess.Popen(
            [node, "--expose-gc", str(HERE / "harness.mjs")],  # gc(): a clean baseline for heap figures
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env={**os.environ, "TZ": "UTC"},  # workerd runs in UTC; naive datetimes from the SDK assume it
            text=True,
            bufsize=1,
        )
        hello = self._reply(0)
        self.version = hello["pyodide"]

    def _reply(self, wanted: int) -> Any:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._proc.wait(timeout=10)
            raise RuntimeError(f"the Pyodide harness exited: {LOG.read_text()[-4000:]}")
        reply = json.loads(line)
        assert reply["id"] == wanted, reply
        if not reply["ok"]:
            pytest.fail(f"inside Pyodide:\n{reply['error']}", pytrace=False)
        return reply["result"]

    def run(self, module: str, func: str) -> Any:
        assert self._proc.stdin is not None
        request_id = next(self._ids)
        self._proc.stdin.write(json.dumps({"id": request_id, "module": module, "func": func}) + "\n")
        self._proc.stdin.flush()
        return self._reply(request_id)

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._log.close()


@pytest.fixture(scope="session")
def pyodide() -> Iterator[PyodideTier]:
    tier = PyodideTier()
    try:
        yield tier
    finally:
        tier.close()
