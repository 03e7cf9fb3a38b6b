"""MillionVerifier and ZeroBounce adapters over real HTTP (the Workers fetch adapter's local stand-in) against
`FakeVerifiers`: every verdict each vendor gives, every failure (bad key, credits gone mid-batch, 429, 500, HTML,
garbage, a hang), and the key never showing in an error."""

from __future__ import annotations

import json
import string
from collections.abc import AsyncIterator
from urllib.parse import quote_plus

import pytest
import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from local.fakes.verifiers import OUTCOMES, FakeVerifiers
from shared.adapters.http import WorkersFetch
from shared.adapters.verification import MillionVerifier, ZeroBounce, verifier
from shared.adapters.verification.millionverifier import failure_from as mv_failure
from shared.adapters.verification.zerobounce import failure_from as zb_failure
from shared.observability.log import Logger
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.verification import EmailVerifier, Verification, VerifierResult

pytestmark = pytest.mark.slow  # a real server on 127.0.0.1

D, U, C, R, K = (VerifierResult.DELIVERABLE, VerifierResult.UNDELIVERABLE, VerifierResult.CATCH_ALL,
                 VerifierResult.RISKY, VerifierResult.UNKNOWN)  # fmt: skip
# outcome -> (MillionVerifier verdict, detail), (ZeroBounce verdict, detail)
EXPECTED = {
    "valid": ((D, "ok"), (D, "valid")),
    "invalid": ((U, "invalid/mailbox_not_found"), (U, "invalid/mailbox_not_found")),
    "no_dns": ((U, "invalid/no_mx_record"), (U, "invalid/no_dns_entries")),
    "syntax": ((U, "error/invalid_syntax"), (U, "invalid/failed_syntax_check")),
    "catch_all": ((C, "catch_all"), (C, "catch-all")),
    "unknown": ((K, "unknown"), (K, "unknown/mail_server_did_not_respond")),
    "greylisted": ((R, "unknown/greylisted"), (R, "unknown/greylisted")),
    "disposable": ((R, "disposable"), (R, "do_not_mail/disposable")),
    "spamtrap": ((U, "invalid/unknown"), (R, "spamtrap")),
    "abuse": ((D, "ok"), (R, "abuse")),
    "mailbox_full": ((U, "invalid/mailbox_full"), (R, "invalid/mailbox_quota_exceeded")),
    "toxic": ((D, "ok"), (R, "do_not_mail/toxic")),
    "role_catch_all": ((C, "catch_all"), (C, "do_not_mail/role_based_catch_all")),
}
assert set(EXPECTED) == set(OUTCOMES)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeVerifiers]:
    async with FakeVerifiers() as server:
        yield server


def mv(fake: FakeVerifiers, key: str | None = "default", log: Logger | None = None) -> MillionVerifier:
    return MillionVerifier(
        WorkersFetch(), fake.millionverifier_key if key == "default" else key, fake.base_url, log=log
    )


def zb(fake: FakeVerifiers, key: str | None = "default") -> ZeroBounce:
    return ZeroBounce(WorkersFetch(), fake.zerobounce_key if key == "default" else key, fake.base_url)


def both(fake: FakeVerifiers) -> list[EmailVerifier]:
    return [mv(fake), zb(fake)]


async def failure(verifier: EmailVerifier, address: str, timeout_s: float = 5.0) -> LookupFailure:
    with pytest.raises(LookupFailure) as caught:
        await verifier.verify(address, timeout_s=timeout_s)
    return caught.value


# -- verdicts from the world ------------------------------------------------------------------------------------
@pytest.mark.parametrize("vendor", [0, 1], ids=["millionverifier", "zerobounce"])
async def test_the_world_decides(fake: FakeVerifiers, vendor: int) -> None:
    adapter = both(fake)[vendor]
    cases = {
        "hannah.fischer@sonnenhof-hotel.example": D,  # the mailbox exists
        "hannah@sonnenhof-hotel.example": U,  # the pattern guessed wrong
        "james.walsh@harbourinn.example": C,  # the inn's server takes anything
        "joao@casadorio-porto.example": U,  # a hotel without MX
        "someone@never-heard-of.example": U,  # a domain nobody knows
        "booking@mailinator.com": R,  # disposable
    }
    got = {address: (await adapter.verify(address, timeout_s=5)).result for address in cases}
    assert got == cases


async def test_role_boxes_are_flagged(fake: FakeVerifiers) -> None:
    at_mv = await mv(fake).verify("info@sonnenhof-hotel.example", timeout_s=5)
    at_zb = await zb(fake).verify("info@sonnenhof-hotel.example", timeout_s=5)
    assert (at_mv.result, at_mv.role) == (D, True)
    assert (at_zb.result, at_zb.role, at_zb.detail) == (R, True, "do_not_mail/role_based")


@pytest.mark.parametrize("outcome", OUTCOMES)
async def test_every_vendor_code_maps(fake: FakeVerifiers, outcome: str) -> None:
    address = f"sofia.papadopoulou+{outcome}@aegeanblue.example"
    fake.outcomes[address] = outcome
    (mv_result, mv_detail), (zb_result, zb_detail) = EXPECTED[outcome]
    assert_verdict(await mv(fake).verify(address, timeout_s=5), mv_result, mv_detail)
    assert_verdict(await zb(fake).verify(address, timeout_s=5), zb_result, zb_detail)


def assert_verdict(got: Verification, result: VerifierResult, detail: str) -> None:
    assert (got.result, got.detail) == (result, detail)
    assert got.disposable == ("disposable" in detail)


async def test_resultcode_is_the_fallback_and_unheard_of_results_are_malformed(fake: FakeVerifiers) -> None:
    address = "m.rossi@bellavista-hotel.example"
    fake.canned[("millionverifier", address)] = {"email": address, "resultcode": 2, "credits": 90, "error": ""}
    assert (await mv(fake).verify(address, timeout_s=5)).result == C
    fake.canned[("millionverifier", address)] = {"email": address, "result": "maybe", "resultcode": 9, "error": ""}
    assert (await failure(mv(fake), address)).kind == LookupFailureKind.MALFORMED
    fake.canned[("zerobounce", address)] = {"address": address, "status": "probably", "sub_status": ""}
    assert (await failure(zb(fake), address)).kind == LookupFailureKind.MALFORMED


async def test_the_request_is_the_documented_one(fake: FakeVerifiers) -> None:
    await mv(fake).verify("camille.laurent@hoteldesarts.example", timeout_s=10)
    await zb(fake).verify("camille.laurent@hoteldesarts.example", timeout_s=10)
    first, second = fake.requests
    assert (first.vendor, first.path, first.email, first.key_valid) == (
        "millionverifier", "/api/v3/", "camille.laurent@hoteldesarts.example", True)  # fmt: skip
    assert (second.vendor, second.path, second.key_valid) == ("zerobounce", "/v2/validate", True)


async def test_a_non_ascii_address_travels_encoded(fake: FakeVerifiers) -> None:
    fake.outcomes["zoë.müller@hotel-lindenhof.example"] = "valid"
    got = await mv(fake).verify("zoë.müller@hotel-lindenhof.example", timeout_s=5)
    assert got.result == D and fake.requests[-1].email == "zoë.müller@hotel-lindenhof.example"


# -- failures -----------------------------------------------------------------------------------------------------
async def test_no_key_is_unavailable_without_a_call(fake: FakeVerifiers) -> None:
    for adapter in (mv(fake, None), zb(fake, ""), verifier("zerobounce", WorkersFetch(), None, fake.base_url)):
        assert (await failure(adapter, "lars@nordlys.example")).kind == LookupFailureKind.UNAVAILABLE
    assert fake.requests == []


async def test_not_an_address_is_refused_without_a_call(fake: FakeVerifiers) -> None:
    for address in ("", "lars", "lars@", "@nordlys.example", "lars @nordlys.example", "lars@localhost"):
        assert (await failure(mv(fake), address)).kind == LookupFailureKind.REFUSED
    assert fake.requests == []


async def test_a_wrong_key_is_auth_and_never_shown(fake: FakeVerifiers) -> None:
    key = "mv-live-3f9a1c7e5b2d4f60"
    caught = await failure(mv(fake, key), "lars@nordlys.example")
    assert caught.kind == LookupFailureKind.AUTH and "Apikey not found" in caught.detail
    assert key not in str(caught) and key[:8] not in str(caught)
    zb_key = "zb-5c1e9a77d0b14c2f8e3a"
    caught = await failure(zb(fake, zb_key), "lars@nordlys.example")
    assert caught.kind == LookupFailureKind.AUTH and "unknown" in caught.detail
    assert zb_key not in str(caught) and "getcredits" in caught.detail


async def test_a_scripted_auth_error_on_zerobounce_is_told_apart_from_credits(fake: FakeVerifiers) -> None:
    fake.script(["auth_error"], vendor="zerobounce")
    assert (await failure(zb(fake), "lars@nordlys.example")).kind == LookupFailureKind.AUTH
    fake.script(["quota"], vendor="zerobounce")
    caught = await failure(zb(fake), "lars@nordlys.example")
    assert (caught.kind, caught.quota_period) == (LookupFailureKind.QUOTA, "month")
    assert [r.mode for r in fake.requests] == ["auth_error", "getcredits", "quota", "getcredits"]


@pytest.mark.parametrize("vendor", ["millionverifier", "zerobounce"])
async def test_credits_run_out_mid_batch(fake: FakeVerifiers, vendor: str) -> None:
    adapter = mv(fake) if vendor == "millionverifier" else zb(fake)
    fake.credits[fake.millionverifier_key if vendor == "millionverifier" else fake.zerobounce_key] = 3
    fake.unknown_domains.add("nordlys.example")
    batch = [
        "hannah.fischer@sonnenhof-hotel.example",
        "lars@nordlys.example",
        "m.rossi@bellavista-hotel.example",
        "elena.garcia@marazul.example",
        "tomasz.nowak@hotelwisla.example",
        "aiko@sakura-ryokan.example",
    ]
    answered: list[VerifierResult] = []
    with pytest.raises(LookupFailure) as caught:
        for address in batch:
            answered.append((await adapter.verify(address, timeout_s=5)).result)
    assert answered == [D, K, D, D]  # the unknown was free: four answers for three credits
    assert (caught.value.kind, caught.value.quota_period) == (LookupFailureKind.QUOTA, "month")
    if vendor == "millionverifier":
        assert "Insufficient credits" in caught.value.detail


async def test_millionverifier_credits_are_kept_and_logged(fake: FakeVerifiers) -> None:
    lines: list[str] = []
    fake.credits[fake.millionverifier_key] = 502
    adapter = mv(fake, log=Logger("test", level="debug", sink=lines.append))
    await adapter.verify("hannah.fischer@sonnenhof-hotel.example", timeout_s=5)
    assert adapter.credits_left == 501
    await adapter.verify("m.rossi@bellavista-hotel.example", timeout_s=5)
    await adapter.verify("elena.garcia@marazul.example", timeout_s=5)
    records = [json.loads(line) for line in lines]
    assert [r["credits"] for r in records if r["level"] == "debug"] == [501, 500, 499]
    assert [r["credits"] for r in records if r["level"] == "warning"] == [500]  # once, on crossing the threshold
    assert all(fake.millionverifier_key not in line for line in lines)


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        ("rate_limited", LookupFailureKind.RATE_LIMITED),
        ("server_error", LookupFailureKind.SERVER),
        ("html", LookupFailureKind.MALFORMED),
        ("garbage", LookupFailureKind.MALFORMED),
    ],
)
async def test_broken_answers(fake: FakeVerifiers, mode: str, kind: LookupFailureKind) -> None:
    for adapter in both(fake):
        fake.script([mode])
        caught = await failure(adapter, "olivia.brown@chestergrand.example")
        assert caught.kind == kind
        assert fake.millionverifier_key not in str(caught) and fake.zerobounce_key not in str(caught)
        if mode == "rate_limited":
            assert caught.retry_after_s == 3.0
    assert (await mv(fake).verify("olivia.brown@chestergrand.example", timeout_s=5)).result == D  # recovered


async def test_a_hang_is_a_timeout(fake: FakeVerifiers) -> None:
    for adapter in both(fake):
        fake.script(["hang"])
        assert (await failure(adapter, "pieter.devries@grachtenhotel.example", timeout_s=0.3)).kind == (
            LookupFailureKind.TIMEOUT
        )


async def test_a_refused_connection_is_server(fake: FakeVerifiers) -> None:
    dead = MillionVerifier(WorkersFetch(), "k" * 20, "http://127.0.0.1:9")
    assert (await failure(dead, "lars@nordlys.example")).kind == LookupFailureKind.SERVER


async def test_scripted_unknown_and_greylisting(fake: FakeVerifiers) -> None:
    fake.script(["unknown"], vendor="millionverifier")
    assert (await mv(fake).verify("hannah.fischer@sonnenhof-hotel.example", timeout_s=5)).result == K
    fake.greylisting.add("hotelwisla.example")
    got = await zb(fake).verify("tomasz.nowak@hotelwisla.example", timeout_s=5)
    assert (got.result, got.detail) == (R, "unknown/greylisted")


async def test_vendor_error_texts(fake: FakeVerifiers) -> None:
    address = "maria.huber@alpenrose-innsbruck.example"
    for error, kind in [
        ("IP address blocked", LookupFailureKind.AUTH),
        ("Internal error", LookupFailureKind.SERVER),
        ("No email", LookupFailureKind.REFUSED),
    ]:
        fake.canned[("millionverifier", address)] = {"result": "error", "resultcode": 4, "error": error, "credits": 0}
        assert (await failure(mv(fake), address)).kind == kind
    fake.canned[("zerobounce", address)] = {"error": "Invalid API Key"}
    assert (await failure(zb(fake), address)).kind == LookupFailureKind.AUTH
    fake.canned[("zerobounce", address)] = {"error": "Your account ran out of credits"}
    assert (await failure(zb(fake), address)).kind == LookupFailureKind.QUOTA


async def test_repr_and_name_keep_the_key_out(fake: FakeVerifiers) -> None:
    for adapter, name in ((mv(fake), "millionverifier"), (zb(fake), "zerobounce")):
        assert adapter.name == name
        assert fake.millionverifier_key not in repr(adapter) and fake.zerobounce_key not in repr(adapter)
    with pytest.raises(ValueError, match="unknown verifier"):
        verifier("hunter", WorkersFetch(), "k")


# -- the error texts alone (no HTTP) -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("Insufficient credits", LookupFailureKind.QUOTA),
        ("Apikey not found", LookupFailureKind.AUTH),
        ("Invalid API key", LookupFailureKind.AUTH),
        ("IP address blocked", LookupFailureKind.AUTH),
        ("Rate limit exceeded, slow down", LookupFailureKind.RATE_LIMITED),
        ("Internal error", LookupFailureKind.SERVER),
    ],
)
def test_millionverifier_error_texts(error: str, kind: LookupFailureKind) -> None:
    assert mv_failure(error).kind == kind


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("Invalid API key or your account ran out of credits", None),  # ambiguous: getcredits decides
        ("Invalid API Key", LookupFailureKind.AUTH),
        ("Your account ran out of credits", LookupFailureKind.QUOTA),
        ("Too many requests. Please try again later", LookupFailureKind.RATE_LIMITED),
        ("Missing parameter: email", LookupFailureKind.REFUSED),
        ("Something went wrong", LookupFailureKind.SERVER),
    ],
)
def test_zerobounce_error_texts(error: str, kind: LookupFailureKind | None) -> None:
    got = zb_failure(error)
    assert (got.kind if got is not None else None) == kind


@given(key=st.text(alphabet=string.ascii_letters + string.digits + "-_+/=", min_size=12, max_size=48))
def test_an_echoed_key_is_redacted_in_any_form(key: str) -> None:
    echoed = f"Apikey {key} not found; url=/api/v3/?api={quote_plus(key)}&email=x; masked {key[2:11]}***"
    for failure_ in (mv_failure(echoed, key), zb_failure(f"invalid api key {key}", key)):
        assert failure_ is not None
        assert (
            key not in failure_.detail and key[2:10] not in failure_.detail and quote_plus(key) not in failure_.detail
        )
