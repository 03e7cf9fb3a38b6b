"""Typed settings read from the Worker's env (vars and secrets). Cast, validated, fail-fast; no os.environ."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.domain.errors import ValidationFailed

_FIELDS = ("APP_ENV", "LOG_LEVEL", "CORS_ORIGINS", "PUBLIC_BASE_URL", "API_KEY")


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    app_env: Literal["production", "staging", "development", "test"] = "production"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    cors_origins: tuple[str, ...] = ()
    public_base_url: str = "http://127.0.0.1:8787"
    api_key: str | None = Field(default=None, repr=False)

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
