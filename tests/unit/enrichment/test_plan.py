"""The merge rules: only missing values are filled, a found address is kept only when verified (catch-all as
risky), the stage moves forward only from new/enriched, and the status says what is left."""

from __future__ import annotations

from shared.domain.enrichment.plan import Fact, FoundEmail, FoundSite, Needs, Result, Snapshot, merge, needs_of
from shared.domain.prospects import EmailStatus, Stage


def _prospect(**fields: object) -> Snapshot:
    base: dict[str, object] = {
        "id": "p1", "version": 3, "stage": Stage.NEW, "first_name": "Hannah", "last_name": "Fischer",
        "company_name": "Hotel Sonnenhof", "city": "Munich", "country": "DE", "job_title": "Director of Sales",
    }  # fmt: skip
    base.update(fields)
    return Snapshot(**base)  # type: ignore[arg-type]


SITE = FoundSite("https://sonnenhof-hotel.example", "sonnenhof-hotel.example", "brave")
FACTS = (
    Fact("rooms", 48, "https://sonnenhof-hotel.example/"),
    Fact("property_type", "boutique hotel", "https://sonnenhof-hotel.example/"),
    Fact("description", "A family-run boutique hotel.", "https://sonnenhof-hotel.example/"),
)


def test_needs_follow_what_is_missing() -> None:
    assert needs_of(_prospect()) == Needs(website=True, facts=True, email=True, verify_existing=False)
    with_site = _prospect(website="https://x.example", domain="x.example")
    assert needs_of(with_site) == Needs(website=False, facts=True, email=True)
    done = _prospect(website="https://x.example", domain="x.example", email="a@x.example", email_check="valid",
                     fact_names=frozenset({"rooms"}))  # fmt: skip
    assert not needs_of(done).any()
    assert needs_of(_prospect(email="a@x.example")).verify_existing
    assert not needs_of(_prospect(email="a@x.example", email_status=EmailStatus.BOUNCED)).verify_existing
    no_person = _prospect(first_name=None, last_name=None, website="https://x.example")
    assert not needs_of(no_person).email
    assert not needs_of(_prospect(stage=Stage.CONTACTED)).any()  # past ready: enrichment leaves it alone
    assert not needs_of(_prospect(archived=True)).any()


def test_a_found_site_facts_and_a_valid_address_fill_only_what_is_missing() -> None:
    result = Result(site=SITE, facts=FACTS, email=FoundEmail("hannah.fischer@sonnenhof-hotel.example", "valid",
                                                             "millionverifier", "first.last"))  # fmt: skip
    merged = merge(_prospect(), result)
    v = merged.values
    assert v["website"] == SITE.url and v["domain"] == SITE.domain and v["website_source"] == "enrichment:brave"
    assert v["rooms"] == 48 and v["property_type"] == "boutique hotel"
    assert v["email"] == "hannah.fischer@sonnenhof-hotel.example"
    assert (v["email_status"], v["email_check"], v["email_source"]) == ("valid", "valid", "enrichment")
    assert v["stage"] == "ready"  # a deliverable personal address
    assert v["score"] >= 70 and v["tier"] == "hot"
    assert merged.status == "done"


def test_entered_values_win() -> None:
    entered = _prospect(website="https://hotel-sonnenhof.example", domain="hotel-sonnenhof.example", rooms=50,
                        property_type="hotel", email="hannah@hotel-sonnenhof.example")  # fmt: skip
    result = Result(site=SITE, facts=FACTS, email=FoundEmail("h.fischer@sonnenhof-hotel.example", "valid", "x"))
    v = merge(entered, result).values
    assert "website" not in v and "rooms" not in v and "property_type" not in v and "email" not in v


def test_catch_all_is_kept_as_risky_never_valid() -> None:
    result = Result(site=SITE, email=FoundEmail("james@harbourinn.example", "catch_all", "zerobounce"))
    merged = merge(_prospect(first_name="James", last_name="O'Connor"), result)
    assert merged.values["email_status"] == "risky" and merged.values["email_check"] == "catch_all"
    assert merged.values["stage"] == "enriched"  # not ready: nobody confirmed the mailbox


def test_checking_an_existing_address_changes_its_status_never_the_address() -> None:
    p = _prospect(email="m.rossi@bellavista-hotel.example", website="https://bellavista-hotel.example",
                  fact_names=frozenset({"rooms"}))  # fmt: skip
    merged = merge(p, Result(existing_check=FoundEmail(p.email or "", "invalid", "millionverifier")))
    assert "email" not in merged.values
    assert merged.values["email_status"] == "invalid" and merged.values["email_check"] == "invalid"
    assert merged.values["tier"] == "cold"
    valid = merge(_prospect(email="a@x.example", email_status=EmailStatus.RISKY),
                  Result(existing_check=FoundEmail("a@x.example", "valid", "zerobounce")))  # fmt: skip
    assert "email_status" not in valid.values  # a status someone set is not overridden, the check is recorded
    assert valid.values["email_check"] == "valid"


def test_status_partial_or_waiting_when_something_is_still_missing() -> None:
    assert merge(_prospect(), Result(site=SITE, facts=FACTS)).status == "partial"
    assert merge(_prospect(), Result(site=SITE, facts=FACTS, waiting=True)).status == "waiting"
    assert merge(_prospect(), Result()).status == "partial"
    assert merge(_prospect(), Result()).values.get("stage") is None  # nothing found: stays new


def test_later_stages_are_never_moved() -> None:
    p = _prospect(stage=Stage.READY, email="a@x.example", email_status=EmailStatus.VALID)
    assert "stage" not in merge(p, Result(site=SITE)).values
