"""Enriching one prospect: under its ProspectLock, find what is missing, then write it all in one guarded batch.

Order: the website (when missing) → facts from that site → an address (when missing and a person is named) or the
verdict on the address it has. Only missing values are filled (shared/domain/enrichment/plan.py); the merge is
guarded by the prospect's version, so a person's edit made meanwhile wins and the merge is computed again on top of
it. The trail (every provider asked, what it answered, what it cost) goes onto the timeline in the same batch, with
the day's provider usage.

Idempotent under duplicate delivery: a second run finds nothing missing and writes nothing, or answers from the
caches (decisions and verdicts are cached per query and per address), so nothing is paid twice. A run that could
not ask a provider because of an outage (timeouts, 5xx, an open circuit, a busy bucket) saves what it found and then
raises `EnrichmentIncomplete`, so the queue retries it with back-off; after the retries it lands in `failed_tasks`
and the prospect is marked `failed`. A used-up quota is not retried: the prospect waits for the off-hours top-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from shared.domain.enrichment.domains import is_shared_host, registrable_domain
from shared.domain.enrichment.names import normalize_person
from shared.domain.enrichment.plan import Fact, FoundEmail, Result, Snapshot, merge, needs_of
from shared.domain.enrichment.trail import Trail
from shared.domain.errors import JenguError
from shared.domain.normalize import normalize_email, normalize_website, search_text
from shared.observability.log import Logger
from shared.ports.coordination import ProspectLocks
from shared.ports.runtime import Clock, IdFactory
from shared.ports.search import SiteQuery
from shared.service_layer.enrichment.email_finder import EmailFinder, EmailSearch
from shared.service_layer.enrichment.site_reader import SiteReader
from shared.service_layer.enrichment.website_finder import WebsiteFinder

LOCK_TTL_S = 300.0  # a run reads a few pages and verifies a few addresses: minutes at most
MERGE_TRIES = 3


class EnrichmentIncomplete(JenguError):
    """A provider could not be asked (an outage): what was found is saved; the queue retries the rest."""


class ProspectBusy(JenguError):
    """Another consumer holds the prospect's lock: the queue retries later."""


@dataclass(frozen=True, slots=True)
class RunReport:
    prospect_id: str
    status: str  # done, partial, waiting, missing, nothing_to_do
    summary: str = ""


class Enricher:
    def __init__(self, *, store: Any, locks: ProspectLocks, finder: Any, reader_factory: Any, emails: EmailFinder,
                 clock: Clock, ids: IdFactory, log: Logger) -> None:  # fmt: skip
        """`finder(reader) -> WebsiteFinder` and `reader_factory() -> SiteReader` build this run's own (a reader
        keeps the pages and robots.txt it read during one run)."""
        self._store = store
        self._locks = locks
        self._finder = finder
        self._reader_factory = reader_factory
        self._emails = emails
        self._clock = clock
        self._ids = ids
        self._log = log.bind(component="enrichment")

    async def run(self, prospect_id: str) -> RunReport:
        snapshot = await self._store.snapshot(prospect_id)
        if snapshot is None:
            return RunReport(prospect_id, "missing", "no such prospect")
        needs = needs_of(snapshot)
        if not needs.any():
            return RunReport(prospect_id, "nothing_to_do")
        owner = self._ids.new_id()
        lock = await self._locks.acquire(prospect_id, owner, LOCK_TTL_S, self._clock.now().timestamp())
        if not lock.granted:
            raise ProspectBusy(f"prospect {prospect_id} is locked by {lock.holder} until {lock.expires_at:.0f}")
        try:
            return await self._run_locked(snapshot)
        finally:
            try:
                await self._locks.release(prospect_id, owner, self._clock.now().timestamp())
            except Exception as exc:  # the lease expires by itself
                self._log.warning("prospect lock release failed", error=f"{type(exc).__name__}: {exc}")

    async def _run_locked(self, snapshot: Snapshot) -> RunReport:
        needs = needs_of(snapshot)
        trail = Trail()
        reader: SiteReader = self._reader_factory()
        transient = waiting = False

        site = None
        verified_url: str | None = None
        if needs.website and snapshot.hotel_name:
            finder: WebsiteFinder = self._finder(reader)
            query = SiteQuery(snapshot.hotel_name, snapshot.city, snapshot.country)
            found = await finder.find(query, trail)
            site, verified_url = found.site, found.site.url if found.site else None
            if site is not None:  # stored the way imports store websites; read from where it was verified
                site = replace(site, url=normalize_website(site.url) or site.url)
            transient, waiting = found.transient, found.waiting
        website = snapshot.website or (site.url if site else None)

        facts: Sequence[Fact] = []
        if needs.facts and website:
            facts = await reader.facts(verified_url or website, trail)

        email: FoundEmail | None = None
        existing: FoundEmail | None = None
        search = EmailSearch()
        mail_domain = registrable_domain(snapshot.domain or website or "") if (snapshot.domain or website) else None
        if needs.email and mail_domain and is_shared_host(mail_domain):
            trail.add("email", "patterns", "skipped", f"{mail_domain} is a website builder's host: no addresses there")
        elif needs.email and mail_domain:
            person = normalize_person(snapshot.contact_name, snapshot.first_name, snapshot.last_name,
                                      country=snapshot.country)  # fmt: skip
            search = await self._emails.find(person, mail_domain, trail)
            transient, waiting = transient or search.transient, waiting or search.waiting
            email = await self._unclaimed(search.email, snapshot.id, trail)
        if needs.verify_existing and snapshot.email:
            existing, was_transient, was_waiting = await self._emails.check_existing(snapshot.email, trail)
            transient, waiting = transient or was_transient, waiting or was_waiting

        result = Result(site=site, facts=tuple(facts), email=email, existing_check=existing,
                        waiting=transient or waiting)  # fmt: skip
        report = await self._save(snapshot, result, trail, search)
        self._log.info("prospect enriched", prospect_id=snapshot.id, status=report.status, summary=report.summary,
                       cost_usd=round(trail.cost_micros() / 1e6, 6))  # fmt: skip
        if transient and report.status != "done":
            raise EnrichmentIncomplete(f"prospect {snapshot.id}: a provider could not be asked; saved: "
                                       f"{report.summary}")  # fmt: skip
        return report

    async def _unclaimed(self, email: FoundEmail | None, prospect_id: str, trail: Trail) -> FoundEmail | None:
        """The found address, unless another live prospect already has it (one prospect per address)."""
        if email is None:
            return None
        normalized = normalize_email(email.address)
        if normalized is None:
            trail.add("email", "patterns", "rejected", f"{email.address}: not a valid address")
            return None
        owner = await self._store.email_owner(normalized, prospect_id)
        if owner is not None:
            trail.add("email", "patterns", "rejected", f"{email.address} belongs to prospect {owner}")
            return None
        return replace(email, address=normalized)

    async def _save(self, snapshot: Snapshot, result: Result, trail: Trail, search: EmailSearch) -> RunReport:
        candidates = [asdict(row) for row in search.candidates]
        usage = trail.usage()
        current: Snapshot | None = snapshot
        for _ in range(MERGE_TRIES):
            assert current is not None
            merged = merge(current, result)
            values = dict(merged.values)
            if "email" in values:
                values["email_normalized"] = values["email"]
                values["search_text"] = search_text(
                    current.contact_name, current.company_name, current.property_name, current.city, values["email"]
                )
            saved = await self._store.save(
                current, values=values, status=merged.status, token=self._ids.new_id(), now=self._clock.now(),
                facts=result.facts, candidates=candidates, activity_id=self._ids.new_id(),
                summary=f"Enrichment: {merged.summary}", trail=trail.to_json(), usage=usage,
            )  # fmt: skip
            if saved:
                return RunReport(snapshot.id, merged.status, merged.summary)
            current = await self._store.snapshot(snapshot.id)  # a person's edit won: merge again on top of it
            if current is None or current.archived:
                await self._store.add_usage(usage, self._clock.now())
                return RunReport(snapshot.id, "missing", "the prospect went away during enrichment")
        raise EnrichmentIncomplete(f"prospect {snapshot.id} kept changing during enrichment")
