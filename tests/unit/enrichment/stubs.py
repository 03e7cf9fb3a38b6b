"""Scripted enrichment providers for unit tests: web search, verifiers, page fetching and DNS, no network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.ports.dns import DnsAnswer
from shared.ports.http import HttpError
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.search import SearchHit, SiteQuery
from shared.ports.verification import Verification, VerifierResult
from shared.ports.web import WebPage

Step = list[SearchHit] | LookupFailureKind | Exception


@dataclass
class StubSearch:
    """Answers each query from `steps` in turn (the last one repeats); records every query asked."""

    name: str
    steps: list[Step] = field(default_factory=list)
    asked: list[SiteQuery] = field(default_factory=list)

    async def search(self, query: SiteQuery, *, timeout_s: float) -> list[SearchHit]:
        self.asked.append(query)
        step = self.steps[min(len(self.asked), len(self.steps)) - 1] if self.steps else []
        if isinstance(step, LookupFailureKind):
            raise LookupFailure(step, "scripted", quota_period="month" if step is LookupFailureKind.QUOTA else None)
        if isinstance(step, Exception):
            raise step
        return list(step)


@dataclass
class StubVerifier:
    """Verdicts per address (default: undeliverable), or a failure kind for every call."""

    name: str
    verdicts: dict[str, VerifierResult] = field(default_factory=dict)
    failure: LookupFailureKind | None = None
    catch_all_domains: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    async def verify(self, address: str, *, timeout_s: float) -> Verification:
        self.asked.append(address)
        if self.failure is not None:
            raise LookupFailure(self.failure, "scripted")
        if address.rpartition("@")[2] in self.catch_all_domains:
            return Verification(address, VerifierResult.CATCH_ALL, "catch_all")
        result = self.verdicts.get(address, VerifierResult.UNDELIVERABLE)
        return Verification(address, result, result.value)


def page(url: str, title: str, body: str = "", *, status: int = 200, redirects: tuple[str, ...] = ()) -> WebPage:
    html = f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>"
    return WebPage(url=url, status=status, content_type="text/html", text=html, redirects=redirects)


@dataclass
class StubFetcher:
    """Pages by URL; robots.txt of any host allows everything unless `robots` says otherwise; unknown URLs raise."""

    pages: dict[str, WebPage] = field(default_factory=dict)
    robots: dict[str, str] = field(default_factory=dict)  # host -> robots.txt text
    fetched: list[str] = field(default_factory=list)

    async def get(self, url: str, *, max_bytes: int, timeout_s: float, max_redirects: int = 5) -> WebPage:
        self.fetched.append(url)
        if url.endswith("/robots.txt"):
            host = url.split("/")[2]
            if host in self.robots:
                return WebPage(url=url, status=200, content_type="text/plain", text=self.robots[host])
            return WebPage(url=url, status=404)
        if url not in self.pages:
            raise HttpError(f"GET {url}: no answer")
        return self.pages[url]


@dataclass
class StubDns:
    """MX answers by domain: "mx" (accepts), "none" (NXDOMAIN), "servfail"; default accepts."""

    zones: dict[str, str] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)
    on_lookup: Callable[[str, str], Any] | None = None

    async def lookup(self, name: str, rtype: str) -> DnsAnswer:
        self.asked.append((name, rtype))
        kind = self.zones.get(name, "mx")
        if kind == "servfail":
            return DnsAnswer(name, rtype, "error", detail="SERVFAIL")
        if kind == "none":
            return DnsAnswer(name, rtype, "nxdomain")
        if rtype == "MX":
            return DnsAnswer(name, rtype, "ok", (f"10 mx1.{name}.",))
        return DnsAnswer(name, rtype, "ok", ("192.0.2.10",))
