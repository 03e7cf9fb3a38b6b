"""Does a domain take mail? The verdict from its MX answer (and, without MX, its A/AAAA answer), before any verifier
is paid to ask.

    MX records                         -> "accepts", the hosts sorted by preference (then name)
    only the null MX `0 .`             -> "refuses": RFC 7505, the domain says it takes no mail
    NXDOMAIN                           -> "no_domain"
    no MX (NODATA), an A/AAAA answer   -> "accepts" through the implicit MX (RFC 5321 §5.1: the domain itself,
                                          preference 0), noted: such domains are often web-only
    no MX, no A/AAAA                   -> "no_mail"
    no MX, the address lookup not done -> "unknown" (`needs_address_lookup` says to ask A first)
    SERVFAIL, timeout, garbage         -> "unknown", never "no mail": a DNS outage is not a verdict

`provider` names a well-known mailbox host recognised from the MX hosts (Google Workspace, Microsoft 365, …): they
reject unknown recipients at RCPT time and are rarely catch-all, so a verifier's "deliverable" there is worth
trusting. Filtering gateways (Mimecast, Proofpoint, …) accept everything at the edge: their answers lean catch-all
or unknown. Pure: DNS answers in (anything shaped like `shared.ports.dns.DnsAnswer`), a `MailDomain` out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

MailVerdict = Literal["accepts", "refuses", "no_domain", "no_mail", "unknown"]
ProviderKind = Literal["mailbox", "gateway"]


class DnsAnswerLike(Protocol):
    """What this module reads of a `shared.ports.dns.DnsAnswer` (the domain layer cannot import the port)."""

    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def records(self) -> Sequence[str]: ...
    @property
    def detail(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class MxHost:
    preference: int
    host: str  # lower-case, without the root dot


@dataclass(frozen=True, slots=True)
class MailDomain:
    domain: str
    verdict: MailVerdict
    hosts: tuple[MxHost, ...] = ()  # where mail goes, most preferred first
    implicit_mx: bool = False  # no MX: mail goes to the domain's own address (RFC 5321 §5.1)
    provider: str | None = None  # "Google Workspace", "Microsoft 365", "Mimecast", ...
    provider_kind: ProviderKind | None = None
    note: str = ""

    @property
    def accepts_mail(self) -> bool:
        return self.verdict == "accepts"

    @property
    def worth_verifying(self) -> bool:
        """Paying a verifier can help: the domain takes mail, or DNS could not say (a verifier resolves itself)."""
        return self.verdict in ("accepts", "unknown")


# (host suffix, provider, kind): matched against every MX host, most specific first.
PROVIDERS: tuple[tuple[str, str, ProviderKind], ...] = (
    ("aspmx.l.google.com", "Google Workspace", "mailbox"),
    ("googlemail.com", "Google Workspace", "mailbox"),
    ("smtp.google.com", "Google Workspace", "mailbox"),
    ("mail.protection.outlook.com", "Microsoft 365", "mailbox"),
    ("mx.microsoft", "Microsoft 365", "mailbox"),
    ("zoho.com", "Zoho Mail", "mailbox"),
    ("zoho.eu", "Zoho Mail", "mailbox"),
    ("protonmail.ch", "Proton Mail", "mailbox"),
    ("messagingengine.com", "Fastmail", "mailbox"),
    ("mail.ovh.net", "OVHcloud", "mailbox"),
    ("ionos.de", "IONOS", "mailbox"),
    ("ionos.com", "IONOS", "mailbox"),
    ("kundenserver.de", "IONOS", "mailbox"),
    ("secureserver.net", "GoDaddy", "mailbox"),
    ("yandex.net", "Yandex 360", "mailbox"),
    ("mimecast.com", "Mimecast", "gateway"),
    ("mimecast.co.za", "Mimecast", "gateway"),
    ("pphosted.com", "Proofpoint", "gateway"),
    ("ppe-hosted.com", "Proofpoint", "gateway"),
    ("barracudanetworks.com", "Barracuda", "gateway"),
    ("iphmx.com", "Cisco Secure Email", "gateway"),
    ("mx.cloudflare.net", "Cloudflare Email Routing", "gateway"),
)
_NOTES = {
    "mailbox": "rejects unknown recipients at RCPT time and is rarely catch-all: verification is reliable",
    "gateway": "a filtering gateway accepts every recipient at the edge: expect catch-all or unknown verdicts",
}


def parse_mx(record: str) -> MxHost | None:
    """`"10 mx1.example.com."` -> MxHost(10, "mx1.example.com"); the null MX is host ""; None when unreadable."""
    parts = record.split()
    if len(parts) != 2 or not parts[0].isdigit() or int(parts[0]) > 65535:
        return None
    host = parts[1].strip().lower().rstrip(".")
    if parts[1].strip() not in (".", "") and not host:
        return None
    return MxHost(int(parts[0]), host)


def provider_of(hosts: Sequence[MxHost]) -> tuple[str, ProviderKind] | None:
    for mx in hosts:
        for suffix, provider, kind in PROVIDERS:
            if mx.host == suffix or mx.host.endswith("." + suffix):
                return provider, kind
    return None


def needs_address_lookup(mx: DnsAnswerLike) -> bool:
    """True when the MX answer was "no MX records": only the A/AAAA answer can say whether the implicit MX applies."""
    return mx.status == "nodata"


def mail_domain_verdict(mx: DnsAnswerLike, a: DnsAnswerLike | None = None) -> MailDomain:
    """The mail verdict from the MX answer of a domain and, when it has no MX, its A (or AAAA) answer."""
    domain = mx.name.strip().lower().rstrip(".")
    if mx.status == "nxdomain":
        return MailDomain(domain, "no_domain", note="NXDOMAIN: no such domain")
    if mx.status == "error":
        return MailDomain(domain, "unknown", note=f"MX lookup failed: {mx.detail or 'DNS error'}")
    if mx.status == "nodata":
        return _without_mx(domain, a)
    if mx.status != "ok":
        return MailDomain(domain, "unknown", note=f"MX lookup answered {mx.status!r}")
    parsed = [parse_mx(r) for r in mx.records]
    readable = [h for h in parsed if h is not None]
    real = sorted({h for h in readable if h.host}, key=lambda h: (h.preference, h.host))
    null = any(not h.host for h in readable)
    if not real:
        if null:
            return MailDomain(domain, "refuses", note="null MX (RFC 7505): the domain accepts no mail")
        return MailDomain(domain, "unknown", note=f"no readable MX record in {list(mx.records)[:3]}")
    notes = []
    if null:
        notes.append("a null MX next to real MX hosts (RFC 7505 §3 forbids it): the real hosts are used")
    if len(readable) < len(parsed):
        notes.append("unreadable MX records ignored")
    found = provider_of(real)
    provider, kind = found if found is not None else (None, None)
    if kind is not None:
        notes.append(f"{provider}: {_NOTES[kind]}")
    return MailDomain(domain, "accepts", tuple(real), provider=provider, provider_kind=kind, note="; ".join(notes))


def _without_mx(domain: str, a: DnsAnswerLike | None) -> MailDomain:
    if a is None:
        return MailDomain(domain, "unknown", note="no MX records; the A/AAAA lookup was not made")
    if a.status == "ok" and a.records:
        return MailDomain(
            domain,
            "accepts",
            (MxHost(0, domain),),
            implicit_mx=True,
            note="no MX records: mail goes to the domain's own address (RFC 5321 §5.1 implicit MX); "
            "such domains are often web-only",
        )
    if a.status in ("nodata", "nxdomain") or (a.status == "ok" and not a.records):
        return MailDomain(domain, "no_mail", note="no MX and no address record: the domain receives no mail")
    return MailDomain(domain, "unknown", note=f"no MX records; the address lookup failed: {a.detail or a.status}")


__all__ = [
    "MailDomain",
    "MailVerdict",
    "MxHost",
    "mail_domain_verdict",
    "needs_address_lookup",
    "parse_mx",
    "provider_of",
]
