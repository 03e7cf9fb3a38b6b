"""Typed settings read from the Worker's env (vars and secrets). Cast, validated, fail-fast; no os.environ."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.domain.errors import ValidationFailed
from shared.domain.token_bucket import BucketLimit
from shared.messages.rate_limit import KeyClass

_FIELDS = (
    "APP_ENV",
    "LOG_LEVEL",
    "CORS_ORIGINS",
    "PUBLIC_BASE_URL",
    "API_KEY",
    "UNSUBSCRIBE_SECRET",
    "INBOUND_WEBHOOK_SECRET",
    # API request limits
    "MAX_BODY_BYTES",
    "MAX_IMPORT_BYTES",
    "RATE_LIMIT_ENABLED",
    "RATE_LIMIT_API_KEY_CAPACITY",
    "RATE_LIMIT_API_KEY_REFILL_PER_S",
    "RATE_LIMIT_IP_CAPACITY",
    "RATE_LIMIT_IP_REFILL_PER_S",
    # composition: the AI gateway (shared/service_layer/composition); the template composer is always last
    "AI_PROVIDERS",
    "AI_TIMEOUT_S",
    "XAI_API_KEY",
    "XAI_BASE_URL",
    "XAI_MODEL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_MODEL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "WORKERS_AI_MODEL",
    # DNS over HTTPS (the inbox DNS check)
    "DOH_URL",
    # scheduler and weekly maintenance
    "SCHEDULER_MAX_PER_TICK",
    "EMAIL_RETENTION_DAYS",
    "ARCHIVE_AFTER_DAYS",
    "COMPLETE_AFTER_DAYS",
    # enrichment (shared/service_layer/enrichment, decision 0020)
    "ENRICH_ON_CREATE",
    "ENRICH_WEBSITE_PROVIDERS",
    "ENRICH_VERIFIERS",
    "ENRICH_CATCH_ALL",
    "ENRICH_TIMEOUT_S",
    "ENRICH_USER_AGENT",
    "ENRICH_TOPUP_MAX",
    "ENRICH_CACHE_DAYS",
    "ENRICH_MISS_CACHE_DAYS",
    "ENRICH_RETRY_AFTER_DAYS",
    "ENRICH_COSTS",
    "BRAVE_API_KEY",
    "BRAVE_BASE_URL",
    "GOOGLE_CSE_KEY",
    "GOOGLE_CSE_CX",
    "GOOGLE_CSE_BASE_URL",
    "SEARXNG_URL",
    "SEARXNG_AUTHORIZATION",
    "MILLIONVERIFIER_API_KEY",
    "MILLIONVERIFIER_BASE_URL",
    "ZEROBOUNCE_API_KEY",
    "ZEROBOUNCE_BASE_URL",
)
MIB = 1024 * 1024


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    app_env: Literal["production", "staging", "development", "test"] = "production"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    cors_origins: tuple[str, ...] = ()
    public_base_url: str = "http://127.0.0.1:8787"
    api_key: str | None = Field(default=None, repr=False)
    # signs the unsubscribe links (comma-separated: the first signs, every one verifies); production needs it
    unsubscribe_secret: str | None = Field(default=None, repr=False)
    # signs `POST /webhooks/inbound` (comma-separated: every one verifies, for rotation); unset: the webhook is off
    inbound_webhook_secret: str | None = Field(default=None, repr=False)

    # API request limits (see workers/api/limits.py and workers/api/rate_limits.py)
    # The budget behind these defaults (a 128 MiB isolate, the SDK buffering each body) is in workers/api/limits.py.
    max_body_bytes: int = Field(default=1 * MIB, ge=1)  # JSON bodies
    max_import_bytes: int = Field(default=20 * MIB, ge=1)  # CSV uploads: /api/imports, /api/prospects/import
    rate_limit_enabled: bool = True
    rate_limit_api_key_capacity: float = Field(default=120, ge=1)
    rate_limit_api_key_refill_per_s: float = Field(default=2.0, gt=0)
    rate_limit_ip_capacity: float = Field(default=60, ge=1)
    rate_limit_ip_refill_per_s: float = Field(default=1.0, gt=0)

    # Composition (decision 0016). Providers are tried in this order; one without its key/binding is skipped; the
    # template composer is always the last resort, so the default (none) composes offline.
    ai_providers: tuple[str, ...] = ()
    ai_timeout_s: float = Field(default=20.0, gt=0, le=120)
    xai_api_key: str | None = Field(default=None, repr=False)
    xai_base_url: str = "https://api.x.ai/v1"
    xai_model: str = "grok-3-mini"
    anthropic_api_key: str | None = Field(default=None, repr=False)
    anthropic_base_url: str = "https://api.anthropic.com"
    anthropic_model: str = "claude-3-5-haiku-latest"
    openai_api_key: str | None = Field(default=None, repr=False)
    openai_base_url: str | None = None  # any OpenAI-compatible endpoint: AI Gateway, OpenAI, Groq, self-hosted
    openai_model: str = "gpt-4o-mini"
    workers_ai_model: str = "@cf/meta/llama-3.1-8b-instruct"

    doh_url: str = "https://cloudflare-dns.com/dns-query"  # DNS over HTTPS, JSON API

    scheduler_max_per_tick: int = Field(default=500, ge=1, le=5000)  # compose messages one tick may enqueue
    email_retention_days: int = Field(default=365, ge=1)  # bodies older than this are purged (rows stay)
    archive_after_days: int = Field(default=30, ge=1)  # no reply this long after the last step: archive
    complete_after_days: int = Field(default=14, ge=0)  # last step composed this long ago: enrollment completed

    # Enrichment (decision 0020). Website finders are asked in this order, verifiers in cost order; one without its
    # key/URL is skipped, so offline the chain ends in ranked, unverified address candidates instead of failing.
    enrich_on_create: bool = True  # new prospects missing a website, facts or an address get an `enrich` message
    enrich_website_providers: tuple[str, ...] = ("llm", "brave", "google_cse", "searxng")
    enrich_verifiers: tuple[str, ...] = ("millionverifier", "zerobounce")
    enrich_catch_all: Literal["risky", "skip"] = "risky"  # a catch-all domain's best guess: kept as risky, or not
    enrich_timeout_s: float = Field(default=10.0, gt=0, le=60)  # per provider call and per page
    enrich_user_agent: str = "JenguBot/1.0 (+https://jengu.example/bot; hotel outreach research)"
    enrich_topup_max: int = Field(default=200, ge=0, le=5000)  # prospects one off-hours cron run may enqueue
    enrich_cache_days: int = Field(default=30, ge=1)  # a found website / a verdict is reused this long
    enrich_miss_cache_days: int = Field(default=7, ge=1)  # "nothing found" is believed this long
    enrich_retry_after_days: int = Field(default=14, ge=1)  # a partial prospect is tried again after this
    enrich_costs: str | None = None  # JSON: provider -> {"credits_per_call", "usd_per_credit"} (overrides)
    brave_api_key: str | None = Field(default=None, repr=False)
    brave_base_url: str = "https://api.search.brave.com"
    google_cse_key: str | None = Field(default=None, repr=False)
    google_cse_cx: str | None = None
    google_cse_base_url: str = "https://www.googleapis.com"
    searxng_url: str | None = None  # a self-hosted SearXNG instance with format=json enabled
    searxng_authorization: str | None = Field(default=None, repr=False)  # its Authorization header, if it wants one
    millionverifier_api_key: str | None = Field(default=None, repr=False)
    millionverifier_base_url: str = "https://api.millionverifier.com"
    zerobounce_api_key: str | None = Field(default=None, repr=False)
    zerobounce_base_url: str = "https://api.zerobounce.net"

    @property
    def is_local(self) -> bool:
        """Running on the local runtime (or tests), not on Cloudflare: decides which proxy headers are trusted."""
        return self.app_env in ("development", "test")

    def rate_limits(self) -> dict[str, BucketLimit]:
        """Token-bucket limits per key class (read by the RateLimiter Durable Object)."""
        return {
            KeyClass.API_KEY: BucketLimit(self.rate_limit_api_key_capacity, self.rate_limit_api_key_refill_per_s),
            KeyClass.IP: BucketLimit(self.rate_limit_ip_capacity, self.rate_limit_ip_refill_per_s),
        }

    @classmethod
    def from_env(cls, env: Any) -> Settings:
        raw = {name: getattr(env, name, None) for name in _FIELDS}
        values: dict[str, Any] = {k.lower(): v for k, v in raw.items() if v not in (None, "")}
        if "cors_origins" in values:
            values["cors_origins"] = tuple(o.strip() for o in str(values["cors_origins"]).split(",") if o.strip())
        for name in ("ai_providers", "enrich_website_providers", "enrich_verifiers"):
            if name in values:
                values[name] = tuple(p.strip().lower() for p in str(values[name]).split(",") if p.strip())
        if "log_level" in values:
            values["log_level"] = str(values["log_level"]).lower()
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
            raise ValidationFailed(f"invalid Worker settings: {problems}") from exc
