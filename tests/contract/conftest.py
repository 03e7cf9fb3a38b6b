"""The contract tier: schemathesis against the local runtime's `/openapi.json` over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.server import serve_runtime
from tests.e2e.conftest import ROOT, TEST_API_KEY

# Rate limits far above what a run sends (a 429 is still declared and checked, just not the common answer).
RAISED_LIMITS = {
    "RATE_LIMIT_API_KEY_CAPACITY": "1000000",
    "RATE_LIMIT_API_KEY_REFILL_PER_S": "1000",
    "RATE_LIMIT_IP_CAPACITY": "1000000",
    "RATE_LIMIT_IP_REFILL_PER_S": "1000",
}


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("contract")
    dev_vars = tmp / ".dev.vars"
    secrets = f"UNSUBSCRIBE_SECRET={'u' * 40}\nINBOUND_WEBHOOK_SECRET={'w' * 40}\n"
    dev_vars.write_text(f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=error\nAPI_KEY={TEST_API_KEY}\n{secrets}")
    with serve_runtime(ROOT, tmp / "state", dev_vars, RAISED_LIMITS) as url:
        yield url


ROOT_DIR: Path = ROOT
__all__ = ["RAISED_LIMITS", "ROOT_DIR", "TEST_API_KEY"]
