"""The email finder: MX first, candidates in rank order, verifiers cheapest first until one answers, catch-all by
policy, unverified candidates when no verifier exists, and cached verdicts."""

from __future__ import annotations

from typing import Literal

from shared.domain.enrichment.costs import DEFAULT_COSTS
from shared.domain.enrichment.names import normalize_person
from shared.domain.enrichment.trail import Trail
from shared.observability.log import Logger
from shared.ports.lookups import LookupFailureKind
from shared.ports.verification import VerifierResult
from shared.service_layer.enrichment.email_finder import EmailFinder
from shared.service_layer.enrichment.guard import ProviderGuard
from tests.fakes import FakeCache, FakeRateLimiter, FixedClock, MemoryBreakers
from tests.unit.enrichment.stubs import StubDns, StubVerifier

DOMAIN = "sonnenhof-hotel.example"
PERSON = normalize_person("Hannah Fischer")


def _finder(*verifiers: StubVerifier, dns: StubDns | None = None, catch_all: Literal["risky", "skip"] = "risky",
            cache: FakeCache | None = None) -> EmailFinder:  # fmt: skip
    clock = FixedClock()
    guard = ProviderGuard(breakers=MemoryBreakers(), rate_limiter=FakeRateLimiter(clock=clock), clock=clock,
                          log=Logger("test", level="error"), costs=DEFAULT_COSTS, timeout_s=2.0)  # fmt: skip
    return EmailFinder(verifiers, guard=guard, cache=cache or FakeCache(), dns=dns or StubDns(),
                       catch_all=catch_all, ttl_days=30)  # fmt: skip


async def test_the_first_deliverable_candidate_in_rank_order_wins() -> None:
    mv = StubVerifier("millionverifier", {f"hannah@{DOMAIN}": VerifierResult.DELIVERABLE})
    trail = Trail()
    found = await _finder(mv).find(PERSON, DOMAIN, trail)
    assert found.email is not None and found.email.address == f"hannah@{DOMAIN}" and found.email.check == "valid"
    assert mv.asked[0] == f"hannah.fischer@{DOMAIN}"  # first.last is asked first
    assert mv.asked[-1] == f"hannah@{DOMAIN}"  # and the search stopped at the deliverable one
    statuses = {c.address: c.status for c in found.candidates}
    assert statuses[f"hannah.fischer@{DOMAIN}"] == "invalid" and statuses[f"hannah@{DOMAIN}"] == "valid"
    assert all(s == "unverified" for a, s in statuses.items() if a not in mv.asked)


async def test_the_next_verifier_only_when_one_cannot_answer() -> None:
    down = StubVerifier("millionverifier", failure=LookupFailureKind.TIMEOUT)
    zb = StubVerifier("zerobounce", {f"hannah.fischer@{DOMAIN}": VerifierResult.DELIVERABLE})
    found = await _finder(down, zb).find(PERSON, DOMAIN, Trail())
    assert found.email is not None and found.email.verifier == "zerobounce"
    assert down.asked == [f"hannah.fischer@{DOMAIN}"] and zb.asked == [f"hannah.fischer@{DOMAIN}"]


async def test_no_verifier_answering_stops_spending_and_asks_again_later() -> None:
    down = StubVerifier("millionverifier", failure=LookupFailureKind.SERVER)
    found = await _finder(down).find(PERSON, DOMAIN, Trail())
    assert found.email is None and found.transient and len(down.asked) == 1


async def test_catch_all_keeps_the_best_candidate_as_risky_or_nothing() -> None:
    mv = StubVerifier("millionverifier", catch_all_domains={DOMAIN})
    kept = await _finder(mv).find(PERSON, DOMAIN, Trail())
    assert kept.email is not None and kept.email.check == "catch_all"
    assert kept.email.address == f"hannah.fischer@{DOMAIN}" and len(mv.asked) == 1  # one paid check, not eight
    skipped = await _finder(StubVerifier("millionverifier", catch_all_domains={DOMAIN}), catch_all="skip").find(
        PERSON, DOMAIN, Trail()
    )
    assert skipped.email is None


async def test_offline_the_ranked_candidates_are_kept_unverified() -> None:
    found = await _finder().find(PERSON, DOMAIN, Trail())
    assert found.email is None and not found.transient
    assert [c.rank for c in found.candidates] == sorted(c.rank for c in found.candidates)
    assert found.candidates[0].address == f"hannah.fischer@{DOMAIN}"
    assert {c.status for c in found.candidates} == {"unverified"}


async def test_mx_decides_first() -> None:
    mv = StubVerifier("millionverifier")
    none = await _finder(mv, dns=StubDns({DOMAIN: "none"})).find(PERSON, DOMAIN, Trail())
    assert none.no_mail and none.candidates == [] and mv.asked == []
    servfail = await _finder(mv, dns=StubDns({DOMAIN: "servfail"})).find(PERSON, DOMAIN, Trail())
    assert servfail.transient and not servfail.no_mail and mv.asked == []  # SERVFAIL is never "no mail"


async def test_verdicts_are_cached_per_address() -> None:
    cache = FakeCache()
    mv = StubVerifier("millionverifier", {f"hannah@{DOMAIN}": VerifierResult.DELIVERABLE})
    await _finder(mv, cache=cache).find(PERSON, DOMAIN, Trail())
    asked = len(mv.asked)
    again = await _finder(mv, cache=cache).find(PERSON, DOMAIN, Trail())
    assert again.email is not None and len(mv.asked) == asked  # nothing paid twice


async def test_an_existing_address_is_checked_not_replaced() -> None:
    mv = StubVerifier("millionverifier", {"m.rossi@bellavista-hotel.example": VerifierResult.DELIVERABLE})
    found, transient, waiting = await _finder(mv).check_existing("m.rossi@bellavista-hotel.example", Trail())
    assert found is not None and found.check == "valid" and not transient and not waiting
