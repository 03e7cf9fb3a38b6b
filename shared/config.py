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
    # API request limits
    "MAX_BODY_BYTES",
    "MAX_IMPORT_BYTES",
    "RATE_LIMIT_ENABLED",
    "RATE_LIMIT_API_KEY_CAPACITY",
    "RATE_LIMIT_API_KEY_REFILL_PER_S",
    "RATE_LIMIT_IP_CAPACITY",
    "RATE_LIMIT_IP_REFILL_PER_S",
)
MIB = 1024 * 1024


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    app_env: Literal["production", "staging", "development", "test"] = "production"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    cors_origins: tuple[str, ...] = ()
    public_base_url: str = "http://127.0.0.1:8787"
    api_key: str | None = Field(default=None, repr=False)

    # API request limits (see workers/api/limits.py and workers/api/rate_limits.py)
    # The budget behind these defaults (a 128 MiB isolate, the SDK buffering each body) is in workers/api/limits.py.
    max_body_bytes: int = Field(default=1 * MIB, ge=1)  # JSON bodies
    max_import_bytes: int = Field(default=20 * MIB, ge=1)  # CSV uploads: /api/imports, /api/prospects/import
    rate_limit_enabled: bool = True
    rate_limit_api_key_capacity: float = Field(default=120, ge=1)
    rate_limit_api_key_refill_per_s: float = Field(default=2.0, gt=0)
    rate_limit_ip_capacity: float = Field(default=60, ge=1)
    rate_limit_ip_refill_per_s: float = Field(default=1.0, gt=0)

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
        if "log_level" in values:
            values["log_level"] = str(values["log_level"]).lower()
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
            raise ValidationFailed(f"invalid Worker settings: {problems}") from exc
