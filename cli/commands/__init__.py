"""What every command shares: the invocation's `Session` (config, client, output, clock and sleep, all injectable)
and the common options (`--json`, the prospect filters)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TextIO

import httpx
import typer

from cli.client import ApiClient
from cli.config import Config, load_config
from cli.output import Output


@dataclass
class Deps:
    """What an invocation uses from the outside world; tests replace any of it."""

    transport: httpx.AsyncBaseTransport | None = None
    out: TextIO | None = None
    err: TextIO | None = None
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep


@dataclass
class Session:
    deps: Deps = field(default_factory=Deps)
    url: str | None = None
    key: str | None = None
    _config: Config | None = None

    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(url=self.url, key=self.key, env=self.deps.env, cwd=self.deps.cwd)
        return self._config

    def client(self) -> ApiClient:
        config = self.config()
        return ApiClient(config.url, config.key, transport=self.deps.transport)

    def output(self, json_mode: bool = False) -> Output:
        d = self.deps
        return Output(d.out, d.err, json_mode=json_mode, env=d.env, clock=d.clock)

    async def sleep(self, seconds: float) -> None:
        await self.deps.sleep(seconds)


def session(ctx: typer.Context) -> Session:
    obj = ctx.find_root().obj
    if not isinstance(obj, Session):  # invoked without run_async (e.g. typer.testing.CliRunner)
        obj = ctx.find_root().obj = Session()
    return obj


JsonOpt = Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a table.")]
IntervalOpt = Annotated[float, typer.Option("--interval", min=0.05, help="Seconds between progress polls.")]


@dataclass
class ProspectFilter:
    stage: list[str] | None = None
    tier: list[str] | None = None
    country: list[str] | None = None
    tag: str | None = None
    archived: str | None = None
    has_email: bool | None = None
    email_status: list[str] | None = None
    campaign: str | None = None
    q: str | None = None

    def params(self) -> dict[str, Any]:
        """Query parameters of GET /api/prospects (and /export)."""
        values: dict[str, Any] = {
            "stage": self.stage, "tier": self.tier, "country": self.country, "tag": self.tag,
            "archived": self.archived, "email_status": self.email_status, "campaign": self.campaign, "q": self.q,
        }  # fmt: skip
        if self.has_email is not None:
            values["has_email"] = "true" if self.has_email else "false"
        return values

    def body(self) -> dict[str, Any]:
        """The same selection as a JSON `filter` (POST /api/enrich, bulk actions)."""
        values: dict[str, Any] = {
            "stage": self.stage, "tier": self.tier, "country": self.country, "tag": self.tag,
            "email_status": self.email_status, "campaign": self.campaign, "q": self.q, "has_email": self.has_email,
            "archived": self.archived,
        }  # fmt: skip
        return {k: v for k, v in values.items() if v not in (None, [])}

    def empty(self) -> bool:
        return not self.body()


StageOpt = Annotated[list[str] | None, typer.Option("--stage", help="new, enriched, ready, ... (repeatable)")]
TierOpt = Annotated[list[str] | None, typer.Option("--tier", help="hot, warm, cold (repeatable)")]
CountryOpt = Annotated[list[str] | None, typer.Option("--country", help="ISO code or English name (repeatable)")]
TagOpt = Annotated[str | None, typer.Option("--tag")]
ArchivedOpt = Annotated[str | None, typer.Option("--archived", help="true, false (the API's default) or all")]
HasEmailOpt = Annotated[bool | None, typer.Option("--has-email/--no-email", help="Only with / without an address.")]
EmailStatusOpt = Annotated[list[str] | None, typer.Option("--email-status", help="valid, risky, ... (repeatable)")]
CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="Enrolled in this campaign (id).")]
SearchOpt = Annotated[str | None, typer.Option("--search", "-q", help="Full-text search.")]
