"""The sending-domain check behind `GET /api/inboxes/{id}/dns-check`: look the domain up, judge it by
`shared.domain.inboxes.dns_rules` (the rules and their sources are documented there).

The four checks run concurrently. SPF is walked as an evaluator walks it (terms in order, depth first): each round
asks the resolver for the next include/redirect target the walk lacks, until it lacks none (each name is asked once
per check). The walk stops at RFC 7208's limit of 10 lookups, so any record costs at most 11 TXT queries in sequence:
2 for a domain that includes Cloudflare's record, about 5 for Google Workspace's nested includes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from shared.domain.inboxes.dns_rules import (
    SPF_LOOKUP_LIMIT,
    Check,
    DnsReport,
    SpfWalk,
    dkim_name,
    dmarc_names,
    dmarc_records,
    evaluate_dkim,
    evaluate_dmarc,
    evaluate_mx,
    evaluate_spf,
    normalise_domain,
    spf_domains,
    spf_expectation,
    walk_spf,
)
from shared.ports.dns import DnsAnswer, DnsResolver

MAX_SPF_ROUNDS = SPF_LOOKUP_LIMIT + 2  # the domain, up to 10 includes/redirects, one spare


async def check_sending_domain(
    resolver: DnsResolver,
    *,
    domain: str,
    transport: str,
    dkim_selector: str | None,
    transport_settings: Mapping[str, Any],
) -> DnsReport:
    """SPF, DKIM, DMARC and MX of `domain` (an address is accepted too: its domain is checked). ValueError when
    `domain` is not a domain name; DNS failures never raise (they are warns in the report)."""
    name = normalise_domain(domain)
    checks = await asyncio.gather(
        _spf(resolver, name, transport, transport_settings),
        _dkim(resolver, name, dkim_selector, transport),
        _dmarc(resolver, name),
        _mx(resolver, name, transport),
    )
    return DnsReport(name, tuple(checks))


async def _spf(resolver: DnsResolver, domain: str, transport: str, settings: Mapping[str, Any]) -> Check:
    txt: dict[str, DnsAnswer] = {}
    walks = await asyncio.gather(*(_walk(resolver, root, txt) for root in spf_domains(domain, transport)))
    return evaluate_spf(walks, spf_expectation(transport, settings))


async def _walk(resolver: DnsResolver, root: str, txt: dict[str, DnsAnswer]) -> SpfWalk:
    """Fetch TXT answers until the walk from `root` needs none it lacks. `txt` is shared by the check's walks."""
    walk = walk_spf(root, txt)
    for _ in range(MAX_SPF_ROUNDS):
        if not walk.missing:
            break
        for name in sorted(walk.missing - txt.keys()):  # the other walk (resend) may have fetched it meanwhile
            txt[name] = await resolver.lookup(name, "TXT")
        walk = walk_spf(root, txt)
    return walk


async def _dkim(resolver: DnsResolver, domain: str, selector: str | None, transport: str) -> Check:
    answer = await resolver.lookup(dkim_name(selector, domain), "TXT") if selector else None
    return evaluate_dkim(domain, selector, answer, transport)


async def _dmarc(resolver: DnsResolver, domain: str) -> Check:
    answers: list[tuple[str, DnsAnswer]] = []
    for name in dmarc_names(domain):  # in order: the first name with a record decides
        answer = await resolver.lookup(name, "TXT")
        answers.append((name, answer))
        if answer.status == "error" or dmarc_records(answer):
            break
    return evaluate_dmarc(domain, answers)


async def _mx(resolver: DnsResolver, domain: str, transport: str) -> Check:
    return evaluate_mx(domain, await resolver.lookup(domain, "MX"), transport)


__all__ = ["check_sending_domain"]
