"""The `env` object the Worker sees locally: one attribute per binding and var named in wrangler.toml."""

from __future__ import annotations

from typing import Any


class LocalEnv:
    """Attribute bag like the SDK's env wrapper: `env.DB`, `env.KV_CACHE`, `env.API_KEY`, ..."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:  # only reached for names that are not bindings
        raise AttributeError(f"env has no binding or var named {name!r} (see wrangler.toml and .dev.vars)")

    def __repr__(self) -> str:
        return f"LocalEnv({sorted(self.__dict__)})"


class ExecutionContext:
    """`ctx` for one invocation: `waitUntil` tasks are awaited before the invocation counts as finished."""

    def __init__(self) -> None:
        self._pending: list[Any] = []

    def waitUntil(self, awaitable: Any) -> None:
        self._pending.append(awaitable)

    def passThroughOnException(self) -> None:
        return None

    async def settle(self) -> None:
        while self._pending:
            pending, self._pending = self._pending, []
            for awaitable in pending:
                await awaitable


class ScheduledController:
    """The `controller` a scheduled handler receives: `cron`, `scheduledTime` (epoch ms), `noRetry()`."""

    def __init__(self, cron: str, scheduled_time_ms: float) -> None:
        self.cron = cron
        self.scheduledTime = scheduled_time_ms
        self.type = "scheduled"
        self.retry = True

    def noRetry(self) -> None:
        self.retry = False
