"""The prospect repository on both D1 backends: guarded writes, duplicates, filters, FTS, keyset pages, bulk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from local.d1 import D1Database, apply_migrations
from shared.adapters.d1.client import D1Client
from shared.adapters.d1.prospects import D1ProspectRepository
from shared.domain.activities import Activity
from shared.domain.errors import ConstraintViolation
from shared.domain.prospect_query import ProspectQuery, SortKey
from shared.domain.prospect_records import ProspectRecord, new_record
from shared.domain.prospects import ProspectCreate, Stage

pytestmark = pytest.mark.asyncio(loop_scope="session")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest_asyncio.fixture(loop_scope="session")
async def repo(d1: D1Database) -> D1ProspectRepository:
    await apply_migrations(d1, MIGRATIONS)
    return D1ProspectRepository(D1Client(d1))


def record(n: int, **fields: object) -> ProspectRecord:
    base: dict[str, object] = {
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "email": f"person{n}@hotel{n}.example",
        "company_name": f"Hotel Number {n}",
        "city": "Munich" if n % 2 else "Florence",
        "country": "DE" if n % 2 else "IT",
        "job_title": "General Manager" if n % 3 == 0 else "Receptionist",
        "tags": ["even"] if n % 2 == 0 else ["odd"],
    }
    base.update(fields)
    return new_record(ProspectCreate.model_validate(base), prospect_id=f"p{n:04d}", now=T0 + timedelta(minutes=n))


def activity(prospect_id: str, n: int = 0) -> Activity:
    return Activity(id=f"a-{prospect_id}-{n}", prospect_id=prospect_id, type="created", occurred_at=T0 + timedelta(n))


async def test_insert_get_and_timeline(repo: D1ProspectRepository) -> None:
    r = record(1)
    await repo.insert(r, "tok-1", activity(r.id))
    assert await repo.get(r.id) == r
    [entry] = await repo.activities(r.id, limit=10, after=None)
    assert entry.type == "created"


async def test_unique_email_and_linkedin_are_enforced_by_the_schema(repo: D1ProspectRepository) -> None:
    await repo.insert(record(1, linkedin_url="linkedin.com/in/x"), "t1", None)
    with pytest.raises(ConstraintViolation):
        await repo.insert(replace(record(2), id="other", email="person1@hotel1.example",
                                  email_normalized="person1@hotel1.example"), "t2", None)  # fmt: skip
    with pytest.raises(ConstraintViolation):
        await repo.insert(record(3, linkedin_url="https://www.linkedin.com/in/X/"), "t3", None)
    assert await repo.find_duplicate(replace(record(9), email_normalized="person1@hotel1.example")) == (
        "p0001",
        "email",
    )


async def test_an_archived_duplicate_email_is_allowed(repo: D1ProspectRepository) -> None:
    await repo.insert(replace(record(1), archived=True), "t1", None)
    await repo.insert(replace(record(1), id="p-new"), "t2", None)
    assert await repo.get("p-new") is not None


async def test_update_is_guarded_by_version_and_side_effects_follow_the_winner(repo: D1ProspectRepository) -> None:
    r = record(1)
    await repo.insert(r, "t1", None)
    changed = replace(r, tags=["vip"], job_title="Owner")
    assert await repo.update(changed, 1, "t2", activity(r.id, 1), tags_changed=True) is True
    stale = replace(r, tags=["stale"])
    assert await repo.update(stale, 1, "t3", activity(r.id, 2), tags_changed=True) is False
    stored = await repo.get(r.id)
    assert stored is not None and (stored.version, stored.tags, stored.job_title) == (2, ["vip"], "Owner")
    assert [a.id for a in await repo.activities(r.id, limit=10, after=None)] == [f"a-{r.id}-1"]
    page = await repo.page(ProspectQuery(tag="vip"))
    assert [p.id for p in page] == [r.id]
    assert await repo.page(ProspectQuery(tag="stale")) == []


async def test_filters_search_and_sorts(repo: D1ProspectRepository) -> None:
    for n in range(1, 13):
        await repo.insert(record(n, stage="ready" if n > 6 else "new"), f"t{n}", None)
    ids = lambda rows: [r.id for r in rows]  # noqa: E731
    assert len(await repo.page(ProspectQuery(stages=(Stage.READY,), limit=50))) == 6
    assert set(ids(await repo.page(ProspectQuery(countries=("IT",), limit=50)))) == {
        f"p{n:04d}" for n in range(2, 13, 2)
    }
    assert ids(await repo.page(ProspectQuery(search_terms=("first7",)))) == ["p0007"]
    assert ids(await repo.page(ProspectQuery(search_terms=("hotel", "number", "11")))) == ["p0011"]
    assert len(await repo.page(ProspectQuery(search_terms=("munich",), limit=50))) == 6
    assert ids(await repo.page(ProspectQuery(sort=SortKey.CREATED_ASC, limit=2))) == ["p0001", "p0002", "p0003"]
    assert len(await repo.page(ProspectQuery(has_email=False))) == 0


@pytest.mark.parametrize("sort", list(SortKey))
async def test_keyset_pages_cover_everything_exactly_once(repo: D1ProspectRepository, sort: SortKey) -> None:
    from shared.domain.prospect_records import record_to_prospect

    for n in range(1, 24):
        r = record(n, job_title="Owner" if n % 4 == 0 else None)
        await repo.insert(replace(r, last_contacted_at=(T0 + timedelta(hours=n % 5)).isoformat() if n % 3 else None),
                          f"t{n}", None)  # fmt: skip
    seen: list[str] = []
    query = ProspectQuery(sort=sort, limit=5)
    for _ in range(10):
        rows = await repo.page(query)
        page = rows[:5]
        seen += [r.id for r in page]
        if len(rows) <= 5:
            break
        last = record_to_prospect(page[-1])
        query = replace(query, after=(sort.key_of(last), last.id))
    assert sorted(seen) == sorted(f"p{n:04d}" for n in range(1, 24))
    assert len(seen) == len(set(seen))


async def test_find_existing_keys_and_bulk_delete_chunk_past_100_parameters(repo: D1ProspectRepository) -> None:
    records = [record(n) for n in range(1, 151)]
    for r in records:
        await repo.insert(r, r.id, None)
    emails = [r.email_normalized for r in records if r.email_normalized] + ["nobody@x.example"]
    found = await repo.find_existing_keys(emails=emails, linkedins=[], person_keys=[])
    assert len(found) == 150
    many = await repo.get_many([r.id for r in records] + ["missing"])
    assert len(many) == 150
    deleted = await repo.delete_many([r.id for r in records[:120]] + ["missing"])
    assert len(deleted) == 120
    assert len(await repo.page(ProspectQuery(limit=500))) == 30


async def test_delete_cascades_to_tags_and_timeline(repo: D1ProspectRepository, d1: D1Database) -> None:
    r = record(1)
    await repo.insert(r, "t1", activity(r.id))
    assert await repo.delete(r.id) is True
    client = D1Client(d1)
    assert await client.all("SELECT * FROM activities") == []
    assert await client.all("SELECT * FROM prospect_tags") == []
    assert await repo.delete(r.id) is False
