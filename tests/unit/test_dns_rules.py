"""The sending-domain rules (SPF, DKIM, DMARC, MX) through `check_sending_domain`, against a dict-backed resolver."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.doh import encode_name, parse_answer, parse_txt_data
from shared.domain.inboxes.dns_rules import SPF_LOOKUP_LIMIT, Check, DnsReport, normalise_domain, tags
from shared.ports.dns import DnsAnswer
from shared.service_layer.dns_check import check_sending_domain

CF_SPF = "v=spf1 include:_spf.mx.cloudflare.net ~all"
CF_MX = ["10 route1.mx.cloudflare.net.", "20 route2.mx.cloudflare.net.", "30 route3.mx.cloudflare.net."]
KEY = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq"

Zone = Mapping[str, Mapping[str, Sequence[str]]]


class DictResolver:
    """Names of the zone answer ok/nodata; others nxdomain; names in `errors` answer "error". Counts lookups."""

    def __init__(self, zone: Zone, errors: Sequence[str] = ()) -> None:
        self.zone = zone
        self.errors = set(errors)
        self.calls: Counter[tuple[str, str]] = Counter()

    async def lookup(self, name: str, rtype: str) -> DnsAnswer:
        self.calls[(name, rtype)] += 1
        if name in self.errors:
            return DnsAnswer(name, rtype, "error", detail="SERVFAIL (rcode 2)")
        if name not in self.zone:
            return DnsAnswer(name, rtype, "nxdomain")
        records = tuple(self.zone[name].get(rtype, ()))
        return DnsAnswer(name, rtype, "ok" if records else "nodata", records)


def healthy(**overrides: Mapping[str, Sequence[str]]) -> dict[str, Mapping[str, Sequence[str]]]:
    zone: dict[str, Mapping[str, Sequence[str]]] = {
        "example.com": {"TXT": [CF_SPF, "google-site-verification=abc"], "MX": CF_MX},
        "_spf.mx.cloudflare.net": {"TXT": ["v=spf1 ip4:104.30.0.0/19 -all"]},
        "jengu._domainkey.example.com": {"TXT": [KEY]},
        "_dmarc.example.com": {"TXT": ["v=DMARC1; p=none; rua=mailto:dmarc@example.com"]},
    }
    zone.update(overrides)
    return zone


async def check(
    zone: Zone,
    *,
    transport: str = "cloudflare",
    selector: str | None = "jengu",
    settings_: Mapping[str, Any] | None = None,
    errors: Sequence[str] = (),
    domain: str = "example.com",
) -> tuple[DnsReport, DictResolver]:
    resolver = DictResolver(zone, errors)
    report = await check_sending_domain(
        resolver, domain=domain, transport=transport, dkim_selector=selector, transport_settings=settings_ or {}
    )
    return report, resolver


def by_name(report: DnsReport) -> dict[str, Check]:
    return {c.name: c for c in report.checks}


async def test_a_healthy_cloudflare_domain_passes_every_check() -> None:
    report, _ = await check(healthy())
    checks = by_name(report)
    assert [c.name for c in report.checks] == ["spf", "dkim", "dmarc", "mx"]
    assert {n: c.status for n, c in checks.items()} == {"spf": "pass", "dkim": "pass", "dmarc": "pass", "mx": "pass"}
    assert report.ok
    assert checks["spf"].records == (CF_SPF,)  # only the v=spf1 record, not the other TXT
    assert "monitoring only" in checks["dmarc"].detail
    data = report.to_dict()
    assert data["domain"] == "example.com" and data["ok"] is True
    assert data["checks"][0] == {"name": "spf", "status": "pass", "detail": checks["spf"].detail, "records": [CF_SPF]}


async def test_the_domain_is_normalised_and_an_address_is_accepted() -> None:
    report, resolver = await check(healthy(), domain="  Sales@Example.COM. ")
    assert report.domain == "example.com" and report.ok
    assert ("example.com", "MX") in resolver.calls
    for bad in ("", "localhost", "a..b", "exa mple.com"):
        with pytest.raises(ValueError):
            normalise_domain(bad)


# -- SPF -------------------------------------------------------------------------------------------------------------


async def test_spf_missing_fails() -> None:
    report, _ = await check(healthy(**{"example.com": {"MX": CF_MX}}))
    spf = by_name(report)["spf"]
    assert spf.status == "fail" and "no v=spf1" in spf.detail and not report.ok


async def test_two_spf_records_fail_as_permerror() -> None:
    report, _ = await check(healthy(**{"example.com": {"TXT": [CF_SPF, "v=spf1 mx -all"], "MX": CF_MX}}))
    spf = by_name(report)["spf"]
    assert spf.status == "fail" and "2 v=spf1 records" in spf.detail
    assert spf.records == (CF_SPF, "v=spf1 mx -all")


async def test_spf_without_the_transports_include_fails() -> None:
    report, _ = await check(healthy(**{"example.com": {"TXT": ["v=spf1 mx -all"], "MX": CF_MX}}))
    spf = by_name(report)["spf"]
    assert spf.status == "fail" and "does not include _spf.mx.cloudflare.net" in spf.detail


async def test_an_include_chain_reaching_the_transport_passes() -> None:
    zone = healthy(
        **{
            "example.com": {"TXT": ["v=spf1 include:_spf.example.com -all"], "MX": CF_MX},
            "_spf.example.com": {"TXT": ["v=spf1 include:_mail.example.com ip4:192.0.2.1 ~all"]},
            "_mail.example.com": {"TXT": ["v=spf1 include:_spf.mx.cloudflare.net ?all"]},
        }
    )
    report, _ = await check(zone)
    spf = by_name(report)["spf"]
    assert spf.status == "pass", spf.detail
    assert "-all" in spf.detail and "3 of 10" in spf.detail  # the domain's own all counts, not the includes'


async def test_each_name_is_looked_up_once_even_when_included_twice() -> None:
    zone = healthy(
        **{
            "example.com": {"TXT": ["v=spf1 include:a.example.com include:b.example.com -all"], "MX": CF_MX},
            "a.example.com": {"TXT": ["v=spf1 include:_spf.mx.cloudflare.net -all"]},
            "b.example.com": {"TXT": ["v=spf1 include:_spf.mx.cloudflare.net -all"]},
        }
    )
    report, resolver = await check(zone)
    assert by_name(report)["spf"].status == "pass"
    assert resolver.calls[("_spf.mx.cloudflare.net", "TXT")] == 1
    assert resolver.calls[("example.com", "TXT")] == 1


async def test_an_include_loop_fails_as_permerror() -> None:
    zone = healthy(
        **{
            "example.com": {"TXT": ["v=spf1 include:a.example.com -all"], "MX": CF_MX},
            "a.example.com": {"TXT": ["v=spf1 include:b.example.com -all"]},
            "b.example.com": {"TXT": ["v=spf1 include:a.example.com include:_spf.mx.cloudflare.net -all"]},
        }
    )
    report, resolver = await check(zone)
    spf = by_name(report)["spf"]
    assert spf.status == "fail" and "include loop" in spf.detail
    assert "a.example.com -> b.example.com -> a.example.com" in spf.detail
    assert resolver.calls[("a.example.com", "TXT")] == 1


async def test_more_than_ten_lookups_fail_as_permerror_and_stop_asking() -> None:
    chain = {f"l{i}.example.com": {"TXT": [f"v=spf1 include:l{i + 1}.example.com -all"]} for i in range(20)}
    zone = healthy(**{"example.com": {"TXT": ["v=spf1 include:l0.example.com -all"], "MX": CF_MX}}, **chain)
    report, resolver = await check(zone)
    spf = by_name(report)["spf"]
    assert spf.status == "fail" and "more than 10 DNS lookups" in spf.detail
    spf_queries = [n for (n, t) in resolver.calls if t == "TXT" and (n == "example.com" or n.startswith("l"))]
    assert len(spf_queries) == SPF_LOOKUP_LIMIT + 1  # the domain and ten includes; the eleventh is never asked


async def test_a_and_mx_mechanisms_count_towards_the_limit() -> None:
    record = "v=spf1 " + " ".join(f"a:h{i}.example.com" for i in range(10)) + " include:_spf.mx.cloudflare.net -all"
    report, _ = await check(healthy(**{"example.com": {"TXT": [record], "MX": CF_MX}}))
    assert "more than 10" in by_name(report)["spf"].detail
    record = "v=spf1 " + " ".join(f"mx:h{i}.example.com" for i in range(9)) + " include:_spf.mx.cloudflare.net -all"
    report, _ = await check(healthy(**{"example.com": {"TXT": [record], "MX": CF_MX}}))
    assert by_name(report)["spf"].status == "pass"  # exactly ten is allowed


async def test_an_include_without_an_spf_record_fails() -> None:
    zone = healthy(**{"example.com": {"TXT": ["v=spf1 include:gone.example.net include:_spf.mx.cloudflare.net -all"],
                                      "MX": CF_MX}})  # fmt: skip
    spf = by_name((await check(zone))[0])["spf"]
    assert spf.status == "fail" and "no v=spf1 record at gone.example.net (permerror)" in spf.detail


@pytest.mark.parametrize(
    ("ending", "status", "phrase"),
    [
        ("+all", "fail", "anyone may send"),
        ("all", "fail", "anyone may send"),
        ("?all", "warn", "?all (neutral)"),
        ("", "warn", "no all mechanism"),
        ("~all", "pass", "~all"),
        ("-all", "pass", "-all"),
    ],
)
async def test_the_all_mechanism(ending: str, status: str, phrase: str) -> None:
    record = f"v=spf1 include:_spf.mx.cloudflare.net {ending}".strip()
    spf = by_name((await check(healthy(**{"example.com": {"TXT": [record], "MX": CF_MX}})))[0])["spf"]
    assert spf.status == status and phrase in spf.detail


async def test_redirect_is_followed_and_its_all_applies() -> None:
    zone = healthy(
        **{
            "example.com": {"TXT": ["v=spf1 redirect=_spf.example.org"], "MX": CF_MX},
            "_spf.example.org": {"TXT": ["v=spf1 include:_spf.mx.cloudflare.net -all"]},
        }
    )
    spf = by_name((await check(zone))[0])["spf"]
    assert spf.status == "pass" and "-all" in spf.detail


async def test_redirect_is_ignored_when_the_record_has_all() -> None:
    zone = healthy(
        **{
            "example.com": {"TXT": ["v=spf1 -all redirect=_spf.example.org"], "MX": CF_MX},
            "_spf.example.org": {"TXT": ["v=spf1 include:_spf.mx.cloudflare.net -all"]},
        }
    )
    report, resolver = await check(zone)
    assert by_name(report)["spf"].status == "fail"  # -all first: the redirect (and its include) never applies
    assert ("_spf.example.org", "TXT") not in resolver.calls


@pytest.mark.parametrize(
    ("transport", "include"), [("graph", "spf.protection.outlook.com"), ("cloudflare", "_spf.mx.cloudflare.net")]
)
async def test_each_transport_needs_its_own_include(transport: str, include: str) -> None:
    zone = healthy(**{"example.com": {"TXT": [f"v=spf1 include:{include} -all"], "MX": CF_MX}, include: {"TXT": [
        "v=spf1 -all"]}})  # fmt: skip
    assert by_name((await check(zone, transport=transport))[0])["spf"].status == "pass"
    other = "graph" if transport == "cloudflare" else "cloudflare"
    assert by_name((await check(zone, transport=other))[0])["spf"].status == "fail"


async def test_resend_is_covered_by_its_send_subdomain_and_says_so() -> None:
    zone = healthy(
        **{
            "send.example.com": {"TXT": ["v=spf1 include:amazonses.com ~all"]},
            "amazonses.com": {"TXT": ["v=spf1 ip4:199.255.192.0/22 -all"]},
        }
    )
    spf = by_name((await check(zone, transport="resend"))[0])["spf"]
    assert spf.status == "pass", spf.detail
    assert "send.example.com covers resend" in spf.detail and "send.example.com (its MAIL FROM)" in spf.detail
    assert spf.records == ("v=spf1 include:amazonses.com ~all", CF_SPF)


async def test_resend_without_amazonses_anywhere_fails() -> None:
    spf = by_name((await check(healthy(), transport="resend"))[0])["spf"]
    assert spf.status == "fail" and "send.example.com nor example.com does not include amazonses.com" in spf.detail


async def test_smtp_with_a_configured_include() -> None:
    zone = healthy(**{"example.com": {"TXT": ["v=spf1 include:spf.mailjet.com -all"], "MX": CF_MX},
                      "spf.mailjet.com": {"TXT": ["v=spf1 -all"]}})  # fmt: skip
    spf = by_name((await check(zone, transport="smtp", settings_={"spf_include": "spf.mailjet.com"}))[0])["spf"]
    assert spf.status == "pass"
    spf = by_name((await check(zone, transport="smtp", settings_={"spf_include": "_spf.google.com"}))[0])["spf"]
    assert spf.status == "fail" and "_spf.google.com" in spf.detail


async def test_smtp_host_named_by_a_mechanism_passes_else_cannot_tell() -> None:
    zone = healthy(**{"example.com": {"TXT": ["v=spf1 a:mail.example.com -all"], "MX": CF_MX}})
    spf = by_name((await check(zone, transport="smtp", settings_={"host": "smtp.example.com"}))[0])["spf"]
    assert spf.status == "pass" and "smtp.example.com" in spf.detail
    spf = by_name((await check(zone, transport="smtp", settings_={"host": "smtp.other.net"}))[0])["spf"]
    assert spf.status == "warn" and "cannot tell" in spf.detail and "spf_include" in spf.detail
    spf = by_name((await check(zone, transport="smtp"))[0])["spf"]
    assert spf.status == "warn"


async def test_a_dns_error_is_a_warn_not_a_fail() -> None:
    report, _ = await check(healthy(), errors=["example.com"])
    checks = by_name(report)
    assert checks["spf"].status == "warn" and "SERVFAIL" in checks["spf"].detail
    assert checks["mx"].status == "warn"
    zone = healthy(**{"example.com": {"TXT": ["v=spf1 include:flaky.example.net -all"], "MX": CF_MX}})
    spf = by_name((await check(zone, errors=["flaky.example.net"]))[0])["spf"]
    assert spf.status == "warn" and "flaky.example.net" in spf.detail


async def test_a_macro_include_cannot_be_followed() -> None:
    zone = healthy(**{"example.com": {"TXT": ["v=spf1 include:%{i}._spf.example.com -all"], "MX": CF_MX}})
    spf = by_name((await check(zone))[0])["spf"]
    assert spf.status == "warn" and "macros" in spf.detail


async def test_the_local_transport_has_nothing_to_cover() -> None:
    spf = by_name((await check(healthy(**{"example.com": {"TXT": ["v=spf1 -all"]}}), transport="local"))[0])["spf"]
    assert spf.status == "pass"


def sequential_evaluation(graph: Mapping[int, Sequence[int]]) -> list[str]:
    """The distinct names an RFC 7208 evaluator looks up from `include:n0`: depth first, each include one lookup
    (repeats too), stopping past 10 lookups, at a loop, or at a name without a record."""
    asked: list[str] = []
    lookups = 0

    def include(node: int, path: tuple[int, ...]) -> bool:  # False: evaluation stopped
        nonlocal lookups
        lookups += 1
        if lookups > SPF_LOOKUP_LIMIT or node in path:
            return False
        if f"n{node}.example.net" not in asked:
            asked.append(f"n{node}.example.net")
        return node in graph and all(include(child, (*path, node)) for child in graph[node])

    include(0, ())
    return asked


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(0, 12), st.lists(st.integers(0, 12), max_size=4), max_size=13))
async def test_any_include_graph_is_walked_within_the_lookup_limit(graph: dict[int, list[int]]) -> None:
    def host(i: int) -> str:
        return f"n{i}.example.net"

    zone: dict[str, Mapping[str, Sequence[str]]] = {
        host(i): {"TXT": ["v=spf1 " + " ".join(f"include:{host(j)}" for j in targets) + " -all"]}
        for i, targets in graph.items()
    }
    zone["example.com"] = {"TXT": ["v=spf1 include:n0.example.net -all"], "MX": CF_MX}
    report, resolver = await check(zone)
    include_queries = [name for name, rtype in resolver.calls if rtype == "TXT" and name.startswith("n")]
    assert include_queries == sequential_evaluation(graph)  # exactly what an RFC 7208 evaluator asks
    assert all(count == 1 for count in resolver.calls.values())
    assert by_name(report)["spf"].status == "fail"  # none of them includes Cloudflare (or the graph is broken)


# -- DKIM ------------------------------------------------------------------------------------------------------------


async def test_dkim_key_published_passes() -> None:
    dkim = by_name((await check(healthy()))[0])["dkim"]
    assert dkim.status == "pass" and "jengu._domainkey.example.com" in dkim.detail and dkim.records == (KEY,)


async def test_dkim_revoked_key_fails() -> None:
    zone = healthy(**{"jengu._domainkey.example.com": {"TXT": ["v=DKIM1; k=rsa; p="]}})
    dkim = by_name((await check(zone))[0])["dkim"]
    assert dkim.status == "fail" and "revoked" in dkim.detail


async def test_dkim_selector_not_published_fails() -> None:
    dkim = by_name((await check(healthy(), selector="cf2024-1"))[0])["dkim"]
    assert dkim.status == "fail" and "cf2024-1._domainkey.example.com" in dkim.detail


async def test_dkim_record_without_a_key_fails() -> None:
    zone = healthy(**{"jengu._domainkey.example.com": {"TXT": ["hello"]}})
    assert by_name((await check(zone))[0])["dkim"].status == "fail"


@pytest.mark.parametrize("transport", ["cloudflare", "graph", "resend", "smtp"])
async def test_no_selector_warns_and_says_how_to_set_it(transport: str) -> None:
    report, resolver = await check(healthy(), selector=None, transport=transport)
    dkim = by_name(report)["dkim"]
    assert dkim.status == "warn" and "dkim_selector" in dkim.detail
    assert not any("_domainkey" in name for name, _ in resolver.calls)  # never guessed


async def test_dkim_lookup_error_warns() -> None:
    dkim = by_name((await check(healthy(), errors=["jengu._domainkey.example.com"]))[0])["dkim"]
    assert dkim.status == "warn" and "could not look up" in dkim.detail


# -- DMARC -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "status", "phrase"),
    [
        ("v=DMARC1; p=none; rua=mailto:d@example.com", "pass", "p=none at _dmarc.example.com: monitoring only"),
        ("v=DMARC1; p=quarantine; pct=25", "pass", "p=quarantine, pct=25"),
        ("v=DMARC1;p=reject", "pass", "DMARC p=reject at _dmarc.example.com"),
        ("v=DMARC1; P = Reject ", "pass", "p=reject"),
        ("v=DMARC1; p=block", "fail", "no valid policy"),
        ("v=DMARC1; rua=mailto:d@example.com", "fail", "no valid policy"),
    ],
)
async def test_dmarc_policy(record: str, status: str, phrase: str) -> None:
    dmarc = by_name((await check(healthy(**{"_dmarc.example.com": {"TXT": [record]}})))[0])["dmarc"]
    assert dmarc.status == status and phrase in dmarc.detail
    assert dmarc.records == (record,)


async def test_dmarc_missing_fails_with_the_reason() -> None:
    zone = healthy()
    del zone["_dmarc.example.com"]
    report, _ = await check(zone)
    dmarc = by_name(report)["dmarc"]
    assert dmarc.status == "fail" and "Gmail, Yahoo and Microsoft" in dmarc.detail and not report.ok


async def test_dmarc_ignores_other_txt_and_fails_on_two_records() -> None:
    zone = healthy(**{"_dmarc.example.com": {"TXT": ["something else", "v=DMARC1; p=reject"]}})
    assert by_name((await check(zone))[0])["dmarc"].status == "pass"
    zone = healthy(**{"_dmarc.example.com": {"TXT": ["v=DMARC1; p=reject", "v=DMARC1; p=none"]}})
    dmarc = by_name((await check(zone))[0])["dmarc"]
    assert dmarc.status == "fail" and "2 DMARC records" in dmarc.detail


async def test_a_subdomain_inherits_the_parents_dmarc_and_its_sp() -> None:
    zone = {
        "mail.example.com": {"TXT": ["v=spf1 include:_spf.mx.cloudflare.net -all"], "MX": CF_MX},
        "_dmarc.example.com": {"TXT": ["v=DMARC1; p=reject; sp=quarantine"]},
    }
    report, resolver = await check(zone, domain="mail.example.com", selector=None)
    dmarc = by_name(report)["dmarc"]
    assert dmarc.status == "pass" and "p=quarantine" in dmarc.detail
    assert "inherited from _dmarc.example.com" in dmarc.detail
    assert ("_dmarc.com", "TXT") not in resolver.calls  # never the top-level domain


# -- MX --------------------------------------------------------------------------------------------------------------


async def test_null_mx_fails() -> None:
    mx = by_name((await check(healthy(**{"example.com": {"TXT": [CF_SPF], "MX": ["0 ."]}})))[0])["mx"]
    assert mx.status == "fail" and "null MX" in mx.detail


async def test_no_mx_fails() -> None:
    mx = by_name((await check(healthy(**{"example.com": {"TXT": [CF_SPF]}})))[0])["mx"]
    assert mx.status == "fail" and "replies cannot arrive" in mx.detail


async def test_cloudflare_transport_with_mx_elsewhere_warns() -> None:
    zone = healthy(**{"example.com": {"TXT": [CF_SPF], "MX": ["10 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com."]}})
    mx = by_name((await check(zone))[0])["mx"]
    assert mx.status == "warn" and "alt1.aspmx.l.google.com, aspmx.l.google.com" in mx.detail  # by preference
    zone_graph = healthy(**{"example.com": {"TXT": ["v=spf1 include:spf.protection.outlook.com -all"],
                                            "MX": ["0 example-com.mail.protection.outlook.com."]}})  # fmt: skip
    assert by_name((await check(zone_graph, transport="graph"))[0])["mx"].status == "pass"


# -- helpers ---------------------------------------------------------------------------------------------------------


def test_tags_are_parsed_case_insensitively_with_whitespace() -> None:
    assert tags(" v=DKIM1 ; k = rsa; p=MIIB IjAN ; ") == {"v": "DKIM1", "k": "rsa", "p": "MIIBIjAN"}


def test_txt_presentation_strings_are_joined() -> None:
    assert parse_txt_data('"v=spf1 include:_spf.mx.cloud" "flare.net ~all"') == CF_SPF
    assert parse_txt_data('"a \\"quoted\\" word; back\\\\slash \\065"') == 'a "quoted" word; back\\slash A'
    assert parse_txt_data("v=spf1 -all") == "v=spf1 -all"  # Google serves TXT unquoted


@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40), min_size=1, max_size=4))
def test_txt_presentation_round_trips(strings: list[str]) -> None:
    def present(s: str) -> str:
        out = []
        for byte in s.encode():
            ch = chr(byte)
            if ch in '"\\':
                out.append("\\" + ch)
            elif 0x20 <= byte < 0x7F:
                out.append(ch)
            else:
                out.append(f"\\{byte:03d}")
        return '"' + "".join(out) + '"'

    assert parse_txt_data(" ".join(present(s) for s in strings)) == "".join(strings)


def test_answer_parsing_keeps_only_the_asked_type() -> None:
    payload = {
        "Status": 0,
        "Answer": [
            {"name": "sel._domainkey.example.com.", "type": 5, "data": "sel.dkim.example.net."},
            {"name": "sel.dkim.example.net.", "type": 16, "data": '"v=DKIM1; p=abc"'},
        ],
    }
    answer = parse_answer("sel._domainkey.example.com", "TXT", payload)
    assert answer == DnsAnswer("sel._domainkey.example.com", "TXT", "ok", ("v=DKIM1; p=abc",))
    assert parse_answer("x.example", "MX", {"Status": 0, "Answer": payload["Answer"]}).status == "nodata"
    assert parse_answer("x.example", "TXT", {"Status": 3}).status == "nxdomain"
    assert parse_answer("x.example", "TXT", {"Status": 5}).detail == "REFUSED (rcode 5)"
    assert parse_answer("x.example", "TXT", {"Answer": []}).status == "error"
    assert parse_answer("x.example", "TXT", {"Status": 0, "Answer": [{"type": 16}]}).status == "error"


def test_names_are_idna_encoded() -> None:
    assert encode_name("Bücher.Example.") == "xn--bcher-kva.example"
    assert encode_name("_dmarc.münchen.de") == "_dmarc.xn--mnchen-3ya.de"
    for bad in ("", ".", "a" * 64 + ".com", "a..b"):
        with pytest.raises(ValueError):
            encode_name(bad)
