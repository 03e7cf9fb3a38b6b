"""The enrichment fakes together, for `make dev` and the end-to-end tests: search APIs (Brave, Google CSE, SearXNG),
verifiers (MillionVerifier, ZeroBounce), the hotel websites, and DNS over HTTPS answering the World's MX records.

`worker_vars()` are the Worker settings that point enrichment at them (keys included: the fakes' own); the website
fake is reached through the local fetch stand-in's `JENGU_WEB_FAKE_URL`, which `start()` exports to this process
(the local runtime runs the Worker in-process) and `stop()` removes again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from local.fakes.doh import FakeDohServer
from local.fakes.search import FakeSearchServer
from local.fakes.verifiers import FakeVerifiers
from local.fakes.websites import FakeWebsites
from local.fakes.world import World, load_world

WEB_FAKE_VAR = "JENGU_WEB_FAKE_URL"


@dataclass
class EnrichmentFakes:
    world: World = field(default_factory=load_world)
    host: str = "127.0.0.1"
    doh_port: int = 0

    def __post_init__(self) -> None:
        self.search = FakeSearchServer(self.world, host=self.host)
        self.verifiers = FakeVerifiers(self.world, host=self.host)
        self.websites = FakeWebsites(self.world, host=self.host)
        self.doh = FakeDohServer(world=self.world, host=self.host, port=self.doh_port)
        self._previous_web: str | None = None

    async def start(self) -> EnrichmentFakes:
        await self.search.start()
        await self.verifiers.start()
        await self.websites.start()
        await self.doh.start()
        self._previous_web = os.environ.get(WEB_FAKE_VAR)
        os.environ[WEB_FAKE_VAR] = self.websites.base_url
        return self

    async def stop(self) -> None:
        if self._previous_web is None:
            os.environ.pop(WEB_FAKE_VAR, None)
        else:
            os.environ[WEB_FAKE_VAR] = self._previous_web
        for fake in (self.doh, self.websites, self.verifiers, self.search):
            await fake.stop()

    async def __aenter__(self) -> EnrichmentFakes:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def worker_vars(self) -> dict[str, str]:
        search, verifiers = self.search.base_url, self.verifiers.base_url
        return {
            "DOH_URL": self.doh.url,
            "ENRICH_WEBSITE_PROVIDERS": "llm,brave,google_cse,searxng",
            "BRAVE_API_KEY": self.search.brave_key, "BRAVE_BASE_URL": search,
            "GOOGLE_CSE_KEY": self.search.google_key, "GOOGLE_CSE_CX": self.search.google_cx,
            "GOOGLE_CSE_BASE_URL": search, "SEARXNG_URL": search,
            "MILLIONVERIFIER_API_KEY": self.verifiers.millionverifier_key, "MILLIONVERIFIER_BASE_URL": verifiers,
            "ZEROBOUNCE_API_KEY": self.verifiers.zerobounce_key, "ZEROBOUNCE_BASE_URL": verifiers,
        }  # fmt: skip
