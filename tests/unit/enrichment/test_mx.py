"""The mail verdict of a domain from its DNS answers: MX, null MX, implicit MX, NXDOMAIN, SERVFAIL, providers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enrichment.mx import MailDomain, MxHost, mail_domain_verdict, needs_address_lookup, parse_mx
from shared.ports.dns import DnsAnswer, DnsStatus


def mx(name: str, status: DnsStatus, *records: str, detail: str | None = None) -> DnsAnswer:
    return DnsAnswer(name, "MX", status, tuple(records), detail)


def a(name: str, status: DnsStatus, *records: str, detail: str | None = None) -> DnsAnswer:
    return DnsAnswer(name, "A", status, tuple(records), detail)


TABLE = [
    # (MX answer, A answer, verdict, first host, provider)
    (mx("sonnenhof-hotel.example", "ok", "10 mx1.sonnenhof-hotel.example."), None, "accepts",
     "mx1.sonnenhof-hotel.example", None),
    (mx("hotel-adlon.de", "ok", "10 mx01.ionos.de.", "10 mx00.ionos.de."), None, "accepts", "mx00.ionos.de", "IONOS"),
    (mx("nobu-hotels.com", "ok", "5 alt1.aspmx.l.google.com.", "1 aspmx.l.google.com.", "10 aspmx2.googlemail.com."),
     None, "accepts", "aspmx.l.google.com", "Google Workspace"),
    (mx("citizenm.com", "ok", "0 citizenm-com.mail.protection.outlook.com."), None, "accepts",
     "citizenm-com.mail.protection.outlook.com", "Microsoft 365"),
    (mx("accor.example", "ok", "10 eu-smtp-inbound-1.mimecast.com.", "10 eu-smtp-inbound-2.mimecast.com."), None,
     "accepts", "eu-smtp-inbound-1.mimecast.com", "Mimecast"),
    (mx("parked-domain.example", "ok", "0 ."), None, "refuses", None, None),
    (mx("gone-hotel.example", "nxdomain", detail="NXDOMAIN"), None, "no_domain", None, None),
    (mx("casadorio-porto.example", "nodata"), a("casadorio-porto.example", "nodata"), "no_mail", None, None),
    (mx("small-inn.example", "nodata"), a("small-inn.example", "ok", "192.0.2.44"), "accepts", "small-inn.example",
     None),
    (mx("small-inn.example", "nodata"), None, "unknown", None, None),
    (mx("small-inn.example", "nodata"), a("small-inn.example", "error", detail="SERVFAIL (rcode 2)"), "unknown", None,
     None),
    (mx("flaky-dns.example", "error", detail="SERVFAIL (rcode 2)"), a("flaky-dns.example", "nodata"), "unknown", None,
     None),
    (mx("flaky-dns.example", "error", detail="DNS over HTTPS timed out after 5s"), None, "unknown", None, None),
    (mx("broken.example", "ok", "mx.broken.example", "ten mx2.broken.example."), None, "unknown", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("mx_answer", "a_answer", "verdict", "first", "provider"), TABLE)
def test_verdict_table(
    mx_answer: DnsAnswer, a_answer: DnsAnswer | None, verdict: str, first: str | None, provider: str | None
) -> None:
    result = mail_domain_verdict(mx_answer, a_answer)
    assert result.verdict == verdict
    assert (result.hosts[0].host if result.hosts else None) == first
    assert result.provider == provider
    assert result.domain == mx_answer.name


def test_hosts_are_sorted_by_preference_then_name_and_deduplicated() -> None:
    result = mail_domain_verdict(
        mx("nobu-hotels.com", "ok", "10 ALT2.aspmx.l.google.com.", "5 alt1.aspmx.l.google.com.",
           "1 aspmx.l.google.com.", "10 alt1.aspmx.l.google.com.", "1 aspmx.l.google.com.")
    )  # fmt: skip
    assert result.hosts == (
        MxHost(1, "aspmx.l.google.com"),
        MxHost(5, "alt1.aspmx.l.google.com"),
        MxHost(10, "alt1.aspmx.l.google.com"),
        MxHost(10, "alt2.aspmx.l.google.com"),
    )
    assert result.provider_kind == "mailbox" and "rarely catch-all" in result.note


def test_a_dns_failure_is_never_no_mail() -> None:
    result = mail_domain_verdict(mx("hotelwisla.example", "error", detail="SERVFAIL (rcode 2)"))
    assert result.verdict == "unknown" and not result.accepts_mail and result.worth_verifying
    assert "SERVFAIL" in result.note


def test_null_mx_refuses_and_is_not_worth_verifying() -> None:
    result = mail_domain_verdict(mx("no-mail.example", "ok", "0 ."))
    assert result == MailDomain("no-mail.example", "refuses", note=result.note)
    assert "RFC 7505" in result.note and not result.worth_verifying


def test_null_mx_beside_real_hosts_uses_the_real_hosts_with_a_note() -> None:
    result = mail_domain_verdict(mx("odd.example", "ok", "0 .", "10 mx.odd.example."))
    assert result.verdict == "accepts" and result.hosts == (MxHost(10, "mx.odd.example"),)
    assert "RFC 7505" in result.note


def test_implicit_mx_is_the_domain_itself_at_preference_zero() -> None:
    result = mail_domain_verdict(mx("small-inn.example.", "nodata"), a("small-inn.example", "ok", "192.0.2.44"))
    assert result.implicit_mx and result.hosts == (MxHost(0, "small-inn.example"),)
    assert "RFC 5321" in result.note
    assert needs_address_lookup(mx("small-inn.example", "nodata"))
    assert not needs_address_lookup(mx("small-inn.example", "ok", "10 mx.small-inn.example."))


def test_a_gateway_is_flagged_as_one() -> None:
    result = mail_domain_verdict(mx("marriott.example", "ok", "10 mxa-00213301.gslb.pphosted.com."))
    assert (result.provider, result.provider_kind) == ("Proofpoint", "gateway")
    assert "catch-all" in result.note


def test_unreadable_records_are_skipped_with_a_note() -> None:
    result = mail_domain_verdict(mx("mixed.example", "ok", "garbage", "20 mx2.mixed.example."))
    assert result.verdict == "accepts" and "unreadable" in result.note


@pytest.mark.parametrize(
    ("record", "parsed"),
    [
        ("10 mx1.example.com.", MxHost(10, "mx1.example.com")),
        ("0 .", MxHost(0, "")),
        ("65535 last.example.", MxHost(65535, "last.example")),
        ("65536 big.example.", None),
        ("-1 neg.example.", None),
        ("mx.example.", None),
        ("", None),
    ],
)
def test_parse_mx(record: str, parsed: MxHost | None) -> None:
    assert parse_mx(record) == parsed


hostname = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){1,3}", fullmatch=True)


@given(st.lists(st.tuples(st.integers(0, 65535), hostname), min_size=1, max_size=8))
def test_any_mx_set_accepts_with_hosts_in_preference_order(pairs: list[tuple[int, str]]) -> None:
    result = mail_domain_verdict(mx("prop.example", "ok", *(f"{p} {h}." for p, h in pairs)))
    assert result.verdict == "accepts"
    preferences = [h.preference for h in result.hosts]
    assert preferences == sorted(preferences)
    assert {(h.preference, h.host) for h in result.hosts} == set(pairs)
