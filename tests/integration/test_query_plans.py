"""Every prospect list query — each sort, each filter, search — and every key lookup and keyset cursor is served by
an index: no full table scans, and cursors enter the index where the page starts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.adapters.d1 import import_job_sql, sql, sql_prospects
from shared.adapters.d1.prospect_queries import build_list_query
from shared.domain.prospect_query import ProspectQuery, SortKey
from shared.domain.prospects import EmailStatus, Stage, Tier

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    for migration in sorted((ROOT / "migrations").glob("*.sql")):
        conn.executescript(migration.read_text())
    yield conn
    conn.close()


QUERIES = [ProspectQuery(sort=sort) for sort in SortKey] + [
    ProspectQuery(stages=(Stage.NEW, Stage.READY)),
    ProspectQuery(tiers=(Tier.HOT,)),
    ProspectQuery(countries=("DE", "IT"), sort=SortKey.NAME_ASC),
    ProspectQuery(email_statuses=(EmailStatus.VALID,)),
    ProspectQuery(tag="spa"),
    ProspectQuery(campaign="c1"),
    ProspectQuery(search_terms=("grand", "munich")),
    ProspectQuery(archived=None, sort=SortKey.CREATED_ASC, after=("2026-01-01", "x")),
    ProspectQuery(stages=(Stage.NEW,), countries=("DE",), after=(50, "x")),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: repr(q)[13:80])
def test_no_full_scan(db: sqlite3.Connection, query: ProspectQuery) -> None:
    built = build_list_query(query)
    plan = [str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + built.sql, built.params)]
    full_scans = [step for step in plan if step.startswith("SCAN ") and " USING " not in step and "VIRTUAL" not in step]
    assert not full_scans, plan


def _scans(db: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> list[str]:
    plan = [str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)]
    return [step for step in plan if step.startswith("SCAN ") and " USING " not in step and "VIRTUAL" not in step]


def _plan(db: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> list[str]:
    return [str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)]


KEYED_LOOKUPS = {
    "import key lookup": (sql_prospects.MATCH_KEYS, ('["a@x.example"]', '["linkedin.com/in/a"]', '["k"]')),
    "activities first page": (sql_prospects.LIST_ACTIVITIES_FIRST, ("p1", 50)),
    "activities after": (sql_prospects.LIST_ACTIVITIES_AFTER, ("p1", "2026-01-01", "a", 50)),
    "failed tasks first page": (sql.LIST_FAILED_TASKS_FIRST, ("open", 50)),
    "failed tasks after": (sql.LIST_FAILED_TASKS_AFTER, ("open", "2026-01-01", "t", 50)),
    **{name: (query, params) for name, (query, params) in import_job_sql.PLANNED_QUERIES.items()},
}


@pytest.mark.parametrize("name", list(KEYED_LOOKUPS))
def test_lookups_and_cursors_are_index_seeks(db: sqlite3.Connection, name: str) -> None:
    query, params = KEYED_LOOKUPS[name]
    assert not _scans(db, query, params), _plan(db, query, params)


def test_email_lookup_seeks_both_the_live_and_the_archived_index(db: sqlite3.Connection) -> None:
    plan = " | ".join(_plan(db, sql_prospects.MATCH_KEYS, ("[]", "[]", "[]")))
    assert "uq_prospects_email" in plan and "idx_prospects_email_archived" in plan, plan


@pytest.mark.parametrize("sort", list(SortKey))
def test_keyset_cursor_is_a_range_seek_not_a_scan_from_the_start(db: sqlite3.Connection, sort: SortKey) -> None:
    """`(score, id) < (?, ?)`: the index is entered at the cursor (SEARCH ... (score<?) or a row-value range),
    not walked from its first entry with the cursor as a filter."""
    value: object = 50 if sort.value.lstrip("-") == "score" else "m"
    built = build_list_query(ProspectQuery(sort=sort, archived=None, after=(value, "x")))
    plan = " | ".join(_plan(db, built.sql, built.params))
    assert "SEARCH prospects USING INDEX" in plan, plan


def _outreach_statements() -> list[tuple[str, str]]:
    import re

    from shared.adapters.d1 import sql_emails, sql_enrollments

    found = []
    for module in (sql_enrollments, sql_emails):
        for name, value in vars(module).items():
            fragment = name.endswith("_FROM")  # the start of a statement the adapter completes (tested with it)
            if (
                name.isupper()
                and not fragment
                and isinstance(value, str)
                and re.search(r"\b(SELECT|UPDATE|INSERT)\b", value)
            ):
                found.append((f"{module.__name__.rsplit('.', 1)[-1]}.{name}", value))
    return found


@pytest.mark.parametrize(("name", "statement"), _outreach_statements(), ids=lambda v: v if "." in v else "")
def test_outreach_statements_never_scan_a_table(db: sqlite3.Connection, name: str, statement: str) -> None:
    """Enrollments, the scheduler's reads and claims, composed emails, weekly maintenance: every statement seeks."""
    import re

    numbered = {int(n) for n in re.findall(r"\?(\d+)", statement)}
    params = ("x",) * (max(numbered) if numbered else statement.count("?"))
    scans = [step for step in _scans(db, statement, params) if step != "SCAN CONSTANT ROW"]  # INSERT ... SELECT
    assert not scans, (name, _plan(db, statement, params))


def test_the_due_read_walks_the_due_index_in_order(db: sqlite3.Connection) -> None:
    from shared.adapters.d1.sql_enrollments import DUE

    plan = _plan(db, DUE, ("2026-12-02T10:00:00+00:00", 100))
    assert plan[0].startswith("SEARCH e USING INDEX idx_enrollments_due"), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan  # no sort: the index gives next_due_at order
