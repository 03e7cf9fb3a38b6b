"""The lint rule that keeps Pyodide-hostile APIs out of deployable code (and only there)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def ruff(source: str, filename: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251", "--stdin-filename", filename, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return proc.stdout


@pytest.mark.parametrize(
    "source",
    [
        "import threading\n",
        "import subprocess\n",
        "import socket\n",
        "import smtplib\n",
        "from time import sleep\n",
        "import time\ntime.sleep(1)\n",
        "import requests\n",
        "import urllib.request\n",
        "from httpx import Client\n",
        "from concurrent.futures import ThreadPoolExecutor\n",
    ],
)
@pytest.mark.parametrize("where", ["shared/adapters/x.py", "workers/api/x.py", "durable_objects/dedup/x.py"])
def test_banned_in_deployable_code(source: str, where: str) -> None:
    assert "TID251" in ruff(source, where)


@pytest.mark.parametrize("where", ["local/x.py", "tests/x.py", "scripts/x.py"])
def test_allowed_in_the_local_runtime_tests_and_tools(where: str) -> None:
    assert "TID251" not in ruff("import threading\nimport subprocess\nimport time\ntime.sleep(0)\n", where)


def test_async_http_and_asyncio_sleep_are_fine() -> None:
    assert "TID251" not in ruff("import asyncio\nfrom httpx import AsyncClient\n", "shared/adapters/x.py")
