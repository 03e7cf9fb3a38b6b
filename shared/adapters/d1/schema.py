"""Schema bookkeeping: which migrations the deployed code expects, and which the database has applied.

Workers cannot read `migrations/` at run time, so the expected list is a constant; a unit test keeps it equal to
the files in `migrations/`.
"""

from __future__ import annotations

from shared.adapters.d1 import sql
from shared.adapters.d1.client import D1Client

EXPECTED_MIGRATIONS: tuple[str, ...] = (
    "0001_platform.sql",
    "0002_crm.sql",
    "0003_import_jobs.sql",
    "0004_text_folding.sql",
    "0005_outreach.sql",
    "0006_sending.sql",
    "0007_inbound.sql",
    "0008_enrichment.sql",
    "0009_dashboard.sql",
)


class D1SchemaRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def applied_migrations(self) -> list[str]:
        return [str(r["name"]) for r in await self._db.all(sql.APPLIED_MIGRATIONS)]

    async def ping(self) -> None:
        await self._db.first(sql.SELECT_ONE)
