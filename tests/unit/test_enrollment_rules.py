"""Enrollment rules: the per-country policy table and its overrides, refusal reasons and their order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.domain.campaigns.country_policy import CountryPolicy, Rule, parse_overrides, policy_from
from shared.domain.campaigns.eligibility import Candidate, Refusal, refusal
from shared.domain.errors import ValidationFailed

OK = Candidate(
    prospect_id="p1", email="anna@hotel.example", email_status="valid", email_is_role=False, archived=False,
    country="FR", legal_basis=None, suppressed=False, active_elsewhere=False, in_this_campaign=False,
)  # fmt: skip


def test_germany_needs_consent_and_the_default_needs_a_recorded_basis() -> None:
    policy = CountryPolicy()
    assert policy.rule_for("DE") is Rule.CONSENT
    assert not policy.allows("DE", None) and not policy.allows("DE", "legitimate_interest")
    assert policy.allows("DE", "consent") and policy.allows("DE", "existing_customer")
    assert policy.rule_for("JP") is Rule.BASIS and policy.rule_for(None) is Rule.BASIS
    assert not policy.allows("JP", None) and policy.allows("JP", "legitimate_interest")
    assert policy.allows("GB", None) and policy.allows("us", None)


def test_overrides_change_single_countries_and_the_default() -> None:
    policy = policy_from(parse_overrides('{"DE": "opt_out", "*": "consent", "gb": "basis"}'))
    assert policy.allows("DE", None)
    assert not policy.allows("JP", "legitimate_interest") and policy.allows("JP", "consent")
    assert not policy.allows("GB", None)
    assert policy.table()["*"] == "consent"


@pytest.mark.parametrize("raw", ['{"DEU": "opt_out"}', '{"DE": "maybe"}', "[1]", "{not json"])
def test_bad_overrides_are_refused_with_a_message(raw: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_overrides(raw)


def test_an_unknown_recorded_basis_counts_as_none() -> None:
    assert not CountryPolicy().allows("JP", "because")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"archived": True}, Refusal.ARCHIVED),
        ({"in_this_campaign": True}, Refusal.ALREADY_ENROLLED),
        ({"email_status": "bounced"}, Refusal.BOUNCED),
        ({"email": None}, Refusal.NO_SENDABLE_EMAIL),
        ({"email_status": "invalid"}, Refusal.NO_SENDABLE_EMAIL),
        ({"suppressed": True}, Refusal.SUPPRESSED),
        ({"email_is_role": True}, Refusal.ROLE_ADDRESS),
        ({"country": "DE"}, Refusal.COUNTRY_POLICY),
        ({"active_elsewhere": True}, Refusal.ACTIVE_ELSEWHERE),
        ({}, None),
        ({"email_status": "risky"}, None),
    ],
)
def test_each_refusal(change: dict[str, object], reason: Refusal | None) -> None:
    assert refusal(replace(OK, **change), CountryPolicy()) is reason  # type: ignore[arg-type]


def test_the_first_applicable_reason_wins() -> None:
    both = replace(OK, suppressed=True, email_is_role=True, country="DE", active_elsewhere=True)
    assert refusal(both, CountryPolicy()) is Refusal.SUPPRESSED
