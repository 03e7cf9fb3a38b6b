"""What one prospect still lacks, how an enrichment result fills it in, and where that leaves the prospect.

Rules (decision 0020):
* Only missing values are filled: a website, address, room count or property type that a person entered or a lead
  file carried is never replaced. The SQL that writes the merge repeats the rule (COALESCE), so a person's edit
  made while enrichment ran still wins.
* An address we found is stored only when verification says it is deliverable (`valid`) or, by policy, when the
  domain accepts every address (`catch_all`: kept with `email_status = risky`, never silently valid). Unverified
  pattern guesses stay candidates (`email_candidates`) for a person to pick.
* An address already on the prospect (entered or imported) may be verified: its `email_check` and, while the status
  is still `unknown`, its `email_status` follow the verdict; the address itself never changes.
* Stage: `new` becomes `enriched` once a website or an address was found; a deliverable, non-role address makes a
  `new`/`enriched` prospect `ready`. Later stages are never touched. Score and tier are recomputed.
* Status: `done` when nothing is missing any more, `waiting` when a quota or an outage stopped a step (the off-hours
  cron tops it up later), else `partial` (every source answered, something is still missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from shared.domain.prospects import EmailStatus, Stage
from shared.domain.roles import is_role_address
from shared.domain.scoring import ScoreInput, score, tier

EmailCheck = Literal["valid", "risky", "catch_all", "invalid", "unknown"]
EnrichmentStatus = Literal["queued", "done", "partial", "waiting", "failed"]
FACT_NAMES = ("description", "location", "property_type", "rooms", "star_rating", "features")

STATUS_OF_CHECK: dict[str, EmailStatus] = {
    "valid": EmailStatus.VALID,
    "catch_all": EmailStatus.RISKY,
    "risky": EmailStatus.RISKY,
    "invalid": EmailStatus.INVALID,
    "unknown": EmailStatus.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The prospect as enrichment reads it (one D1 row plus the names of the facts already stored)."""

    id: str
    version: int
    stage: Stage
    archived: bool = False
    first_name: str | None = None
    last_name: str | None = None
    contact_name: str | None = None
    job_title: str | None = None
    company_name: str | None = None
    property_name: str | None = None
    property_type: str | None = None
    rooms: int | None = None
    website: str | None = None
    domain: str | None = None
    city: str | None = None
    country: str | None = None
    email: str | None = None
    email_status: EmailStatus = EmailStatus.UNKNOWN
    email_check: str | None = None
    email_is_role: bool = False
    linkedin_url: str | None = None
    fact_names: frozenset[str] = frozenset()

    @property
    def hotel_name(self) -> str | None:
        return self.property_name or self.company_name

    @property
    def has_person(self) -> bool:
        return bool(self.first_name or self.last_name or self.contact_name)


@dataclass(frozen=True, slots=True)
class Needs:
    website: bool = False
    facts: bool = False
    email: bool = False
    verify_existing: bool = False

    def any(self) -> bool:
        return self.website or self.facts or self.email or self.verify_existing


def needs_of(p: Snapshot) -> Needs:
    """What enrichment can still add. Nothing for an archived prospect or one past `ready`."""
    if p.archived or p.stage not in (Stage.NEW, Stage.ENRICHED, Stage.READY):
        return Needs()
    website = not p.website and bool(p.hotel_name)
    return Needs(
        website=website,
        facts=not p.fact_names and (bool(p.website or p.domain) or website),
        email=not p.email and p.has_person and (bool(p.website or p.domain) or website),
        verify_existing=bool(p.email) and p.email_check is None and p.email_status is EmailStatus.UNKNOWN,
    )


@dataclass(frozen=True, slots=True)
class Fact:
    name: str  # one of FACT_NAMES
    value: Any  # str, int or list[str]
    source_url: str


@dataclass(frozen=True, slots=True)
class FoundSite:
    url: str
    domain: str
    provider: str  # which finder answered ("person" when it was already known)


@dataclass(frozen=True, slots=True)
class FoundEmail:
    address: str
    check: EmailCheck
    verifier: str  # the verifier whose verdict counts, "cache" or "none"
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    site: FoundSite | None = None
    facts: tuple[Fact, ...] = ()
    email: FoundEmail | None = None  # a new address for a prospect that had none
    existing_check: FoundEmail | None = None  # the verdict on the address the prospect already had
    waiting: bool = False  # a quota or an outage kept a step from being asked


@dataclass(frozen=True, slots=True)
class Merge:
    """The prospect's new values (only the columns that change) and its new enrichment status."""

    values: dict[str, Any] = field(default_factory=dict)
    status: EnrichmentStatus = "done"
    summary: str = ""


def merge(p: Snapshot, result: Result) -> Merge:
    values: dict[str, Any] = {}
    after = p
    found: list[str] = []
    if result.site is not None and not p.website:
        values.update(website=result.site.url, domain=p.domain or result.site.domain,
                      website_source=f"enrichment:{result.site.provider}")  # fmt: skip
        after = replace(after, website=result.site.url, domain=p.domain or result.site.domain)
        found.append(f"website {result.site.domain} ({result.site.provider})")
    facts = {f.name: f.value for f in result.facts}
    if p.rooms is None and isinstance(facts.get("rooms"), int):
        values["rooms"] = facts["rooms"]
        after = replace(after, rooms=facts["rooms"])
    if not p.property_type and isinstance(facts.get("property_type"), str):
        values["property_type"] = facts["property_type"]
        after = replace(after, property_type=facts["property_type"])
    if result.facts:
        found.append(f"{len(result.facts)} facts")
    if result.email is not None and not p.email:
        status = STATUS_OF_CHECK[result.email.check]
        role = is_role_address(result.email.address)
        values.update(
            email=result.email.address, email_status=status.value, email_check=result.email.check,
            email_checked_by=result.email.verifier, email_source="enrichment", email_is_role=int(role),
        )  # fmt: skip
        after = replace(after, email=result.email.address, email_status=status, email_check=result.email.check,
                        email_is_role=role)  # fmt: skip
        found.append(f"address {result.email.check} ({result.email.verifier})")
    elif result.existing_check is not None and p.email:
        values.update(email_check=result.existing_check.check, email_checked_by=result.existing_check.verifier)
        after = replace(after, email_check=result.existing_check.check)
        if p.email_status is EmailStatus.UNKNOWN:
            status = STATUS_OF_CHECK[result.existing_check.check]
            values["email_status"] = status.value
            after = replace(after, email_status=status)
        found.append(f"address checked: {result.existing_check.check}")

    stage = _stage_after(p, after, bool(found and (values.get("website") or values.get("email"))))
    if stage is not p.stage:
        values["stage"] = stage.value
        after = replace(after, stage=stage)
    points = score(_score_input(after))
    values.update(score=points, tier=tier(_score_input(after), points).value)

    remaining = needs_of(replace(after, fact_names=p.fact_names | frozenset(facts)))
    missing = remaining.website or remaining.email or (remaining.facts and bool(after.website))
    state: EnrichmentStatus = "done" if not missing else "waiting" if result.waiting else "partial"
    return Merge(values, state, "; ".join(found) or "nothing new found")


def _stage_after(before: Snapshot, after: Snapshot, found_something: bool) -> Stage:
    if before.stage not in (Stage.NEW, Stage.ENRICHED):
        return before.stage
    deliverable = after.email_status is EmailStatus.VALID and bool(after.email) and not after.email_is_role
    if deliverable and (found_something or after.email_check == "valid"):
        return Stage.READY
    if before.stage is Stage.NEW and found_something:
        return Stage.ENRICHED
    return before.stage


def _score_input(p: Snapshot) -> ScoreInput:
    return ScoreInput(
        has_email=bool(p.email), email_is_role=p.email_is_role, email_status=p.email_status, job_title=p.job_title,
        has_linkedin=bool(p.linkedin_url), has_website=bool(p.website), country=p.country, rooms=p.rooms,
        stage=p.stage,
    )  # fmt: skip
