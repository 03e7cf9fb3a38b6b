"""D1 fixtures: `d1` is a fresh database on each backend: stdlib SQLite (`sqlite`), Miniflare's D1 (`miniflare`).

Miniflare runs in one Node process for the whole session, with a pool of databases declared up front, so a fresh
miniflare database costs neither a Node start nor a workerd restart. That process belongs to the session event
loop: async tests using these fixtures run in it (`pytestmark = pytest.mark.asyncio(loop_scope="session")`).
The miniflare cases carry the `miniflare` marker (`-m "not miniflare"` skips them) and skip themselves when
`node_modules/miniflare` is not installed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from local.d1 import D1Database, LocalD1, MiniflareBridge, MiniflareD1, miniflare_available, open_d1

POOL_SIZE = 40
MISSING_MINIFLARE = "Miniflare is not installed (node_modules/miniflare missing or node not on PATH; run npm ci)"

OpenD1 = Callable[[str], Awaitable[D1Database]]


class MiniflarePool:
    """Hands out never-used databases from a set declared on the session's bridge in one go."""

    def __init__(self, bridge: MiniflareBridge, persist_dir: Path) -> None:
        self.bridge = bridge
        self._persist_dir = persist_dir
        self._ids = [f"pool-{n}" for n in range(POOL_SIZE)]
        self._handed_out = 0
        self._reserved = False

    async def fresh(self) -> MiniflareD1:
        if not self._reserved:
            await self.bridge.reserve(self._persist_dir, self._ids)
            self._reserved = True
        # Past the pool, the bridge adds each database by reconfiguring Miniflare: slower, still correct.
        database_id = f"pool-{self._handed_out}"
        self._handed_out += 1
        return await MiniflareD1(self._persist_dir, database_id, bridge=self.bridge).open()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def miniflare_pool(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[MiniflarePool]:
    bridge = MiniflareBridge()  # Node starts on first use: a session without miniflare tests never spawns it
    yield MiniflarePool(bridge, tmp_path_factory.mktemp("miniflare-d1"))
    await bridge.close()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("miniflare", id="miniflare", marks=pytest.mark.miniflare),
    ]
)
def d1_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    if backend == "miniflare" and not miniflare_available():
        pytest.skip(MISSING_MINIFLARE)
    return backend


@pytest_asyncio.fixture(loop_scope="session")
async def d1(d1_backend: str, tmp_path: Path, miniflare_pool: MiniflarePool) -> AsyncIterator[D1Database]:
    db = LocalD1(tmp_path / "d1.sqlite") if d1_backend == "sqlite" else await miniflare_pool.fresh()
    try:
        tables = await db.prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\'").raw()
        assert tables == [], f"a fresh {d1_backend} database already has {tables}"
        yield db
    finally:
        await db.close()


@pytest_asyncio.fixture(loop_scope="session")
async def open_d1_at(d1_backend: str, tmp_path: Path, miniflare_pool: MiniflarePool) -> AsyncIterator[OpenD1]:
    """`await open_d1_at(name)` opens database `name` of this test on this backend (again, after a close)."""
    opened: list[D1Database] = []

    async def open_named(name: str) -> D1Database:
        db = await open_d1(d1_backend, location=tmp_path / name, database_id=name, bridge=miniflare_pool.bridge)
        opened.append(db)
        return db

    yield open_named
    for db in opened:
        await db.close()
