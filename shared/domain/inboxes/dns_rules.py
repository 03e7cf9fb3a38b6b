"""The sending-domain rules: does the DNS of an inbox's domain let its mail be delivered? Pure; the lookups are done by
`shared.service_layer.dns_check`, which hands the answers in (anything with `status` and `records`, as `DnsAnswer`).

Four checks, each pass / warn / fail (the report is `ok` when none fails; a lookup that errs is a warn: cannot tell):

- **SPF** (RFC 7208). Exactly one `v=spf1` TXT record on the domain: none = fail; two or more = fail (permerror,
  §4.5). `include:` and `redirect=` are followed through the resolver; `include`, `a`, `mx`, `ptr`, `exists` and
  `redirect` count towards the limit of 10 DNS lookups (§4.6.4): over = fail (permerror), as is an include loop or an
  include/redirect target with no SPF record (§5.2, §6.1). "Covers the transport" = the transport's include is
  reached: cloudflare (Email Service) `_spf.mx.cloudflare.net`, graph (Microsoft 365) `spf.protection.outlook.com`,
  resend `amazonses.com` — Resend's MAIL FROM is the `send.` subdomain, so both `send.<domain>` and `<domain>` are
  walked and either may cover; smtp: `transport_settings["spf_include"]` when set, else a pass when the SMTP host
  (or its parent domain) is named by an include/a/mx mechanism, else a warn (cannot tell). Not reached = fail.
  The domain's own `all`: `+all` (or a bare `all`) = fail (anyone may send as the domain), `?all` or none = warn
  (neutral: SPF proves nothing), `~all`/`-all` fine. A redirect's `all` stands in for a record without one.
- **DKIM** (RFC 6376 §3.6.1). A TXT record at `<selector>._domainkey.<domain>` with a non-empty `p=`: an empty `p=`
  is a revoked key (fail), no record = fail. No selector configured = warn: the selector is the provider's, never
  guessed here; the detail says where to find it.
- **DMARC** (RFC 7489 §6.3, §6.6.3). One TXT record at `_dmarc.<domain>` starting `v=DMARC1` (records that do not are
  ignored; two or more = fail, receivers then apply none); without one there, the parent domains' records are tried
  (the organizational-domain fallback; their `sp=` applies). Missing = fail: Gmail and Yahoo (Feb 2024) and Microsoft
  Outlook.com (May 2025) require DMARC of bulk senders (outreach_rules.md §3a [G3][M1]). The policy `p=` (none /
  quarantine / reject, else fail) and `pct=` are reported; `p=none` passes with a note (monitoring only).
- **MX** (RFC 5321 §5.1, RFC 7505). At least one MX, so replies arrive; the null MX `0 .` = fail (the domain accepts
  no mail); none = fail. With the cloudflare transport, replies reach Jengu through Email Routing, whose MX are
  `route1/2/3.mx.cloudflare.net`: MX elsewhere = warn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

CheckName = Literal["spf", "dkim", "dmarc", "mx"]
CheckStatus = Literal["pass", "warn", "fail"]
SPF_LOOKUP_LIMIT = 10
TRANSPORT_SPF_INCLUDES = {
    "cloudflare": "_spf.mx.cloudflare.net",
    "graph": "spf.protection.outlook.com",
    "resend": "amazonses.com",
}
EMAIL_ROUTING_MX = ("route1.mx.cloudflare.net", "route2.mx.cloudflare.net", "route3.mx.cloudflare.net")
DKIM_SELECTOR_HINTS = {
    "cloudflare": "the selector of the DKIM record Email Service listed when the domain was onboarded",
    "graph": "Microsoft 365 publishes selector1 and selector2 (CNAMEs to its keys)",
    "resend": "Resend's DNS page lists the DKIM record (its name starts with the selector)",
}
_RANK: dict[CheckStatus, int] = {"pass": 0, "warn": 1, "fail": 2}


class Answer(Protocol):
    """What a DNS answer carries for these rules (`shared.ports.dns.DnsAnswer` fits)."""

    @property
    def status(self) -> str: ...  # "ok", "nxdomain", "nodata", "error"

    @property
    def records(self) -> tuple[str, ...]: ...

    @property
    def detail(self) -> str | None: ...


@dataclass(frozen=True)
class Check:
    name: CheckName
    status: CheckStatus
    detail: str
    records: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "records": list(self.records)}


@dataclass(frozen=True)
class DnsReport:
    domain: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "ok": self.ok, "checks": [c.to_dict() for c in self.checks]}


def normalise_domain(domain: str) -> str:
    """The domain as looked up: trimmed, lower-case, no root dot; ValueError when it cannot be a mail domain."""
    name = domain.strip().rstrip(".").lower()
    if "@" in name:
        name = name.rsplit("@", 1)[1]
    if "." not in name or any(not label for label in name.split(".")) or any(c.isspace() for c in name):
        raise ValueError(f"not a domain name: {domain!r}")
    return name


def _worst(statuses: Sequence[CheckStatus]) -> CheckStatus:
    return max(statuses, key=_RANK.__getitem__, default="pass")


def _lookup_failed(answer: Answer) -> str:
    return answer.detail or "lookup failed"


# -- SPF -------------------------------------------------------------------------------------------------------------


@dataclass
class SpfWalk:
    """An SPF evaluation over the TXT answers fetched so far. It stops at the first name it lacks (`missing`), as an
    evaluator does (terms in order, depth first), so only names a real evaluation looks up are ever asked for."""

    domain: str
    records: tuple[str, ...] = ()  # the v=spf1 records at the domain itself
    missing: set[str] = field(default_factory=set)
    reached: set[str] = field(default_factory=set)  # include/redirect targets visited
    targets: set[str] = field(default_factory=set)  # domains named by include/a/mx (bare a/mx: the record's domain)
    lookups: int = 0
    all_qualifier: str | None = None  # the effective `all` of the domain's policy ("+", "-", "~", "?")
    problem: str | None = None  # permerror / missing record: a fail
    unknown: str | None = None  # a DNS error: cannot tell


def spf_records(answer: Answer) -> tuple[str, ...]:
    """The `v=spf1` records among a name's TXT records (RFC 7208 §4.5: others are not SPF)."""
    if answer.status != "ok":
        return ()
    return tuple(r for r in answer.records if r.strip().lower() == "v=spf1" or r.strip().lower().startswith("v=spf1 "))


def walk_spf(domain: str, txt: Mapping[str, Answer]) -> SpfWalk:
    """Evaluate `domain`'s SPF policy as far as the answers in `txt` (name -> TXT answer) allow."""
    walk = SpfWalk(domain)
    walk.all_qualifier = _visit(walk, domain, txt, path=())
    return walk


def _visit(walk: SpfWalk, name: str, txt: Mapping[str, Answer], path: tuple[str, ...]) -> str | None:
    """Visit one record; returns its effective `all` qualifier (through a redirect), or None."""
    if walk.problem or walk.missing or walk.lookups > SPF_LOOKUP_LIMIT:
        return None
    answer = txt.get(name)
    if answer is None:
        walk.missing.add(name)
        return None
    if answer.status == "error":
        walk.unknown = walk.unknown or f"{name}: {_lookup_failed(answer)}"
        return None
    records = spf_records(answer)
    if not path:
        walk.records = records
    if not records:
        walk.problem = walk.problem or (f"no v=spf1 record at {name}" + (" (permerror)" if path else ""))
        return None
    if len(records) > 1:
        walk.problem = f"{len(records)} v=spf1 records at {name}: permerror (RFC 7208 §4.5 allows one)"
        return None
    all_qualifier: str | None = None
    redirect: str | None = None
    for term in records[0].split()[1:]:
        lowered = term.lower()
        if lowered.startswith("redirect="):
            redirect = lowered.split("=", 1)[1].rstrip(".")
            continue
        if "=" in lowered.split(":", 1)[0]:  # another modifier (exp=…)
            continue
        qualifier = lowered[0] if lowered[0] in "+-~?" else "+"
        mechanism, _, target = lowered.lstrip("+-~?").partition(":")
        mechanism = mechanism.split("/", 1)[0]
        target = target.split("/", 1)[0].rstrip(".")
        if mechanism == "all":
            all_qualifier = qualifier
            break  # RFC 7208 §5.1: terms after `all` are never evaluated
        if mechanism in ("include", "a", "mx", "ptr", "exists"):
            walk.lookups += 1
            if walk.lookups > SPF_LOOKUP_LIMIT:
                walk.problem = f"more than {SPF_LOOKUP_LIMIT} DNS lookups: permerror (RFC 7208 §4.6.4)"
                return None
        if mechanism in ("include", "a", "mx"):
            walk.targets.add(target or name)
        if mechanism == "include" and target:
            _follow(walk, target, txt, (*path, name))
            if walk.problem or walk.missing:
                return None
    if redirect and all_qualifier is None:  # §6.1: a redirect applies only when the record has no `all`
        walk.lookups += 1
        if walk.lookups > SPF_LOOKUP_LIMIT:
            walk.problem = f"more than {SPF_LOOKUP_LIMIT} DNS lookups: permerror (RFC 7208 §4.6.4)"
            return None
        return _follow(walk, redirect, txt, (*path, name))
    return all_qualifier


def _follow(walk: SpfWalk, target: str, txt: Mapping[str, Answer], path: tuple[str, ...]) -> str | None:
    if "%" in target:  # a macro (§7): expanded per message, cannot be followed here
        walk.unknown = walk.unknown or f"{target}: macros are expanded per message"
        return None
    if target in path:
        walk.problem = f"include loop: {' -> '.join((*path, target))} (permerror)"
        return None
    walk.reached.add(target)
    return _visit(walk, target, txt, path)


@dataclass(frozen=True)
class SpfExpectation:
    """What must be reached for the transport's mail to pass SPF."""

    label: str
    include: str | None = None  # an include that must be reached
    host: str | None = None  # smtp without spf_include: the host that should be named
    applies: bool = True  # False: nothing to cover (the local transport)


def spf_expectation(transport: str, transport_settings: Mapping[str, Any]) -> SpfExpectation:
    if transport in TRANSPORT_SPF_INCLUDES:
        return SpfExpectation(transport, include=TRANSPORT_SPF_INCLUDES[transport])
    if transport == "smtp":
        include = transport_settings.get("spf_include")
        if isinstance(include, str) and include.strip():
            return SpfExpectation("smtp", include=include.strip().lower().rstrip("."))
        host = transport_settings.get("host") or transport_settings.get("smtp_host")
        return SpfExpectation("smtp", host=host.strip().lower().rstrip(".") if isinstance(host, str) else None)
    return SpfExpectation(transport, applies=False)


def spf_domains(domain: str, transport: str) -> tuple[str, ...]:
    """The names whose SPF the transport's mail is checked against, most specific first."""
    return (f"send.{domain}", domain) if transport == "resend" else (domain,)


def _covers(walk: SpfWalk, expected: SpfExpectation) -> bool | None:
    """True / False, or None when it cannot be told (smtp without an include or a known host)."""
    if expected.include is not None:
        return expected.include in walk.reached
    if expected.host is None:
        return None
    host = expected.host
    parent = host.split(".", 1)[1] if host.count(".") >= 2 else host
    return any(t in (host, parent) or t.endswith("." + parent) for t in walk.targets) or None


def evaluate_spf(walks: Sequence[SpfWalk], expected: SpfExpectation) -> Check:
    """The SPF check over completed walks (one per name of `spf_domains`)."""
    notes: list[tuple[CheckStatus, str]] = []
    records = tuple(r for w in walks for r in w.records)
    found = [w for w in walks if w.records]
    for w in walks:
        if w.records and w.problem:
            notes.append(("fail", f"{w.domain}: {w.problem}"))
        elif w.unknown and not w.problem:
            notes.append(("warn", f"{w.domain}: could not evaluate ({w.unknown})"))
    unsure = any(w.unknown for w in walks)
    if not found:
        if not unsure:
            notes.append(("fail", f"no v=spf1 TXT record at {' or '.join(w.domain for w in walks)}"))
        return Check("spf", _worst([s for s, _ in notes]), "; ".join(n for _, n in notes), records)
    covering = [w for w in found if not w.problem and _covers(w, expected)]
    if not expected.applies:
        notes.append(("pass", f"the {expected.label} transport has no SPF include to check"))
    elif covering:
        via = covering[0]
        what = expected.include or f"the SMTP host {expected.host}"
        notes.append(("pass", f"{via.domain} covers {expected.label}: {what} is authorised"))
    elif expected.include is None and not any(w.problem for w in found):
        notes.append(("warn", "cannot tell whether SPF covers the SMTP server: set transport_settings.spf_include "
                              "to the include your SMTP provider documents"))  # fmt: skip
    elif expected.include is not None and not unsure:
        names = " nor ".join(w.domain for w in walks) if len(walks) > 1 else walks[0].domain
        notes.append(("fail", f"SPF of {names} does not include {expected.include}: mail sent through "
                              f"{expected.label} fails SPF"))  # fmt: skip
    if len(walks) > 1:
        notes.append(("pass", f"Resend sends from {walks[0].domain} (its MAIL FROM): both it and {walks[-1].domain} "
                              "were checked"))  # fmt: skip
    for w in covering[:1] or found[:1]:
        if w.problem:
            continue
        if w.all_qualifier == "+":
            notes.append(("fail", f"{w.domain} ends in +all: anyone may send as the domain"))
        elif w.all_qualifier in (None, "?"):
            what = "?all (neutral)" if w.all_qualifier else "no all mechanism"
            notes.append(("warn", f"{w.domain} has {what}: add ~all or -all so SPF rejects other senders"))
        else:
            notes.append(("pass", f"{w.domain} ends in {w.all_qualifier}all ({w.lookups} of 10 DNS lookups)"))
    return Check("spf", _worst([s for s, _ in notes]), "; ".join(n for _, n in notes), records)


# -- DKIM, DMARC, MX -------------------------------------------------------------------------------------------------


def tags(record: str) -> dict[str, str]:
    """`k=v; k=v` tag lists (DKIM RFC 6376 §3.2, DMARC RFC 7489 §6.4): names lower-cased, values trimmed."""
    out: dict[str, str] = {}
    for part in record.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            out.setdefault(name.strip().lower(), "".join(value.split()))
    return out


def dkim_name(selector: str, domain: str) -> str:
    return f"{selector.strip().rstrip('.')}._domainkey.{domain}"


def evaluate_dkim(domain: str, selector: str | None, answer: Answer | None, transport: str) -> Check:
    if not selector or answer is None:
        hint = DKIM_SELECTOR_HINTS.get(transport, "your provider documents the selector of its DKIM record")
        return Check("dkim", "warn", f"no DKIM selector configured for this inbox, so DKIM was not checked: set the "
                                     f"inbox's dkim_selector ({hint})")  # fmt: skip
    name = dkim_name(selector, domain)
    if answer.status == "error":
        return Check("dkim", "warn", f"could not look up {name}: {_lookup_failed(answer)}")
    keys = [r for r in answer.records if "p" in tags(r)] if answer.status == "ok" else []
    if not keys:
        return Check("dkim", "fail", f"no DKIM key at {name}: selector {selector!r} is not published", answer.records)
    if not tags(keys[0])["p"]:
        return Check("dkim", "fail", f"the DKIM key at {name} is revoked (empty p=)", tuple(keys))
    algorithm = tags(keys[0]).get("k", "rsa")
    return Check("dkim", "pass", f"DKIM key published at {name} ({algorithm})", tuple(keys))


def dmarc_names(domain: str) -> tuple[str, ...]:
    """Where the DMARC record is looked for, in order: the domain, then each parent above the top-level domain."""
    labels = domain.split(".")
    return tuple(f"_dmarc.{'.'.join(labels[i:])}" for i in range(len(labels) - 1))


def dmarc_records(answer: Answer) -> tuple[str, ...]:
    if answer.status != "ok":
        return ()
    return tuple(r for r in answer.records if tags(r).get("v", "").upper() == "DMARC1" and r.lstrip().startswith("v"))


def evaluate_dmarc(domain: str, answers: Sequence[tuple[str, Answer]]) -> Check:
    """`answers`: (name, TXT answer) in `dmarc_names` order, up to the first one with a DMARC record."""
    for index, (name, answer) in enumerate(answers):
        if answer.status == "error":
            return Check("dmarc", "warn", f"could not look up {name}: {_lookup_failed(answer)}")
        records = dmarc_records(answer)
        if not records:
            continue
        if len(records) > 1:
            return Check("dmarc", "fail", f"{len(records)} DMARC records at {name}: receivers apply none "
                                          "(RFC 7489 §6.6.3)", records)  # fmt: skip
        return _dmarc_policy(name, records[0], inherited=index > 0)
    return Check("dmarc", "fail", f"no DMARC record at _dmarc.{domain}: Gmail, Yahoo and Microsoft require one "
                                  "(p=none is enough to start)")  # fmt: skip


def _dmarc_policy(name: str, record: str, *, inherited: bool) -> Check:
    values = tags(record)
    policy = values.get("p", "").lower()
    where = f"inherited from {name}" if inherited else name
    if inherited and values.get("sp"):
        policy, where = values["sp"].lower(), f"{where} (sp=)"
    if policy not in ("none", "quarantine", "reject"):
        return Check("dmarc", "fail", f"DMARC record at {name} has no valid policy p= (none/quarantine/reject)",
                     (record,))  # fmt: skip
    pct = values.get("pct", "100")
    share = f", pct={pct}" if pct != "100" else ""
    if policy == "none":
        detail = (f"DMARC p=none{share} at {where}: monitoring only (receivers take no action on failures); move to "
                  "quarantine or reject once the reports are clean")  # fmt: skip
    else:
        detail = f"DMARC p={policy}{share} at {where}"
    return Check("dmarc", "pass", detail, (record,))


def mx_hosts(records: Sequence[str]) -> list[tuple[int, str]]:
    hosts: list[tuple[int, str]] = []
    for record in records:
        preference, _, host = record.strip().partition(" ")
        hosts.append((int(preference) if preference.isdigit() else 0, host.strip().rstrip(".").lower()))
    return sorted(hosts)


def evaluate_mx(domain: str, answer: Answer, transport: str) -> Check:
    if answer.status == "error":
        return Check("mx", "warn", f"could not look up MX of {domain}: {_lookup_failed(answer)}")
    if answer.status != "ok" or not answer.records:
        return Check("mx", "fail", f"no MX record for {domain}: replies cannot arrive")
    hosts = mx_hosts(answer.records)
    if any(host == "" for _, host in hosts):
        return Check("mx", "fail", f"{domain} publishes a null MX (RFC 7505): it accepts no mail, replies bounce",
                     answer.records)  # fmt: skip
    names = ", ".join(host for _, host in hosts)
    if transport == "cloudflare" and not any(host in EMAIL_ROUTING_MX for _, host in hosts):
        return Check("mx", "warn", f"MX of {domain} are {names}, not Email Routing's route1/2/3.mx.cloudflare.net: "
                                   "replies go there and never reach Jengu", answer.records)  # fmt: skip
    return Check("mx", "pass", f"replies arrive at {names}", answer.records)


__all__ = [
    "SPF_LOOKUP_LIMIT",
    "Answer",
    "Check",
    "DnsReport",
    "SpfExpectation",
    "SpfWalk",
    "dkim_name",
    "dmarc_names",
    "dmarc_records",
    "evaluate_dkim",
    "evaluate_dmarc",
    "evaluate_mx",
    "evaluate_spf",
    "normalise_domain",
    "spf_domains",
    "spf_expectation",
    "walk_spf",
]
