"""Composition root: build this invocation's collaborators from the Worker's env. Nothing is wired at import time.

Handlers receive a `Services`; tests build one with fakes through `bootstrap(env, **overrides)`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.adapters.d1.client import D1Client
from shared.adapters.d1.failed_tasks import D1FailedTaskRepository
from shared.adapters.d1.schema import EXPECTED_MIGRATIONS, D1SchemaRepository
from shared.adapters.d1.settings import D1InboxDirectory, D1SettingsRepository
from shared.adapters.durable import DurableObjectClient
from shared.adapters.kv import KvCache
from shared.adapters.queues import CfQueuePublisher
from shared.adapters.system import SystemClock, TimeOrderedIds
from shared.config import Settings
from shared.observability.log import Logger

if TYPE_CHECKING:  # the ports only annotate Services (some carry pydantic messages)
    from shared.adapters.d1.emails import D1EmailRepository
    from shared.adapters.d1.enrichment import D1EnrichmentStore
    from shared.adapters.d1.enrollments import D1EnrollmentRepository
    from shared.domain.campaigns.country_policy import CountryPolicy
    from shared.ports.api_keys import ApiKeyRepository
    from shared.ports.breaker import CircuitBreakers
    from shared.ports.cache import Cache
    from shared.ports.campaigns import CampaignRepository
    from shared.ports.coordination import DedupClient, InboxHealthClient, ProspectLocks, WarmupClient
    from shared.ports.dns import DnsResolver
    from shared.ports.durable import DurableObjectPinger
    from shared.ports.http import HttpClient
    from shared.ports.import_jobs import ImportJobRepository
    from shared.ports.inboxes import InboxRepository
    from shared.ports.prospects import ProspectRepository
    from shared.ports.queues import QueuePublisher
    from shared.ports.rate_limit import RateLimiter
    from shared.ports.repositories import FailedTaskRepository, InboundRepository, SchemaRepository
    from shared.ports.runtime import Clock, IdFactory
    from shared.service_layer.campaigns import CampaignService
    from shared.service_layer.composition.compose import ComposeService
    from shared.service_layer.composition.gateway import AiGateway
    from shared.service_layer.email_events import EmailEvents
    from shared.service_layer.emails import EmailService
    from shared.service_layer.enrichment.enrich import Enricher
    from shared.service_layer.enrichment.requests import EnrichRequests
    from shared.service_layer.health import HealthChecks
    from shared.service_layer.import_job_sweeper import ImportJobSweeper
    from shared.service_layer.import_jobs import ImportJobService
    from shared.service_layer.inboxes import InboxService
    from shared.service_layer.notifications import NotificationFlusher, Notifier, WebhookSender, WebhookSettings
    from shared.service_layer.scheduling.tick import SendTick
    from shared.service_layer.sending_gate import SendGate, SettingsStore
    from shared.service_layer.suppressions import SuppressionService
    from shared.service_layer.unsubscribe import UnsubscribeService


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    ids: IdFactory
    log: Logger
    publisher: QueuePublisher
    cache: Cache
    durable: DurableObjectPinger
    schema: SchemaRepository
    failed_tasks: FailedTaskRepository
    inbound: InboundRepository
    api_keys: ApiKeyRepository
    rate_limiter: RateLimiter
    prospects: ProspectRepository
    settings_store: SettingsStore
    inboxes: D1InboxDirectory
    warmup: WarmupClient
    inbox_health: InboxHealthClient
    dedup: DedupClient
    prospect_locks: ProspectLocks
    import_jobs: ImportJobRepository
    # The raw bindings and the D1 client, for the collaborators built on first use below (one door needs each).
    env: Any = None
    db: D1Client | None = None

    def with_trace(self, trace_id: str, component: str | None = None) -> Services:
        return replace(self, log=self.log.bind(component=component, trace_id=trace_id))

    @property
    def send_gate(self) -> SendGate:
        from shared.service_layer.sending_gate import SendGate  # the sending path's (decision 0012)

        return SendGate(settings=self.settings_store, health=self.inbox_health, warmup=self.warmup, clock=self.clock)

    @property
    def import_job_service(self) -> ImportJobService:
        from shared.service_layer.import_jobs import ImportJobService  # the CSV parser loads on first use

        async def created(ids: list[str], trace_id: str) -> None:
            await self.enrich_requests.created(ids, trace_id=trace_id, reason="import")

        return ImportJobService(
            jobs=self.import_jobs, prospects=self.prospects, publisher=self.publisher, clock=self.clock, ids=self.ids,
            log=self.log, on_created=created,
        )  # fmt: skip

    @property
    def import_job_sweeper(self) -> ImportJobSweeper:
        from shared.service_layer.import_job_sweeper import ImportJobSweeper  # the scheduler's (decision 0013)

        return ImportJobSweeper(
            jobs=self.import_jobs, publisher=self.publisher, clock=self.clock, ids=self.ids, log=self.log
        )

    # -- the outreach pipeline's collaborators, built on first use (decision 0012). Each helper owns its body. ------

    @property
    def http(self) -> HttpClient:
        from shared.adapters.http import WorkersFetch

        return WorkersFetch()

    @property
    def dns(self) -> DnsResolver:
        from shared.adapters.doh import DohResolver

        return DohResolver(self.http, self.settings.doh_url)

    @property
    def inbox_store(self) -> InboxRepository:
        from shared.adapters.d1.inboxes import D1InboxRepository

        assert self.db is not None
        return D1InboxRepository(self.db)

    @property
    def inbox_service(self) -> InboxService:
        from shared.service_layer.inboxes import InboxService

        return InboxService(
            store=self.inbox_store, warmup=self.warmup, health=self.inbox_health, env=self.env, clock=self.clock,
            ids=self.ids, log=self.log,
        )  # fmt: skip

    @property
    def campaign_store(self) -> CampaignRepository:
        from shared.adapters.d1.campaigns import D1CampaignRepository

        assert self.db is not None
        return D1CampaignRepository(self.db)

    @property
    def campaign_service(self) -> CampaignService:
        from shared.service_layer.campaigns import CampaignService, dns_domain_check

        return CampaignService(
            store=self.campaign_store, inboxes=self.inbox_store, clock=self.clock, ids=self.ids, log=self.log,
            domain_check=dns_domain_check(lambda: self.dns),
        )  # fmt: skip

    @property
    def enrollments(self) -> D1EnrollmentRepository:
        from shared.adapters.d1.enrollments import D1EnrollmentRepository

        assert self.db is not None
        return D1EnrollmentRepository(self.db)

    @property
    def emails(self) -> D1EmailRepository:
        from shared.adapters.d1.emails import D1EmailRepository

        assert self.db is not None
        return D1EmailRepository(self.db)

    @property
    def email_events(self) -> EmailEvents:
        from shared.adapters.d1.emails import D1EmailLedger
        from shared.service_layer.email_events import EmailEvents

        assert self.db is not None
        return EmailEvents(
            emails=D1EmailLedger(self.db), publisher=self.publisher, clock=self.clock, ids=self.ids, log=self.log
        )

    @property
    def email_service(self) -> EmailService:
        from shared.adapters.d1.emails import D1EmailLedger
        from shared.service_layer.emails import EmailService

        assert self.db is not None
        return EmailService(
            emails=D1EmailLedger(self.db), events=self.email_events, inboxes=self.inbox_store, warmup=self.warmup,
            publisher=self.publisher, policy=self.country_policy, clock=self.clock, ids=self.ids, log=self.log,
        )  # fmt: skip

    @property
    def suppressions(self) -> SuppressionService:
        from shared.adapters.d1.suppressions import D1SuppressionRepository
        from shared.service_layer.suppressions import SuppressionService

        assert self.db is not None
        return SuppressionService(store=D1SuppressionRepository(self.db), clock=self.clock, ids=self.ids, log=self.log)

    @property
    def unsubscribe_service(self) -> UnsubscribeService:
        from shared.adapters.d1.suppressions import D1SuppressionRepository
        from shared.service_layer.unsubscribe import UnsubscribeService

        assert self.db is not None
        return UnsubscribeService(
            store=D1SuppressionRepository(self.db), warmup=self.warmup, clock=self.clock, ids=self.ids, log=self.log
        )

    async def country_policy(self) -> CountryPolicy:
        """The defaults, then env `COUNTRY_POLICY`, then the D1 setting `country_policy` (the last word)."""
        from shared.domain.campaigns.country_policy import parse_overrides, policy_from

        overrides = parse_overrides(getattr(self.env, "COUNTRY_POLICY", None))
        overrides.update(parse_overrides(await self.settings_store.get("country_policy")))
        return policy_from(overrides)

    @property
    def send_tick(self) -> SendTick:
        from shared.service_layer.scheduling.tick import SendTick

        return SendTick(self, self.enrollments)

    @property
    def ai_gateway(self) -> AiGateway | None:
        """None when no AI provider is configured: composition goes straight to the template composer."""
        if not self.settings.ai_providers:
            return None
        from shared.adapters.ai.registry import build_providers
        from shared.service_layer.composition.gateway import AiGateway

        return AiGateway(
            build_providers(self.settings, self.env, self.http), breakers=self.breakers,
            rate_limiter=self.rate_limiter, clock=self.clock, log=self.log, timeout_s=self.settings.ai_timeout_s,
        )  # fmt: skip

    @property
    def compose_service(self) -> ComposeService:
        from shared.service_layer.composition.compose import ComposeService

        return ComposeService(self, self.emails, self.ai_gateway)

    @property
    def breakers(self) -> CircuitBreakers:
        from shared.adapters.provider_breaker import ClosedCircuitBreakers, DurableCircuitBreakers
        from shared.messages.provider_breaker import PROVIDER_BREAKER_BINDING

        if getattr(self.env, PROVIDER_BREAKER_BINDING, None) is None:
            return ClosedCircuitBreakers()  # a deployment without the binding: every provider is tried
        return DurableCircuitBreakers(self.env)

    @property
    def notifier(self) -> Notifier:
        from shared.adapters.d1.notifications import D1NotificationRepository
        from shared.service_layer.notifications import Notifier

        assert self.db is not None
        return Notifier(
            store=D1NotificationRepository(self.db), settings=self.settings_store, clock=self.clock, ids=self.ids,
            log=self.log,
        )  # fmt: skip

    @property
    def webhook_sender(self) -> WebhookSender:
        from shared.service_layer.notifications import WebhookSender

        return WebhookSender(http=self.http, env=self.env, clock=self.clock)

    @property
    def notification_flusher(self) -> NotificationFlusher:
        from shared.adapters.d1.notifications import D1NotificationRepository
        from shared.service_layer.notifications import NotificationFlusher

        assert self.db is not None
        return NotificationFlusher(
            store=D1NotificationRepository(self.db), settings=self.settings_store, sender=self.webhook_sender,
            log=self.log,
        )  # fmt: skip

    @property
    def webhook_settings(self) -> WebhookSettings:
        from shared.service_layer.notifications import WebhookSettings

        return WebhookSettings(
            settings=self.settings_store, sender=self.webhook_sender, clock=self.clock, ids=self.ids, log=self.log,
            env=self.env,
        )  # fmt: skip

    # -- enrichment (decision 0020) -----------------------------------------------------------------------------

    @property
    def enrichment_store(self) -> D1EnrichmentStore:
        from shared.adapters.d1.enrichment import D1EnrichmentStore

        assert self.db is not None
        return D1EnrichmentStore(self.db)

    @property
    def enrich_requests(self) -> EnrichRequests:
        from shared.service_layer.enrichment.requests import EnrichRequests

        return EnrichRequests(self)

    @property
    def enrichment_finder_names(self) -> tuple[str, ...]:
        from shared.adapters.enrichment_registry import configured_finders

        return configured_finders(self.settings)

    @property
    def enrichment_verifier_names(self) -> tuple[str, ...]:
        from shared.adapters.enrichment_registry import configured_verifiers

        return configured_verifiers(self.settings)

    @property
    def enrichment_verifier_order(self) -> tuple[str, ...]:
        from shared.adapters.enrichment_registry import verifier_order

        return verifier_order(self.settings)

    @property
    def enricher(self) -> Enricher:
        from shared.adapters.enrichment_registry import email_verifiers, website_finders
        from shared.adapters.web_pages import HttpPageFetcher
        from shared.domain.enrichment.costs import provider_costs
        from shared.service_layer.enrichment.email_finder import EmailFinder
        from shared.service_layer.enrichment.enrich import Enricher
        from shared.service_layer.enrichment.guard import ProviderGuard
        from shared.service_layer.enrichment.site_reader import SiteReader
        from shared.service_layer.enrichment.website_finder import WebsiteFinder

        s, http = self.settings, self.http
        guard = ProviderGuard(
            breakers=self.breakers, rate_limiter=self.rate_limiter, clock=self.clock, log=self.log,
            costs=provider_costs(s.enrich_costs), timeout_s=s.enrich_timeout_s,
        )  # fmt: skip
        finders = website_finders(s, http, self.ai_gateway)
        fetcher = HttpPageFetcher(http, user_agent=s.enrich_user_agent)

        def reader() -> SiteReader:
            return SiteReader(fetcher, timeout_s=s.enrich_timeout_s)

        def finder(site_reader: SiteReader) -> WebsiteFinder:
            return WebsiteFinder(finders, guard=guard, cache=self.cache, reader=site_reader,
                                 hit_ttl_days=s.enrich_cache_days, miss_ttl_days=s.enrich_miss_cache_days)  # fmt: skip

        emails = EmailFinder(email_verifiers(s, http, self.log), guard=guard, cache=self.cache, dns=self.dns,
                             catch_all=s.enrich_catch_all, ttl_days=s.enrich_cache_days)  # fmt: skip
        return Enricher(store=self.enrichment_store, locks=self.prospect_locks, finder=finder, reader_factory=reader,
                        emails=emails, clock=self.clock, ids=self.ids, log=self.log)  # fmt: skip

    @property
    def health(self) -> HealthChecks:
        from shared.service_layer.health import HealthChecks  # /health's (decision 0012)

        return HealthChecks(
            schema=self.schema,
            cache=self.cache,
            queues=self.publisher,
            durable=self.durable,
            expected_migrations=EXPECTED_MIGRATIONS,
        )


# A host may lend the Worker its clock under this env name: the local runtime's tests bind their ManualClock here so
# the Worker and the emulators (queues, alarms, Durable Objects) share one time. Never bound on Cloudflare.
HOST_CLOCK_BINDING = "JENGU_CLOCK"


class _HostClock:
    """Adapts a host clock (`now()` -> epoch seconds) to the `Clock` port."""

    def __init__(self, source: Any) -> None:
        self._source = source

    def now(self) -> datetime:
        return datetime.fromtimestamp(float(self._source.now()), tz=UTC)


def _clock(env: Any) -> Clock:
    host = getattr(env, HOST_CLOCK_BINDING, None)
    return _HostClock(host) if callable(getattr(host, "now", None)) else SystemClock()


def bootstrap(env: Any, *, component: str = "worker", trace_id: str | None = None, **overrides: Any) -> Services:
    # The prospect domain (models, scoring, normalisation, geo) and the Durable Object clients' pydantic messages come
    # with these: imported on the first composition, not at the Worker's top level, which the Durable Objects share
    # and never need them (decision 0012).
    from shared.adapters.coordination import DurableDedup, DurableInboxHealth, DurableProspectLocks, DurableWarmup
    from shared.adapters.d1.api_keys import D1ApiKeyRepository
    from shared.adapters.d1.import_jobs import D1ImportJobRepository
    from shared.adapters.d1.inbound import D1InboundRepository
    from shared.adapters.d1.prospects import D1ProspectRepository
    from shared.adapters.rate_limit import DurableObjectRateLimiter, UnlimitedRateLimiter

    settings: Settings = overrides.pop("settings", None) or Settings.from_env(env)
    db = D1Client(env.DB)
    clock = _clock(env)
    services = Services(
        settings=settings,
        clock=clock,
        ids=TimeOrderedIds(),  # time-ordered: decision 0013
        log=Logger(component, trace_id=trace_id, level=settings.log_level),
        publisher=CfQueuePublisher.from_env(env),
        cache=KvCache(env.KV_CACHE),
        durable=DurableObjectClient(env),
        schema=D1SchemaRepository(db),
        failed_tasks=D1FailedTaskRepository(db),
        inbound=D1InboundRepository(db),
        api_keys=D1ApiKeyRepository(db),
        prospects=D1ProspectRepository(db),
        settings_store=D1SettingsRepository(db),
        inboxes=D1InboxDirectory(db),
        warmup=DurableWarmup(env),
        inbox_health=DurableInboxHealth(env),
        dedup=DurableDedup(env),
        prospect_locks=DurableProspectLocks(env),
        import_jobs=D1ImportJobRepository(db),
        env=env,
        db=db,
        rate_limiter=DurableObjectRateLimiter(env, clock) if settings.rate_limit_enabled else UnlimitedRateLimiter(),
    )
    return replace(services, **overrides) if overrides else services
