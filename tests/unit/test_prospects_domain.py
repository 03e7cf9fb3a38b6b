"""Prospect domain rules: normalisation, the stage machine, score and tier, records for create/patch, bulk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.bulk import BulkAction, Outcome, apply, check_value
from shared.domain.errors import ValidationFailed
from shared.domain.normalize import (
    normalize_company,
    normalize_domain,
    normalize_email,
    normalize_linkedin,
    person_key,
)
from shared.domain.prospect_records import new_record, patched_record, record_to_prospect
from shared.domain.prospects import ALLOWED_TRANSITIONS, EmailStatus, ProspectCreate, ProspectPatch, Stage, Tier
from shared.domain.roles import is_role_address
from shared.domain.scoring import ScoreInput, score, tier

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hannah.Fischer@Sonnenhof-Hotel.EXAMPLE ", "hannah.fischer@sonnenhof-hotel.example"),
        ("<m.rossi@bellavista.example>", "m.rossi@bellavista.example"),
        ("mailto:a@b.example", "a@b.example"),
        ("not an email", None),
        ("a@b", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_email(raw: object, expected: str | None) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.LinkedIn.com/in/Hannah-Fischer-Sonnenhof/?trk=x", "linkedin.com/in/hannah-fischer-sonnenhof"),
        ("linkedin.com/in/marcorossi-gm", "linkedin.com/in/marcorossi-gm"),
        ("https://de.linkedin.com/in/jane", "linkedin.com/in/jane"),
        ("https://example.com/in/jane", None),
        ("https://www.linkedin.com/feed/", None),
    ],
)
def test_normalize_linkedin(raw: str, expected: str | None) -> None:
    assert normalize_linkedin(raw) == expected


def test_normalize_domain_and_company_and_person_key() -> None:
    assert normalize_domain("https://www.Sonnenhof-Hotel.example/about?x") == "sonnenhof-hotel.example"
    assert normalize_domain("bellavista-hotel.example") == "bellavista-hotel.example"
    assert normalize_domain("localhost") is None
    assert normalize_company("The Grand Hotel GmbH") == normalize_company("grand") == "grand"
    assert person_key("Hotel Mar Azul", "Elena", "García") == person_key("mar azul", "ELENA", "Garcia")
    assert person_key(None, "Elena", "García") is None


def test_role_addresses() -> None:
    assert is_role_address("info@hotel.example")
    assert is_role_address("Reservations@hotel.example")
    assert is_role_address("sales2@hotel.example")
    assert not is_role_address("hannah.fischer@hotel.example")


def test_stage_machine() -> None:
    assert Stage.READY in ALLOWED_TRANSITIONS[Stage.NEW]
    assert Stage.MEETING in ALLOWED_TRANSITIONS[Stage.CONTACTED]  # a reply may skip ahead
    assert Stage.NEW not in ALLOWED_TRANSITIONS[Stage.READY]  # never backwards
    assert ALLOWED_TRANSITIONS[Stage.WON] == frozenset()
    assert ALLOWED_TRANSITIONS[Stage.LOST] == frozenset({Stage.READY})
    assert all(Stage.LOST in ALLOWED_TRANSITIONS[s] for s in Stage if s not in (Stage.WON, Stage.LOST))


def signals(**changes: object) -> ScoreInput:
    base: dict[str, object] = {
        "has_email": True,
        "email_is_role": False,
        "email_status": EmailStatus.VALID,
        "job_title": "General Manager",
        "has_linkedin": True,
        "has_website": True,
        "country": "DE",
        "rooms": 120,
        "stage": Stage.NEW,
    }
    base.update(changes)
    return ScoreInput(**base)  # type: ignore[arg-type]


def test_score_rules_add_up_as_documented() -> None:
    assert score(signals()) == 25 + 15 + 20 + 10 + 10 + 5 + 10 == 95
    assert score(signals(job_title="Sales Manager")) == 85
    assert score(signals(has_email=False, email_status=EmailStatus.UNKNOWN)) == 55
    assert tier(signals(), 95) is Tier.HOT
    assert tier(signals(), 55) is Tier.WARM
    assert tier(signals(), 39) is Tier.COLD
    assert tier(signals(email_is_role=True), 95) is Tier.COLD
    assert tier(signals(email_status=EmailStatus.BOUNCED), 95) is Tier.COLD
    assert tier(signals(stage=Stage.LOST), 95) is Tier.COLD


@given(
    st.builds(
        ScoreInput,
        has_email=st.booleans(),
        email_is_role=st.booleans(),
        email_status=st.sampled_from(list(EmailStatus)),
        job_title=st.none() | st.text(max_size=30),
        has_linkedin=st.booleans(),
        has_website=st.booleans(),
        country=st.none() | st.just("DE"),
        rooms=st.none() | st.integers(0, 5000),
        stage=st.sampled_from(list(Stage)),
    )
)
def test_score_is_always_between_0_and_100(signals_in: ScoreInput) -> None:
    assert 0 <= score(signals_in) <= 100
    assert tier(signals_in, score(signals_in)) in set(Tier)


def create(**fields: object) -> ProspectCreate:
    base: dict[str, object] = {
        "first_name": "Hannah",
        "last_name": "Fischer",
        "job_title": "Director of Sales",
        "email": "Hannah.Fischer@Sonnenhof-Hotel.example",
        "company_name": "Hotel Sonnenhof",
        "linkedin_url": "https://www.linkedin.com/in/hannah-fischer-sonnenhof",
        "city": "Munich",
        "region": "Bavaria",
        "country": "Germany",
        "tags": ["Spa", "spa", "DACH"],
    }
    base.update(fields)
    return ProspectCreate.model_validate(base)


def test_new_record_normalises_and_derives() -> None:
    record = new_record(create(), prospect_id="p1", now=NOW)
    assert record.email == record.email_normalized == "hannah.fischer@sonnenhof-hotel.example"
    assert record.country == "DE"
    assert record.timezone == "Europe/Berlin"
    assert record.contact_name == "Hannah Fischer"
    assert record.domain == "sonnenhof-hotel.example"
    assert record.tags == ["dach", "spa"]
    assert record.person_key == person_key("Hotel Sonnenhof", "Hannah", "Fischer")
    assert (record.stage, record.version, record.created_at) == ("new", 1, NOW.isoformat())
    assert record_to_prospect(record).tier in (Tier.HOT, Tier.WARM)


@pytest.mark.parametrize(
    "fields",
    [{"email": "nope"}, {"linkedin_url": "https://example.com/x"}, {"country": "Atlantis"}, {"website": "::"}],
)
def test_new_record_rejects_bad_values(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        new_record(create(**fields), prospect_id="p1", now=NOW)


def test_a_prospect_needs_some_identity() -> None:
    with pytest.raises(ValidationFailed):
        new_record(ProspectCreate(), prospect_id="p1", now=NOW)


def test_role_address_is_kept_but_never_sendable() -> None:
    prospect = record_to_prospect(new_record(create(email="info@sonnenhof.example"), prospect_id="p1", now=NOW))
    assert prospect.email_is_role and not prospect.sendable
    assert prospect.tier is Tier.COLD


def test_patch_changes_only_what_was_sent_and_rederives() -> None:
    stored = new_record(create(), prospect_id="p1", now=NOW)
    patched = patched_record(stored, ProspectPatch(city="Vienna", country="Austria"), now=LATER)
    assert (patched.city, patched.country, patched.timezone) == ("Vienna", "AT", "Europe/Vienna")
    assert patched.email == stored.email and patched.created_at == stored.created_at
    assert patched.updated_at == LATER.isoformat()
    cleared = patched_record(stored, ProspectPatch.model_validate({"job_title": None}), now=LATER)
    assert cleared.job_title is None and cleared.score < stored.score


def test_patch_checks_the_stage_machine() -> None:
    stored = new_record(create(), prospect_id="p1", now=NOW)
    ready = patched_record(stored, ProspectPatch(stage=Stage.READY), now=LATER)
    assert ready.stage == "ready"
    with pytest.raises(ValidationFailed, match="cannot move"):
        patched_record(ready, ProspectPatch(stage=Stage.NEW), now=LATER)


def test_patch_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError):
        ProspectPatch.model_validate({"score": 100})


def test_bulk_actions() -> None:
    stored = new_record(create(), prospect_id="p1", now=NOW)
    archived = apply(stored, BulkAction.ARCHIVE, None, LATER)
    assert not isinstance(archived, Outcome) and archived.archived
    assert apply(archived, BulkAction.ARCHIVE, None, LATER) is Outcome.UNCHANGED
    tagged = apply(stored, BulkAction.TAG, "vip", LATER)
    assert not isinstance(tagged, Outcome) and tagged.tags == ["dach", "spa", "vip"]
    assert apply(stored, BulkAction.SET_STAGE, "new", LATER) is Outcome.UNCHANGED
    contacted = apply(stored, BulkAction.SET_STAGE, "contacted", LATER)
    assert not isinstance(contacted, Outcome)
    assert apply(contacted, BulkAction.SET_STAGE, "new", LATER) is Outcome.INVALID_TRANSITION
    for action, value in [(BulkAction.TAG, None), (BulkAction.SET_TIER, "lukewarm"), (BulkAction.ARCHIVE, "x"),
                          (BulkAction.SET_STAGE, "done")]:  # fmt: skip
        with pytest.raises(ValidationFailed):
            check_value(action, value)
