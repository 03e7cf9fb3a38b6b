"""Local D1: the binding worker code gets from Cloudflare's Python SDK, on stdlib SQLite or on Miniflare's real D1.

`LocalD1` (backend "sqlite") emulates D1 in-process: same API, same transaction and authorizer rules, same limits
and error texts. `MiniflareD1` (backend "miniflare") is the real thing, for checking the emulation and for runs
that must match production exactly. `JENGU_D1_BACKEND` picks one for the local runtime (default: sqlite).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from local.clock import Clock
from local.d1.binding import D1Database, D1Statement
from local.d1.errors import D1Error
from local.d1.migrations import applied_migrations, apply_migrations
from local.d1.miniflare_backend import MiniflareBridge, MiniflareD1, miniflare_available
from local.d1.sqlite_backend import LocalD1

__all__ = [
    "BACKENDS",
    "D1Database",
    "D1Error",
    "D1Statement",
    "LocalD1",
    "MiniflareBridge",
    "MiniflareD1",
    "applied_migrations",
    "apply_migrations",
    "backend_from_env",
    "miniflare_available",
    "open_d1",
]

BACKENDS = ("sqlite", "miniflare")
_SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def backend_from_env(environ: Mapping[str, str] | None = None) -> str:
    value = (os.environ if environ is None else environ).get("JENGU_D1_BACKEND", "").strip().lower() or "sqlite"
    if value not in BACKENDS:
        raise ValueError(f"JENGU_D1_BACKEND must be one of {', '.join(BACKENDS)}, not {value!r}")
    return value


async def open_d1(
    backend: str,
    *,
    location: str | Path | None = None,
    path_or_dir: str | Path | None = None,
    database_id: str = "jengu-local",
    clock: Clock | None = None,
    bridge: MiniflareBridge | None = None,
) -> D1Database:
    """Open a database with either backend; `location` (alias `path_or_dir`) is where it lives.

    sqlite: a `.sqlite`/`.sqlite3`/`.db` file, or a directory that gets `d1.sqlite`; `clock` drives SQL's 'now'.
    miniflare: Miniflare's persist directory, holding database `database_id`; Miniflare is started before this
    returns (on `bridge` if given). Its SQLite reads the OS clock: `clock` has no effect there.
    """
    where = location if location is not None else path_or_dir
    if where is None:
        raise TypeError("open_d1() needs location=")
    where = Path(where)
    if backend == "sqlite":
        path = where if where.suffix in _SQLITE_SUFFIXES else where / "d1.sqlite"
        return LocalD1(path, clock)
    if backend == "miniflare":
        return await MiniflareD1(where, database_id, bridge=bridge).open()
    raise ValueError(f"unknown D1 backend {backend!r}; expected one of {', '.join(BACKENDS)}")
