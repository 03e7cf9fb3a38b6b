"""The DoH fake answers the enrichment world's hotel domains, and `mail_domain_verdict` reads those answers as they
come over real HTTP through `DohResolver`: MX, no mail, NXDOMAIN, per-name SERVFAIL, the demo zone kept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from local.fakes.doh import FakeDohServer, load_zone, world_zone
from local.fakes.world import Hotel, World, load_world
from shared.adapters.doh import DohResolver
from shared.adapters.http import WorkersFetch
from shared.domain.enrichment.mx import MailDomain, MxHost, mail_domain_verdict, needs_address_lookup

pytestmark = pytest.mark.slow  # a real server on 127.0.0.1


@pytest_asyncio.fixture
async def doh() -> AsyncIterator[FakeDohServer]:
    async with FakeDohServer(world=load_world()) as server:
        yield server


async def verdict(server: FakeDohServer, domain: str) -> MailDomain:
    resolver = DohResolver(WorkersFetch(), server.url, timeout_s=2.0)
    mx = await resolver.lookup(domain, "MX")
    a = await resolver.lookup(domain, "A") if needs_address_lookup(mx) else None
    return mail_domain_verdict(mx, a)


async def test_every_world_hotel_gets_the_verdict_its_mx_flag_says(doh: FakeDohServer) -> None:
    for hotel in load_world().hotels:
        got = await verdict(doh, hotel.domain)
        if hotel.mx:
            assert (got.verdict, got.hosts) == ("accepts", (MxHost(10, f"mx1.{hotel.domain}"),)), hotel.domain
        else:
            assert got.verdict == "no_mail", hotel.domain


async def test_a_hotel_without_mail_exists_but_has_no_mx_and_no_apex_address(doh: FakeDohServer) -> None:
    resolver = DohResolver(WorkersFetch(), doh.url)
    assert (await resolver.lookup("casadorio-porto.example", "MX")).status == "nodata"
    assert (await resolver.lookup("casadorio-porto.example", "A")).status == "nodata"
    assert (await resolver.lookup("www.casadorio-porto.example", "A")).status == "ok"  # its website still resolves
    assert (await resolver.lookup("mx1.sonnenhof-hotel.example", "A")).records[0].startswith("192.0.2.")


async def test_an_unknown_domain_is_no_domain(doh: FakeDohServer) -> None:
    got = await verdict(doh, "hotel-that-closed.example")
    assert got.verdict == "no_domain" and not got.worth_verifying


async def test_servfail_per_name_is_unknown_not_no_mail(doh: FakeDohServer) -> None:
    doh.servfail("Nordlys.example.")
    got = await verdict(doh, "nordlys.example")
    assert got.verdict == "unknown" and "SERVFAIL" in got.note and got.worth_verifying
    assert (await verdict(doh, "grachtenhotel.example")).verdict == "accepts"  # other names unaffected
    doh.failing.clear()
    assert (await verdict(doh, "nordlys.example")).verdict == "accepts"


async def test_a_dns_timeout_is_unknown(doh: FakeDohServer) -> None:
    doh.hang = True
    resolver = DohResolver(WorkersFetch(), doh.url, timeout_s=0.3)
    got = mail_domain_verdict(await resolver.lookup("marazul.example", "MX"))
    assert got.verdict == "unknown" and "timed out" in got.note


async def test_implicit_mx_and_null_mx_over_the_wire(doh: FakeDohServer) -> None:
    doh.add("pension-alpenblick.example", "A", "192.0.2.200")
    got = await verdict(doh, "pension-alpenblick.example")
    assert got.implicit_mx and got.hosts == (MxHost(0, "pension-alpenblick.example"),)
    doh.add("hotel-for-sale.example", "MX", "0 .")
    assert (await verdict(doh, "hotel-for-sale.example")).verdict == "refuses"


async def test_the_demo_zone_is_kept_and_wins_and_survives_a_zone_replacement(doh: FakeDohServer) -> None:
    assert (await verdict(doh, "jengu-demo.test")).provider == "Cloudflare Email Routing"
    doh.add("sonnenhof-hotel.example", "MX", "1 aspmx.l.google.com.")
    assert (await verdict(doh, "sonnenhof-hotel.example")).provider == "Google Workspace"  # the zone wins
    doh.set_zone({"other.test": {"TXT": ["v=spf1 -all"]}})
    assert (await verdict(doh, "sonnenhof-hotel.example")).hosts == (MxHost(10, "mx1.sonnenhof-hotel.example"),)
    assert (await verdict(doh, "jengu-demo.test")).verdict == "no_domain"


def test_world_zone_of_a_test_world() -> None:
    world = World((Hotel("Villa Serena", "Lucca", "IT", "villaserena.example", mx=False),))
    assert world_zone(world) == {
        "www.villaserena.example": {"A": ["192.0.2.1"]},
        "villaserena.example": {"TXT": ["v=spf1 -all"]},
    }
    assert "villaserena.example" not in load_zone()


async def test_without_a_world_the_fake_answers_only_its_zone() -> None:
    async with FakeDohServer() as server:
        got = await verdict(server, "sonnenhof-hotel.example")
    assert got.verdict == "no_domain"
