"""`wrangler d1 migrations apply`, through the binding: same `d1_migrations` table, same file order, same SQL rules.

Each migration file runs as one D1 batch (its statements plus the row recording it), so a migration that fails
leaves nothing behind, is not recorded, and stops the run; D1's restrictions (no BEGIN/COMMIT, allowed PRAGMAs
only, ...) apply exactly as they do remotely.
"""

from __future__ import annotations

from pathlib import Path

from local.d1.binding import D1Database
from local.d1.sqlsplit import has_statement, split_statements

TABLE = "d1_migrations"
# Verbatim from wrangler (src/d1/migrations/helpers.ts, initMigrationsTable).
CREATE_TABLE = f"""CREATE TABLE IF NOT EXISTS {TABLE}(
\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,
\t\tname       TEXT UNIQUE,
\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);"""


def migration_files(migrations_dir: str | Path) -> list[Path]:
    """The `.sql` files, in the order wrangler applies them: by numeric prefix, then by name."""
    files = [p for p in Path(migrations_dir).glob("*.sql") if p.is_file()]
    return sorted(files, key=_order)


def migration_statements(path: Path) -> list[str]:
    """The file's statements, one per D1 statement (semicolons in strings, comments and triggers respected)."""
    return [s for s in split_statements(path.read_text(encoding="utf-8")) if has_statement(s)]


async def applied_migrations(db: D1Database) -> list[str]:
    exists = await db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").bind(TABLE).first()
    if exists is None:
        return []
    rows = await db.prepare(f"SELECT name FROM {TABLE} ORDER BY id").raw()
    return [str(row[0]) for row in rows]


async def apply_migrations(db: D1Database, migrations_dir: str | Path) -> list[str]:
    """Apply the migrations not yet recorded; returns their names. Raises (D1Error) on the first that fails."""
    await db.prepare(CREATE_TABLE).run()
    done = set(await applied_migrations(db))
    applied: list[str] = []
    for path in migration_files(migrations_dir):
        if path.name in done:
            continue
        record = db.prepare(f"INSERT INTO {TABLE} (name) VALUES (?)").bind(path.name)
        await db.batch([*(db.prepare(s) for s in migration_statements(path)), record])
        applied.append(path.name)
    return applied


def _order(path: Path) -> tuple[int, int, str]:
    prefix = path.name.split("_", 1)[0]
    return (0, int(prefix), path.name) if prefix.isdigit() else (1, 0, path.name)
