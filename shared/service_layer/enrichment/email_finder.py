"""The email finder: does the domain take mail, which addresses could the person have, and which one is real.

1. The domain's MX through DNS over HTTPS (shared/domain/enrichment/mx.py): no mail server means no candidates;
   SERVFAIL or no answer means "try again later", never "no mail".
2. Candidates from the person's normalised name, ranked by how common the pattern is (names.py, patterns.py); role
   addresses are never generated.
3. Verification in rank order, each address with the configured verifiers cheapest first (the next verifier only
   when one could not answer), until one is deliverable. A catch-all answer ends the search: every other pattern would
   be "catch-all" too, so the best-ranked candidate is kept as `catch_all` when `ENRICH_CATCH_ALL=risky` (stored with
   email_status risky, never valid) or nothing is kept when it is `skip`. At most `MAX_CHECKS` paid checks per
   prospect. Verdicts are cached per address.
4. With no verifier configured (offline), the ranked candidates are stored unverified for a person to pick, and the
   prospect gets no address: an unverified guess is never mailed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from shared.domain.enrichment.mx import mail_domain_verdict
from shared.domain.enrichment.names import PersonName
from shared.domain.enrichment.patterns import candidate_addresses
from shared.domain.enrichment.plan import EmailCheck, FoundEmail
from shared.domain.enrichment.trail import Outcome, Trail
from shared.ports.cache import Cache
from shared.ports.dns import DnsResolver
from shared.ports.verification import EmailVerifier, Verification, VerifierResult
from shared.service_layer.enrichment.guard import ProviderGuard

MAX_CHECKS = 6
CACHE_VERSION = "v1"
CHECK_OF: dict[VerifierResult, EmailCheck] = {
    VerifierResult.DELIVERABLE: "valid",
    VerifierResult.UNDELIVERABLE: "invalid",
    VerifierResult.CATCH_ALL: "catch_all",
    VerifierResult.RISKY: "risky",
    VerifierResult.UNKNOWN: "unknown",
}


@dataclass(frozen=True, slots=True)
class CandidateRow:
    address: str
    pattern: str
    rank: int
    status: str = "unverified"  # unverified, or an EmailCheck
    verifier: str | None = None
    detail: str | None = None


@dataclass(slots=True)
class EmailSearch:
    email: FoundEmail | None = None
    candidates: list[CandidateRow] = field(default_factory=list)
    transient: bool = False
    waiting: bool = False
    no_mail: bool = False  # the domain takes no mail: nothing to find there


@dataclass(frozen=True, slots=True)
class _Verdict:
    verification: Verification | None
    verifier: str
    transient: bool = False
    waiting: bool = False


class EmailFinder:
    def __init__(self, verifiers: Sequence[EmailVerifier], *, guard: ProviderGuard, cache: Cache, dns: DnsResolver,
                 catch_all: Literal["risky", "skip"], ttl_days: int) -> None:  # fmt: skip
        self._verifiers = tuple(verifiers)
        self._guard = guard
        self._cache = cache
        self._dns = dns
        self._catch_all = catch_all
        self._ttl = ttl_days * 86_400

    async def check_existing(self, address: str, trail: Trail) -> tuple[FoundEmail | None, bool, bool]:
        """The verdict on an address the prospect already has: (found, transient, waiting)."""
        if not self._verifiers:
            return None, False, False
        verdict = await self._verify(address, trail)
        if verdict.verification is None:
            return None, verdict.transient, verdict.waiting
        check = CHECK_OF[verdict.verification.result]
        return FoundEmail(address, check, verdict.verifier), False, False

    async def find(self, person: PersonName | None, domain: str, trail: Trail) -> EmailSearch:
        result = EmailSearch()
        accepts = await self._accepts_mail(domain, trail)
        if accepts is None:
            result.transient = True
            return result
        if not accepts:
            result.no_mail = True
            return result
        candidates = candidate_addresses(person, domain) if person is not None else []
        if not candidates:
            trail.add("email", "patterns", "nothing", "no usable name for address patterns")
            return result
        rows = [CandidateRow(c.address, c.pattern, c.rank) for c in candidates]
        if not self._verifiers:
            trail.add("email", "patterns", "found", f"{len(rows)} candidates, unverified (no verifier configured)")
            result.candidates = rows
            return result
        for i, row in enumerate(rows[:MAX_CHECKS]):
            verdict = await self._verify(row.address, trail)
            if verdict.verification is None:  # no verifier could answer: stop spending, try again later
                result.transient, result.waiting = verdict.transient, verdict.waiting
                break
            check = CHECK_OF[verdict.verification.result]
            rows[i] = CandidateRow(row.address, row.pattern, row.rank, check, verdict.verifier,
                                   verdict.verification.detail or None)  # fmt: skip
            if check == "valid":
                result.email = FoundEmail(row.address, "valid", verdict.verifier, row.pattern)
                break
            if check == "catch_all":
                best = rows[0]
                if self._catch_all == "risky":
                    result.email = FoundEmail(best.address, "catch_all", verdict.verifier, best.pattern)
                trail.add("email", "patterns", "found" if result.email else "rejected",
                          f"{domain} accepts every address: {best.address} kept as catch-all"
                          if result.email else f"{domain} accepts every address: policy is skip")  # fmt: skip
                break
        result.candidates = rows
        return result

    async def _accepts_mail(self, domain: str, trail: Trail) -> bool | None:
        mx = await self._dns.lookup(domain, "MX")
        a = await self._dns.lookup(domain, "A") if mx.status in ("nodata", "ok") and not mx.records else None
        verdict = mail_domain_verdict(mx, a)
        if verdict.verdict == "unknown":
            trail.add("mx", "dns", "failed", f"{domain}: {verdict.note or 'DNS could not say'}")
            return None
        detail = f"{domain}: {verdict.note or verdict.verdict}"
        trail.add("mx", "dns", "found" if verdict.accepts_mail else "nothing", detail)
        return verdict.accepts_mail

    async def _verify(self, address: str, trail: Trail) -> _Verdict:
        key = f"enrich:verify:{CACHE_VERSION}:{hashlib.sha256(address.lower().encode()).hexdigest()[:32]}"
        cached = await self._cache_get(key)
        if isinstance(cached, dict) and cached.get("result") in VerifierResult.__members__.values():
            verification = Verification(address, VerifierResult(cached["result"]), str(cached.get("detail", "")))
            trail.add("verify", "cache", "cached", f"{address}: {verification.result.value}")
            return _Verdict(verification, str(cached.get("verifier", "cache")))
        transient = waiting = False
        for verifier in self._verifiers:

            async def ask(timeout_s: float, v: EmailVerifier = verifier) -> Verification:
                return await v.verify(address, timeout_s=timeout_s)

            called = await self._guard.call(verifier.name, "verify", trail, ask)
            if not called.ok or called.value is None:
                transient, waiting = transient or called.transient, waiting or called.waiting
                continue
            verification = called.value
            outcome: Outcome = "found" if verification.result is VerifierResult.DELIVERABLE else "nothing"
            trail.add("verify", verifier.name, outcome, f"{address}: {verification.result.value} "
                      f"({verification.detail})", credits=called.credits, cost_micros=called.cost_micros)  # fmt: skip
            if verification.result is not VerifierResult.UNKNOWN:  # "unknown" may be a greylisting: ask again later
                await self._cache_put(key, {"result": verification.result.value, "detail": verification.detail,
                                            "verifier": verifier.name})  # fmt: skip
            return _Verdict(verification, verifier.name)
        return _Verdict(None, "none", transient=transient, waiting=waiting)

    async def _cache_get(self, key: str) -> object:
        try:
            return await self._cache.get_json(key)
        except Exception:
            return None

    async def _cache_put(self, key: str, value: object) -> None:
        try:
            await self._cache.put_json(key, value, ttl_seconds=self._ttl)
        except Exception:
            return
