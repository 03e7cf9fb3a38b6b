"""The local D1 binding, one conformance suite run against both backends: the SQLite emulation must say exactly
what Miniflare's real D1 says (results, meta fields, error texts), down to the rules D1 adds on top of SQLite.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from local.clock import ManualClock
from local.d1 import D1Database, D1Error, LocalD1, applied_migrations, apply_migrations, backend_from_env, open_d1
from local.d1.errors import TRANSACTION_MESSAGE
from tests.integration.conftest import OpenD1

pytestmark = pytest.mark.asyncio(loop_scope="session")

REPO_ROOT = Path(__file__).resolve().parents[2]
META_FIELDS = {"duration", "changes", "last_row_id", "rows_read", "rows_written", "changed_db", "size_after"}


async def make_users(d1: D1Database) -> None:
    await d1.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, score REAL, note TEXT)")


async def test_crud_round_trip_and_meta(d1: D1Database) -> None:
    await make_users(d1)
    insert = d1.prepare("INSERT INTO users (email, score, note) VALUES (?, ?, ?)")

    first = await insert.bind("a@example.com", 1.5, "hello").run()
    await insert.bind("b@example.com", 2.5, None).run()

    assert first["success"] is True
    assert first["results"] == []
    assert first["meta"].keys() >= META_FIELDS
    assert first["meta"]["changes"] == 1
    assert first["meta"]["last_row_id"] == 1
    assert first["meta"]["changed_db"] is True
    assert first["meta"]["rows_written"] >= 1
    assert first["meta"]["size_after"] > 0
    assert isinstance(first["meta"]["duration"], int | float)

    select = d1.prepare("SELECT id, email, score, note FROM users ORDER BY id")
    everything = await select.all()
    assert everything["results"] == [
        {"id": 1, "email": "a@example.com", "score": 1.5, "note": "hello"},
        {"id": 2, "email": "b@example.com", "score": 2.5, "note": None},
    ]
    assert everything["meta"]["changes"] == 0
    assert everything["meta"]["changed_db"] is False
    assert everything["meta"]["rows_read"] >= 2

    assert await select.first() == {"id": 1, "email": "a@example.com", "score": 1.5, "note": "hello"}
    assert await select.first("email") == "a@example.com"
    assert await d1.prepare("SELECT note FROM users WHERE id = ?").bind(2).first("note") is None
    assert await d1.prepare("SELECT * FROM users WHERE id = ?").bind(99).first() is None
    assert await select.raw() == [[1, "a@example.com", 1.5, "hello"], [2, "b@example.com", 2.5, None]]
    assert await select.raw(columnNames=True) == [
        ["id", "email", "score", "note"],
        [1, "a@example.com", 1.5, "hello"],
        [2, "b@example.com", 2.5, None],
    ]
    assert await d1.prepare("SELECT * FROM users WHERE 0").raw(columnNames=True) == [["id", "email", "score", "note"]]

    updated = await d1.prepare("UPDATE users SET score = score * 2").run()
    assert updated["meta"]["changes"] == 2
    deleted = await d1.prepare("DELETE FROM users WHERE id = ?").bind(1).run()
    assert deleted["meta"]["changes"] == 1
    returning = await d1.prepare("INSERT INTO users (email) VALUES (?) RETURNING id, email").bind("c@x").all()
    assert returning["results"] == [{"id": 3, "email": "c@x"}]


async def test_first_with_a_missing_column(d1: D1Database) -> None:
    with pytest.raises(D1Error, match=r"^D1_COLUMN_NOTFOUND: Column not found \(nope\)$"):
        await d1.prepare("SELECT 1 AS one").first("nope")


async def test_none_binds_null_and_bools_bind_one_and_zero(d1: D1Database) -> None:
    row = await d1.prepare("SELECT ? AS n, typeof(?) AS t, ? AS yes, ? AS no").bind(None, None, True, False).first()
    assert row == {"n": None, "t": "null", "yes": 1, "no": 0}


async def test_numbers_bind_as_real_as_in_workerd(d1: D1Database) -> None:
    # Every JS number is bound with sqlite3_bind_double: ints are REAL unless a column's affinity converts them.
    assert await d1.prepare("SELECT typeof(?) AS t, ? / 2 AS half").bind(5, 5).first() == {"t": "real", "half": 2.5}
    await d1.exec("CREATE TABLE n (i INTEGER, t TEXT, any_)")
    await d1.prepare("INSERT INTO n VALUES (?, ?, ?)").bind(7, 7, 7).run()
    row = await d1.prepare("SELECT typeof(i) AS ti, t, typeof(any_) AS ta, any_ FROM n").first()
    assert row == {"ti": "integer", "t": "7.0", "ta": "real", "any_": 7}


async def test_blobs_go_in_as_bytes_and_come_back_as_byte_lists(d1: D1Database) -> None:
    row = await d1.prepare("SELECT ? AS b, typeof(?) AS t, ? AS from_list").bind(b"\x00\xff", b"", [1, 2]).first()
    assert row == {"b": [0, 255], "t": "blob", "from_list": [1, 2]}


async def test_begin_is_rejected_with_the_d1_message(d1: D1Database) -> None:
    with pytest.raises(D1Error) as via_exec:
        await d1.exec("BEGIN")
    assert str(via_exec.value) == f"D1_EXEC_ERROR: Error in line 1: BEGIN: {TRANSACTION_MESSAGE}"
    with pytest.raises(D1Error) as via_prepare:
        await d1.prepare("BEGIN TRANSACTION").run()
    assert str(via_prepare.value) == f"D1_ERROR: {TRANSACTION_MESSAGE}"


@pytest.mark.parametrize("sql", ["COMMIT", "ROLLBACK", "SAVEPOINT sp", "RELEASE sp"])
async def test_commit_rollback_and_savepoints_are_rejected(d1: D1Database, sql: str) -> None:
    with pytest.raises(D1Error) as error:
        await d1.prepare(sql).run()
    assert str(error.value) == f"D1_ERROR: {TRANSACTION_MESSAGE}"


async def test_at_most_100_bound_parameters(d1: D1Database) -> None:
    values = list(range(101))
    assert await d1.prepare("SELECT " + ", ".join("?" * 100)).bind(*values[:100]).raw() == [values[:100]]
    with pytest.raises(D1Error) as error:
        await d1.prepare("SELECT " + ", ".join("?" * 101)).bind(*values).raw()
    assert str(error.value) == f"D1_ERROR: too many SQL variables at offset {len('SELECT ') + 3 * 100}: SQLITE_ERROR"


async def test_statement_and_value_size_limits(d1: D1Database) -> None:
    assert await d1.prepare("SELECT 1" + " " * (100_000 - 8)).raw() == [[1]]
    with pytest.raises(D1Error, match=r"^D1_ERROR: statement too long: SQLITE_TOOBIG$"):
        await d1.prepare("SELECT 1" + " " * (100_001 - 8)).raw()
    with pytest.raises(D1Error, match=r"^D1_ERROR: string or blob too big: SQLITE_TOOBIG$"):
        await d1.prepare("SELECT length(zeroblob(2200001))").raw()


async def test_batch_is_atomic(d1: D1Database) -> None:
    await make_users(d1)
    insert = d1.prepare("INSERT INTO users (email) VALUES (?)")
    with pytest.raises(D1Error) as error:
        await d1.batch([insert.bind("a@x"), insert.bind("b@x"), d1.prepare("INSERT INTO missing VALUES (1)")])
    assert str(error.value) == "D1_ERROR: no such table: missing: SQLITE_ERROR"
    assert await d1.prepare("SELECT count(*) AS n FROM users").first("n") == 0


async def test_batch_returns_one_result_per_statement(d1: D1Database) -> None:
    await make_users(d1)
    insert = d1.prepare("INSERT INTO users (email) VALUES (?)")
    results = await d1.batch(
        [insert.bind("a@x"), insert.bind("b@x"), d1.prepare("SELECT email FROM users ORDER BY id")]
    )
    assert [r["success"] for r in results] == [True, True, True]
    assert [r["meta"]["last_row_id"] for r in results[:2]] == [1, 2]
    assert results[2]["results"] == [{"email": "a@x"}, {"email": "b@x"}]
    with pytest.raises(TypeError):
        await d1.batch((insert.bind("c@x"),))  # type: ignore[arg-type]  # the SDK refuses tuples


async def test_exec_runs_line_by_line(d1: D1Database) -> None:
    script = "\n".join(
        [
            "CREATE TABLE t (a);",
            "",
            "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);",
            "  -- note",
            "INSERT INTO t VALUES (3);",
        ]
    )
    result = await d1.exec(script)
    assert result["count"] == 3  # non-empty lines, not statements
    assert isinstance(result["duration"], int | float)
    assert await d1.prepare("SELECT count(*) AS n FROM t").first("n") == 3
    with pytest.raises(D1Error) as error:
        await d1.exec("CREATE TABLE u (\n  a\n);")  # a statement cannot span lines in exec()
    assert str(error.value) == "D1_EXEC_ERROR: Error in line 1: CREATE TABLE u (: incomplete input: SQLITE_ERROR"


async def test_one_statement_string_may_hold_several_statements(d1: D1Database) -> None:
    result = await d1.prepare("CREATE TABLE m (a); INSERT INTO m VALUES (1); SELECT a FROM m").all()
    assert result["results"] == [{"a": 1}]
    with pytest.raises(D1Error, match="only the last statement can have parameters"):
        await d1.prepare("SELECT ?; SELECT ?").bind(1, 2).all()
    with pytest.raises(D1Error, match=r"^D1_ERROR: SQL code did not contain a statement\.$"):
        await d1.prepare("SELECT 1; -- trailing comment").all()
    with pytest.raises(D1Error, match=r"^D1_ERROR: Wrong number of parameter bindings for SQL query\.$"):
        await d1.prepare("SELECT ?, ?").bind(1).all()


async def test_pragmas_and_functions_d1_forbids(d1: D1Database) -> None:
    with pytest.raises(D1Error) as pragma:
        await d1.prepare("PRAGMA journal_mode").all()
    assert str(pragma.value) == "D1_ERROR: not authorized: SQLITE_AUTH"
    with pytest.raises(D1Error) as function:
        await d1.prepare("SELECT sqlite_version()").all()
    assert str(function.value) == "D1_ERROR: not authorized to use function: sqlite_version at offset 7: SQLITE_ERROR"
    with pytest.raises(D1Error, match="not authorized"):
        await d1.prepare("ATTACH DATABASE 'other.db' AS other").run()
    with pytest.raises(D1Error, match="not authorized"):
        await d1.prepare("CREATE TABLE _cf_mine (a)").run()
    assert await d1.prepare("PRAGMA table_list").all()


async def test_foreign_keys_are_on_and_enforced(d1: D1Database) -> None:
    assert await d1.prepare("PRAGMA foreign_keys").first("foreign_keys") == 1
    await d1.exec(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id));"
    )
    with pytest.raises(D1Error) as error:
        await d1.prepare("INSERT INTO child (parent_id) VALUES (?)").bind(42).run()
    assert str(error.value) == (
        "D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)"
    )
    # Deferred checks run at the end of the batch, which is one transaction.
    await d1.batch(
        [
            d1.prepare("PRAGMA defer_foreign_keys = ON"),
            d1.prepare("INSERT INTO child (parent_id) VALUES (1)"),
            d1.prepare("INSERT INTO parent (id) VALUES (1)"),
        ]
    )


async def test_unique_constraint_message(d1: D1Database) -> None:
    await make_users(d1)
    insert = d1.prepare("INSERT INTO users (email) VALUES (?)").bind("a@x")
    await insert.run()
    with pytest.raises(D1Error) as error:
        await insert.run()
    assert str(error.value) == (
        "D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)"
    )


async def test_syntax_error_message(d1: D1Database) -> None:
    with pytest.raises(D1Error) as error:
        await d1.prepare("SELEC 1").all()
    assert str(error.value) == 'D1_ERROR: near "SELEC": syntax error at offset 0: SQLITE_ERROR'


async def test_fts5_full_text_search(d1: D1Database) -> None:
    await d1.exec("CREATE VIRTUAL TABLE notes USING fts5(body)")
    await d1.prepare("INSERT INTO notes (body) VALUES (?), (?)").bind("sea view hotel", "city centre hostel").run()
    rows = await d1.prepare("SELECT body FROM notes WHERE notes MATCH ? ORDER BY rank").bind("hotel").raw()
    assert rows == [["sea view hotel"]]
    with pytest.raises(D1Error, match="not authorized"):
        await d1.prepare("CREATE VIRTUAL TABLE old USING fts4(body)").run()


async def test_json_functions(d1: D1Database) -> None:
    query = d1.prepare(
        "SELECT json_extract(?1, '$.a.b') AS b, ?1 ->> '$.list[1]' AS second, json_array_length(?1, '$.list') AS n, "
        "json_object('k', 1) AS obj, json_valid('{') AS valid"
    )
    row = await query.bind('{"a": {"b": "deep"}, "list": [10, 20, 30]}').first()
    assert row == {"b": "deep", "second": 20, "n": 3, "obj": '{"k":1}', "valid": 0}


async def test_values_workers_cannot_bind(d1: D1Database) -> None:
    statement = d1.prepare("SELECT ?")
    with pytest.raises(D1Error) as date_error:
        statement.bind(datetime(1970, 1, 1, tzinfo=UTC))  # the SDK sends a JS Date; bind() refuses it at once
    assert str(date_error.value) == (
        "D1_TYPE_ERROR: Type 'object' not supported for value "
        "'Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)'"
    )
    with pytest.raises(D1Error, match=r"^D1_TYPE_ERROR: Type 'bigint' not supported for value '9007199254740992'$"):
        statement.bind(2**53)  # beyond Number.MAX_SAFE_INTEGER Pyodide makes a BigInt
    with pytest.raises(D1Error, match=r"Type 'object' not supported for value '\[object Object\]'"):
        statement.bind({"a": 1})
    with pytest.raises(TypeError):
        statement.bind((1, 2))
    with pytest.raises(D1Error, match=r"Type 'bigint' not supported for value '9007199254740991'$"):
        statement.bind(2**53 - 1)  # Pyodide 0.28 makes Number.MAX_SAFE_INTEGER itself a BigInt (tests/pyodide)
    assert await statement.bind(2**53 - 2).raw() == [[2**53 - 2]]


async def test_concurrent_calls(d1: D1Database) -> None:
    await d1.exec("CREATE TABLE c (n INTEGER)")
    insert = d1.prepare("INSERT INTO c VALUES (?)")
    await asyncio.gather(*(insert.bind(n).run() for n in range(20)))
    assert await d1.prepare("SELECT count(*) AS n, sum(n) AS s FROM c").first() == {"n": 20, "s": 190}


MIGRATION_ONE = """-- schema; with a semicolon in this comment
CREATE TABLE hotels (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'a; b', updated INTEGER DEFAULT 0);
CREATE TABLE audit (hotel_id INTEGER, what TEXT);
/* a block comment; spanning
   lines */
CREATE TRIGGER hotels_audit AFTER INSERT ON hotels BEGIN
    INSERT INTO audit VALUES (new.id, 'created; ok');
    UPDATE hotels SET updated = 1 WHERE id = new.id;
END;
"""
MIGRATION_TWO = "INSERT INTO hotels (name) VALUES ('first');\n"


async def test_migrations_apply_once_with_wrangler_bookkeeping(d1: D1Database, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0002_seed.sql").write_text(MIGRATION_TWO)
    (migrations / "0001_schema.sql").write_text(MIGRATION_ONE)

    assert await applied_migrations(d1) == []
    assert await apply_migrations(d1, migrations) == ["0001_schema.sql", "0002_seed.sql"]
    assert await apply_migrations(d1, migrations) == []
    assert await applied_migrations(d1) == ["0001_schema.sql", "0002_seed.sql"]

    rows = (await d1.prepare("SELECT id, name, applied_at FROM d1_migrations ORDER BY id").all())["results"]
    assert [(r["id"], r["name"]) for r in rows] == [(1, "0001_schema.sql"), (2, "0002_seed.sql")]
    assert all(isinstance(r["applied_at"], str) for r in rows)
    assert await d1.prepare("SELECT name, updated FROM hotels").first() == {"name": "first", "updated": 1}
    assert await d1.prepare("SELECT what FROM audit").first("what") == "created; ok"


async def test_a_failing_migration_leaves_nothing_behind(d1: D1Database, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_ok.sql").write_text("CREATE TABLE kept (a);\n")
    (migrations / "0002_broken.sql").write_text("CREATE TABLE half (a);\nINSERT INTO nowhere VALUES (1);\n")
    (migrations / "0003_later.sql").write_text("CREATE TABLE later (a);\n")

    with pytest.raises(D1Error, match="no such table: nowhere"):
        await apply_migrations(d1, migrations)

    assert await applied_migrations(d1) == ["0001_ok.sql"]
    tables = await d1.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").raw()
    names = {row[0] for row in tables}
    assert "kept" in names
    assert not {"half", "later"} & names


async def test_a_migration_cannot_open_its_own_transaction(d1: D1Database, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_txn.sql").write_text("BEGIN TRANSACTION;\nCREATE TABLE t (a);\nCOMMIT;\n")
    with pytest.raises(D1Error, match="To execute a transaction"):
        await apply_migrations(d1, migrations)
    assert await applied_migrations(d1) == []


async def test_the_projects_migrations_apply(d1: D1Database) -> None:
    names = await apply_migrations(d1, REPO_ROOT / "migrations")
    assert names == sorted(p.name for p in (REPO_ROOT / "migrations").glob("*.sql"))


async def test_data_persists_across_reopen(open_d1_at: OpenD1) -> None:
    db = await open_d1_at("keep")
    await db.exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)")
    await db.prepare("INSERT INTO kv VALUES (?, ?)").bind("answer", "42").run()
    await db.close()

    again = await open_d1_at("keep")
    assert await again.prepare("SELECT v FROM kv WHERE k = ?").bind("answer").first("v") == "42"


# -- SQLite backend only --------------------------------------------------------------------------------------------


async def test_sqlite_now_follows_the_clock(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    async with LocalD1(tmp_path / "d1.sqlite", clock) as db:
        await db.exec("CREATE TABLE e (id INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        await db.prepare("INSERT INTO e (id) VALUES (1)").run()
        clock.advance(90)
        await db.prepare("INSERT INTO e (id) VALUES (2)").run()
        assert await db.prepare("SELECT at FROM e ORDER BY id").raw() == [
            ["2026-03-01 12:00:00"],
            ["2026-03-01 12:01:30"],
        ]
        now = await db.prepare("SELECT datetime('now') AS a, unixepoch() AS b, date('now', '+1 day') AS c").first()
        expected_epoch = int(datetime(2026, 3, 1, 12, 1, 30, tzinfo=UTC).timestamp())
        assert now == {"a": "2026-03-01 12:01:30", "b": expected_epoch, "c": "2026-03-02"}


async def test_open_d1_and_backend_from_env(tmp_path: Path) -> None:
    assert backend_from_env({}) == "sqlite"
    assert backend_from_env({"JENGU_D1_BACKEND": "Miniflare"}) == "miniflare"
    with pytest.raises(ValueError, match="JENGU_D1_BACKEND"):
        backend_from_env({"JENGU_D1_BACKEND": "postgres"})

    in_dir = await open_d1("sqlite", location=tmp_path / "state")
    assert isinstance(in_dir, LocalD1)
    assert in_dir.path == tmp_path / "state" / "d1.sqlite"
    await in_dir.close()
    as_file = await open_d1("sqlite", path_or_dir=tmp_path / "x.sqlite")
    assert isinstance(as_file, LocalD1)
    assert as_file.path == tmp_path / "x.sqlite"
    await as_file.close()
    with pytest.raises(ValueError, match="unknown D1 backend"):
        await open_d1("postgres", location=tmp_path)
