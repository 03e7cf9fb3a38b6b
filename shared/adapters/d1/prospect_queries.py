"""Turns a `ProspectQuery` into one SQL statement with bound parameters: filters, FTS5 search, keyset order.

Only fixed SQL fragments are concatenated; every user value is a bound parameter (at most ~90, under D1's 100).
"""

from __future__ import annotations

from typing import Any

from shared.adapters.d1.client import Query
from shared.adapters.d1.sql_prospects import SELECT_PROSPECT
from shared.domain.prospect_query import ProspectQuery, SortKey

_SORT_EXPR = {
    "score": "score",
    "name": "sort_name",
    "created_at": "created_at",
    "last_contacted_at": "ifnull(last_contacted_at, '')",
}


def _in(column: str, values: tuple[Any, ...], params: list[Any]) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join('?' for _ in values)})"


def fts_match(terms: tuple[str, ...]) -> str:
    """Each term as a quoted FTS5 string with a prefix star, all required: `"gra"* "munich"*`. Inside the quotes a
    `"` is doubled, so user text cannot inject FTS5 syntax; the index's tokenizer splits each term exactly as it
    split the stored text (a term like `jean-luc` is the phrase `jean luc`)."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def build_list_query(query: ProspectQuery) -> Query:
    where: list[str] = []
    params: list[Any] = []
    if query.archived is not None:
        where.append("archived = ?")
        params.append(1 if query.archived else 0)
    if query.stages:
        where.append(_in("stage", tuple(s.value for s in query.stages), params))
    if query.tiers:
        where.append(_in("tier", tuple(t.value for t in query.tiers), params))
    if query.countries:
        where.append(_in("country", query.countries, params))
    if query.email_statuses:
        where.append(_in("email_status", tuple(s.value for s in query.email_statuses), params))
    if query.has_email is not None:
        where.append("email_normalized IS NOT NULL" if query.has_email else "email_normalized IS NULL")
    if query.tag is not None:
        where.append("id IN (SELECT prospect_id FROM prospect_tags WHERE tag = ?)")
        params.append(query.tag)
    if query.campaign is not None:
        where.append("id IN (SELECT prospect_id FROM enrollments WHERE campaign_id = ?)")
        params.append(query.campaign)
    if query.search_terms:
        where.append("rowid IN (SELECT rowid FROM prospects_fts WHERE prospects_fts MATCH ?)")
        params.append(fts_match(query.search_terms))
    expr = _SORT_EXPR[query.sort.value.lstrip("-")]
    direction, cmp = ("DESC", "<") if query.sort.descending else ("ASC", ">")
    if query.after is not None:
        value, last_id = query.after
        # A row-value comparison: a range seek on the sort index. SQLite seeks an expression index only on a
        # plain bound, so an expression sort gets the (redundant) `expr <= ?` / `expr >= ?` as well.
        if "(" in expr:
            where.append(f"{expr} {cmp}= ?")
            params.append(value)
        where.append(f"({expr}, id) {cmp} (?, ?)")
        params.extend([value, last_id])
    sql = SELECT_PROSPECT
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {expr} {direction}, id {direction} LIMIT ?"
    params.append(query.limit + 1)  # one extra row tells whether there is a next page
    return Query(sql, tuple(params))


__all__ = ["SortKey", "build_list_query", "fts_match"]
