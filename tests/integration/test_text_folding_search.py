"""Search, duplicate detection and sorting fold text alike, through the real FTS index on both D1 backends."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.d1 import D1Database, LocalD1, apply_migrations
from shared.adapters.d1.client import D1Client
from shared.adapters.d1.prospects import D1ProspectRepository
from shared.domain.normalize import fold
from shared.domain.prospect_query import ProspectQuery, SortKey, search_terms
from shared.domain.prospect_records import ProspectRecord, new_record
from shared.domain.prospects import ProspectCreate

pytestmark = pytest.mark.asyncio(loop_scope="session")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_ids = itertools.count()


def record(**fields: object) -> ProspectRecord:
    n = next(_ids)
    return new_record(ProspectCreate.model_validate(fields), prospect_id=f"p{n:06d}", now=T0)


@pytest_asyncio.fixture(loop_scope="session")
async def repo(d1: D1Database) -> D1ProspectRepository:
    await apply_migrations(d1, MIGRATIONS)
    return D1ProspectRepository(D1Client(d1))


async def found(repo: D1ProspectRepository, q: str) -> set[str]:
    return {r.id for r in await repo.page(ProspectQuery(search_terms=search_terms(q), limit=500))}


@pytest.mark.parametrize(
    ("fields", "typed"),
    [
        ({"last_name": "Müller", "company_name": "Hotel Sonne"}, ["MULLER", "mu\u0308ller", "Ｍüｌｌｅｒ", "müll"]),
        ({"company_name": "Gasthof Straße"}, ["STRASSE", "strasse", "Straße", "gasthof stras"]),
        ({"company_name": "Finca ﬁlomena"}, ["filomena", "ＦＩＬＯＭＥＮＡ"]),
        ({"company_name": "Ｈｏｔｅｌ Ｓｏｎｎｅ"}, ["hotel sonne", "SONNE"]),
        ({"company_name": "Hôtel Zoë", "city": "Genève"}, ["hotel zoe geneve", "ZOË"]),
    ],
)
async def test_a_name_stored_one_way_is_found_typed_another(
    repo: D1ProspectRepository, fields: dict[str, str], typed: list[str]
) -> None:
    target = record(**fields)
    await repo.insert(target, "t", None)
    await repo.insert(record(company_name="Hotel Other", last_name="Miller"), "t2", None)
    for q in typed:
        assert await found(repo, q) == {target.id}, q


async def test_names_sort_by_the_folded_form(repo: D1ProspectRepository) -> None:
    names = ["Zoë", "ÉMILE", "emma", "Ｅｍｉｌｙ", "Ångström", "bert"]
    stored: dict[str, str] = {}
    for name in names:
        r = record(first_name=name)
        stored[r.id] = name
        await repo.insert(r, "t", None)
    page = await repo.page(ProspectQuery(sort=SortKey.NAME_ASC, limit=10))
    assert [stored[r.id] for r in page] == ["Ångström", "bert", "ÉMILE", "Ｅｍｉｌｙ", "emma", "Zoë"]
    assert [stored[r.id] for r in page] == sorted(names, key=fold)


# The property runs on the stdlib SQLite backend only (one database, many examples); the examples above run on both.
names = st.text(st.characters(categories=("L", "M", "N", "Zs")), min_size=1, max_size=30).filter(
    lambda s: any(ch.isalnum() for ch in fold(s))
)
VARIANTS: dict[str, Callable[[str], str]] = {
    "NFC": lambda t: unicodedata.normalize("NFC", t),
    "NFD": lambda t: unicodedata.normalize("NFD", t),
    "NFKC": lambda t: unicodedata.normalize("NFKC", t),
    "NFKD": lambda t: unicodedata.normalize("NFKD", t),
    "upper": str.upper,
    "lower": str.lower,
    "casefold": str.casefold,
    "fullwidth": lambda t: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in t),
}
forms = st.sampled_from(sorted(VARIANTS))


def variant(text: str, form: str) -> str:
    return VARIANTS[form](text)


@pytest_asyncio.fixture(loop_scope="session")
async def sqlite_repo(tmp_path: Path) -> AsyncIterator[D1ProspectRepository]:
    db = LocalD1(tmp_path / "search.sqlite")
    await apply_migrations(db, MIGRATIONS)
    yield D1ProspectRepository(D1Client(db))
    await db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, form=forms)
async def test_search_finds_what_duplicate_detection_calls_equal(
    sqlite_repo: D1ProspectRepository, name: str, form: str
) -> None:
    typed = variant(name, form)
    stored = record(company_name="Hotel Sonne", last_name=name)
    twin = record(company_name="Hotel Sonne", last_name=typed)
    if stored.person_key is None:
        return
    assert twin.person_key == stored.person_key  # duplicate detection: the same person
    await sqlite_repo.insert(stored, "t", None)
    try:
        assert stored.id in await found(sqlite_repo, typed)
    finally:
        await sqlite_repo.delete(stored.id)


FTS_SYNTAX = ['sonne"', '"sonne', 'son"ne OR x', "NEAR(sonne x)", "sonne* ^x", "sonne AND NOT", "-sonne"]
NASTY_QUERIES = ["son\x00ne\u202e", "\udc80sonne", "sonne\ufeff"]


@pytest.mark.parametrize("q", FTS_SYNTAX + NASTY_QUERIES)
async def test_fts_syntax_in_a_query_is_text(repo: D1ProspectRepository, q: str) -> None:
    target = record(company_name="Hotel Sonne")
    await repo.insert(target, "t", None)
    assert isinstance(await found(repo, q), set)  # no FTS5 syntax error reaches the caller
    assert await found(repo, "hotel " + q.split()[0]) <= {target.id}
    if q in NASTY_QUERIES:
        assert await found(repo, q) == {target.id}  # controls and invisibles are not part of the words


async def test_migration_0004_reindexes_rows_written_before_it(d1: D1Database, tmp_path: Path) -> None:
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    for path in sorted(MIGRATIONS.glob("*.sql")):
        if path.name < "0004":
            (earlier / path.name).write_text(path.read_text())
    await apply_migrations(d1, earlier)
    db = D1Client(d1)
    await db.run(
        "INSERT INTO prospects (id, contact_name, company_name, city, email, sort_name, created_at, updated_at)"
        " VALUES ('old', 'Jörg MÜLLER', 'Gasthof Straße', 'Genève', 'jorg@gasthof.example', 'jorg muller', ?, ?)",
        T0.isoformat(),
        T0.isoformat(),
    )
    assert (await apply_migrations(d1, MIGRATIONS))[0] == "0004_text_folding.sql"
    repo = D1ProspectRepository(db)
    for q in ("müller", "MULLER", "strasse", "STRASSE", "geneve", "jorg gasthof"):
        assert await found(repo, q) == {"old"}, q
    [row] = await db.all("SELECT search_text FROM prospects")
    assert row["search_text"] == "jörg mÜller gasthof strasse  genève jorg@gasthof.example"  # SQL: ASCII lower(), ß
    await repo.insert(record(last_name="Müller", company_name="Neu"), "t", None)
    assert len(await found(repo, "mueller")) == 0 and len(await found(repo, "muller")) == 2
