"""FastAPI dependencies: this request's settings and services, built from the Worker env in the ASGI scope."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi import Request

from shared.bootstrap import Services, bootstrap
from shared.config import Settings

_SETTINGS_STATE_KEY = "settings"


def scope_settings(scope: MutableMapping[str, Any]) -> Settings:
    """The settings of the Worker env in `scope`, parsed once per request (defaults when there is no env)."""
    state = scope.setdefault("state", {})
    settings = state.get(_SETTINGS_STATE_KEY)
    if settings is None:
        env = scope.get("env")
        settings = Settings.from_env(env) if env is not None else Settings()
        state[_SETTINGS_STATE_KEY] = settings
    return settings


async def get_services(request: Request) -> Services:
    """This request's services (async: FastAPI would run a plain `def` dependency in a thread, see decision 0014)."""
    env = request.scope.get("env")
    if env is None:
        raise RuntimeError("no Worker env in the ASGI scope")
    return bootstrap(
        env,
        component="api",
        trace_id=getattr(request.state, "request_id", None),
        settings=scope_settings(request.scope),
    )
