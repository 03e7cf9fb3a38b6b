"""DohResolver over real HTTP (the Workers fetch adapter, whose local stand-in is httpx) against `FakeDohServer`:
answers, NXDOMAIN, SERVFAIL, a misbehaving server, a timeout; then the sending-domain check end to end on the demo
zone `make dev` serves."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from local.fakes.doh import FakeDohServer, load_zone, present_txt
from shared.adapters.doh import DohResolver
from shared.adapters.http import WorkersFetch
from shared.service_layer.dns_check import check_sending_domain

pytestmark = pytest.mark.slow  # real servers on 127.0.0.1


@pytest_asyncio.fixture
async def doh() -> AsyncIterator[FakeDohServer]:
    async with FakeDohServer() as server:
        yield server


def resolver(server: FakeDohServer, timeout_s: float = 5.0) -> DohResolver:
    return DohResolver(WorkersFetch(), server.url, timeout_s=timeout_s)


async def test_txt_records_are_joined_from_split_strings(doh: FakeDohServer) -> None:
    key = load_zone()["jengu._domainkey.jengu-demo.test"]["TXT"][0]
    assert len(key.encode()) > 255 and present_txt(key).count('" "') >= 1  # served as several strings
    answer = await resolver(doh).lookup("jengu._domainkey.jengu-demo.test", "txt")
    assert (answer.status, answer.records) == ("ok", (key,))
    assert doh.queries == [("jengu._domainkey.jengu-demo.test", "TXT")]


async def test_txt_quotes_and_non_ascii_survive_the_wire(doh: FakeDohServer) -> None:
    doh.add("quoted.test", "TXT", 'say "hi" \\ münchen', "second record")
    answer = await resolver(doh).lookup("quoted.test.", "TXT")
    assert answer.records == ('say "hi" \\ münchen', "second record")


async def test_mx_records_as_served(doh: FakeDohServer) -> None:
    answer = await resolver(doh).lookup("jengu-demo.test", "MX")
    assert answer.status == "ok" and answer.records[0] == "10 route1.mx.cloudflare.net."
    assert len(answer.records) == 3


async def test_nxdomain_and_nodata(doh: FakeDohServer) -> None:
    assert (await resolver(doh).lookup("nowhere.test", "TXT")).status == "nxdomain"
    assert (await resolver(doh).lookup("_dmarc.jengu-demo.test", "MX")).status == "nodata"


async def test_a_cname_is_followed_to_the_asked_type(doh: FakeDohServer) -> None:
    doh.add("selector1._domainkey.m365.test", "CNAME", "selector1-m365-test._domainkey.tenant.onmicrosoft.test.")
    doh.add("selector1-m365-test._domainkey.tenant.onmicrosoft.test", "TXT", "v=DKIM1; k=rsa; p=MIIBIj")
    answer = await resolver(doh).lookup("selector1._domainkey.m365.test", "TXT")
    assert answer.records == ("v=DKIM1; k=rsa; p=MIIBIj",)


async def test_idna_names_are_asked_in_ascii(doh: FakeDohServer) -> None:
    doh.add("xn--mnchen-3ya.test", "MX", "10 mx.xn--mnchen-3ya.test.")
    answer = await resolver(doh).lookup("München.test", "MX")
    assert answer.status == "ok" and doh.queries[-1] == ("xn--mnchen-3ya.test", "MX")


async def test_servfail_is_an_error_with_detail(doh: FakeDohServer) -> None:
    doh.fail = True
    answer = await resolver(doh).lookup("jengu-demo.test", "TXT")
    assert answer.status == "error" and answer.detail is not None and "SERVFAIL (rcode 2)" in answer.detail


async def test_malformed_json_is_an_error(doh: FakeDohServer) -> None:
    doh.malformed = True
    answer = await resolver(doh).lookup("jengu-demo.test", "TXT")
    assert (answer.status, answer.detail) == ("error", "DNS over HTTPS answer is not JSON")


async def test_a_timeout_is_an_error(doh: FakeDohServer) -> None:
    doh.hang = True
    answer = await resolver(doh, timeout_s=0.2).lookup("jengu-demo.test", "TXT")
    assert answer.status == "error" and answer.detail == "DNS over HTTPS timed out after 0.2s"


async def test_a_refused_connection_and_a_non_200_are_errors(doh: FakeDohServer) -> None:
    wrong_path = DohResolver(WorkersFetch(), doh.url.replace("/dns-query", "/nope"))
    assert (await wrong_path.lookup("jengu-demo.test", "TXT")).detail == "DNS over HTTPS answered HTTP 404"
    port = doh.port
    await doh.stop()
    answer = await DohResolver(WorkersFetch(), f"http://127.0.0.1:{port}/dns-query").lookup("jengu-demo.test", "TXT")
    assert answer.status == "error" and answer.detail is not None and "unreachable" in answer.detail


async def test_the_accept_header_is_sent(doh: FakeDohServer) -> None:
    plain = await WorkersFetch().request("GET", f"{doh.url}?name=jengu-demo.test&type=TXT", timeout_s=5)
    assert plain.status == 400  # the fake, like Cloudflare, wants the DoH JSON media type
    assert (await resolver(doh).lookup("jengu-demo.test", "TXT")).status == "ok"


async def test_the_demo_domain_passes_end_to_end(doh: FakeDohServer) -> None:
    report = await check_sending_domain(
        resolver(doh), domain="jengu-demo.test", transport="cloudflare", dkim_selector="jengu", transport_settings={}
    )
    assert report.ok and [c.status for c in report.checks] == ["pass", "pass", "pass", "pass"]
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data  # the API's JSON
    assert "p=none" in data["checks"][2]["detail"]


async def test_the_broken_demo_domain_fails_end_to_end(doh: FakeDohServer) -> None:
    report = await check_sending_domain(
        resolver(doh), domain="broken-demo.test", transport="cloudflare", dkim_selector="jengu", transport_settings={}
    )
    assert not report.ok
    assert {c.name: c.status for c in report.checks} == {"spf": "fail", "dkim": "fail", "dmarc": "fail", "mx": "fail"}


async def test_the_zone_is_replaced_over_http_and_a_dns_outage_only_warns(doh: FakeDohServer) -> None:
    zone = {
        "fixed-demo.test": {
            "TXT": ["v=spf1 include:_spf.mx.cloudflare.net -all"],
            "MX": ["10 route1.mx.cloudflare.net"],
        },
        "_spf.mx.cloudflare.net": {"TXT": ["v=spf1 -all"]},
        "_dmarc.fixed-demo.test": {"TXT": ["v=DMARC1; p=reject"]},
    }
    replace_url = doh.url.replace("/dns-query", "/__fake/zone")
    answer = await WorkersFetch().request("POST", replace_url, body=json.dumps(zone), timeout_s=5)
    assert (answer.status, answer.json()) == (200, {"names": 3})
    report = await check_sending_domain(
        resolver(doh), domain="fixed-demo.test", transport="cloudflare", dkim_selector=None, transport_settings={}
    )
    assert report.ok and [c.status for c in report.checks] == ["pass", "warn", "pass", "pass"]
    assert (await resolver(doh).lookup("jengu-demo.test", "TXT")).status == "nxdomain"  # replaced, not merged
    bad = await WorkersFetch().request("POST", replace_url, body="[1]", timeout_s=5)
    assert bad.status == 400
    doh.failing = {"fixed-demo.test"}
    report = await check_sending_domain(
        resolver(doh), domain="fixed-demo.test", transport="cloudflare", dkim_selector=None, transport_settings={}
    )
    assert report.ok and {c.name: c.status for c in report.checks}["spf"] == "warn"
