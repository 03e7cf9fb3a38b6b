"""Per-country policy for cold B2B email: may Jengu enroll a recipient in this country, and on what legal basis?

Not legal advice: a conservative, documented default that a deployment can override (env `COUNTRY_POLICY`, JSON
`{"DE": "opt_out", ...}`, or the D1 setting `country_policy`). Three rules:

- `opt_out`  — cold B2B email to a business address is lawful with a truthful sender, a postal address and a working
  opt-out (US CAN-SPAM; UK PECR for corporate subscribers; France, the Netherlands, Sweden, Finland, Ireland,
  Belgium, Portugal, Czechia for legal persons' business addresses with a relevant offer, GDPR legitimate interest).
- `consent`  — prior consent is required even for B2B (Germany §7(2) Nr. 2 UWG, BGH I ZR 81/01 and I ZR 208/12;
  Austria §174 TKG 2021; Italy; Poland; Denmark §10 Marketing Practices Act; Spain LSSI art. 21; Canada CASL;
  Australia Spam Act 2003; Hungary; Slovenia; Croatia; Greece): only prospects with a recorded basis `consent` or
  `existing_customer` are enrolled.
- `basis`    — the default for every country not listed, and for prospects without a country: we do not know the
  local rule, so a prospect is enrolled only with some recorded legal basis (`consent`, `existing_customer` or
  `legitimate_interest`). Conservative on purpose: listing a country as `opt_out` is a decision someone signs.

Sources: ../shared/reference/outreach_rules.md §3b; decision 0016.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from shared.domain.errors import ValidationFailed


class Rule(StrEnum):
    OPT_OUT = "opt_out"
    CONSENT = "consent"
    BASIS = "basis"


class LegalBasis(StrEnum):
    CONSENT = "consent"
    LEGITIMATE_INTEREST = "legitimate_interest"
    EXISTING_CUSTOMER = "existing_customer"


DEFAULT_RULE = Rule.BASIS

_OPT_OUT = ("US", "GB", "FR", "NL", "SE", "FI", "IE", "BE", "PT", "CZ", "CH", "LU", "EE", "LV", "LT", "SK", "MT", "CY")
_CONSENT = ("DE", "AT", "IT", "PL", "DK", "ES", "CA", "AU", "HU", "SI", "HR", "GR", "NO")

DEFAULT_TABLE: Mapping[str, Rule] = {
    **{code: Rule.OPT_OUT for code in _OPT_OUT},
    **{code: Rule.CONSENT for code in _CONSENT},
}

_ENOUGH: Mapping[Rule, frozenset[LegalBasis | None]] = {
    Rule.OPT_OUT: frozenset({None, *LegalBasis}),
    Rule.CONSENT: frozenset({LegalBasis.CONSENT, LegalBasis.EXISTING_CUSTOMER}),
    Rule.BASIS: frozenset(LegalBasis),
}


class CountryPolicy:
    """The table in force: the defaults above with a deployment's overrides."""

    def __init__(self, overrides: Mapping[str, Rule] | None = None, default: Rule = DEFAULT_RULE) -> None:
        self._table = {**DEFAULT_TABLE, **(overrides or {})}
        self._default = default

    def rule_for(self, country: str | None) -> Rule:
        return self._table.get((country or "").upper(), self._default) if country else self._default

    def allows(self, country: str | None, basis: str | None) -> bool:
        try:
            recorded = LegalBasis(basis) if basis else None
        except ValueError:
            recorded = None
        return recorded in _ENOUGH[self.rule_for(country)]

    def table(self) -> dict[str, str]:
        return {code: rule.value for code, rule in sorted(self._table.items())} | {"*": self._default.value}


def parse_overrides(raw: str | Mapping[str, Any] | None) -> dict[str, Rule]:
    """`{"DE": "opt_out", "*": "consent"}` from env JSON or the settings table; raises ValidationFailed."""
    if raw is None or raw == "":
        return {}
    try:
        data = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(f"country policy is not a JSON object: {exc}") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("country policy must be a JSON object of country code -> rule")
    out: dict[str, Rule] = {}
    for code, rule in data.items():
        if not isinstance(code, str) or not (code == "*" or (len(code) == 2 and code.isalpha())):
            raise ValidationFailed(f"country policy: {code!r} is not an ISO 3166-1 alpha-2 code or '*'")
        try:
            out[code.upper()] = Rule(rule)
        except ValueError as exc:
            raise ValidationFailed(f"country policy: {code}: rule must be one of {[r.value for r in Rule]}") from exc
    return out


def policy_from(overrides: Mapping[str, Rule]) -> CountryPolicy:
    table = dict(overrides)
    default = table.pop("*", DEFAULT_RULE)
    return CountryPolicy(table, default)
