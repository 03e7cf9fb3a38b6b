"""Tracking URLs: signed per email (open) and per (email, url) (click), rewriting only external links, forged and
moved tokens refused, the key separate from the unsubscribe secret, and the "probably automated" rule."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.tracking import (
    AUTOMATED_WITHIN,
    InvalidToken,
    click_token,
    is_redirectable,
    links,
    open_token,
    probably_automated,
    scanner_agent,
    tracking_key,
    tracking_keys,
    tracking_urls,
    verify_click,
    verify_open,
)

SECRET = "unsubscribe-secret-for-tests"
BASE = "https://jengu.example"
EMAIL = "0190a1b2c3d4e5f60718293a4b5c6d7e"
KEY = tracking_key(SECRET)
SENT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def click_parts(url: str) -> tuple[str, str]:
    """(token, target) of a click URL we produced."""
    parts = urlsplit(url)
    assert url.startswith(f"{BASE}/t/c/")
    return parts.path.removeprefix("/t/c/"), parse_qs(parts.query)["u"][0]


def test_the_key_is_derived_for_tracking_only() -> None:
    assert hmac.new(SECRET.encode(), b"tracking", hashlib.sha256).digest() == KEY
    assert SECRET.encode() != KEY and tracking_key("another secret") != KEY
    assert tracking_key(SECRET.encode()) == KEY
    with pytest.raises(ValueError):
        tracking_key("")


def test_rotation_the_first_secret_signs_and_every_secret_verifies() -> None:
    old, new = "the-old-secret", "the-new-secret"
    _, signed_before = tracking_urls(EMAIL, "", [old.encode()], BASE)
    _, signed_after = tracking_urls(EMAIL, "", [new.encode(), old.encode()], BASE)
    assert signed_before is not None and signed_after is not None and signed_before != signed_after
    keys = tracking_keys([new.encode(), old.encode()])
    for pixel in (signed_before, signed_after):
        assert verify_open(keys, pixel.removeprefix(f"{BASE}/t/o/").removesuffix(".gif")) == EMAIL
    with pytest.raises(InvalidToken):  # the old secret retired: its links stop counting
        verify_open(tracking_keys([new]), signed_before.removeprefix(f"{BASE}/t/o/").removesuffix(".gif"))
    with pytest.raises(ValueError):
        tracking_keys([])


def test_plain_text_links_are_wrapped_and_each_verifies_for_its_own_url() -> None:
    body = (
        "Hi Anna,\n\nsee https://hotel.example/rooms?x=1&y=2 (our rooms), or http://spa.example/offer.\n"
        "Our site: https://hotel.example/rooms?x=1&y=2, again.\nUnsubscribe: https://jengu.example/u/abc\n"
    )
    rewritten, pixel = tracking_urls(EMAIL, body, SECRET, BASE)
    assert pixel is not None and pixel.startswith(f"{BASE}/t/o/") and pixel.endswith(".gif")
    assert verify_open(KEY, pixel.removeprefix(f"{BASE}/t/o/").removesuffix(".gif")) == EMAIL
    wrapped = [w for w in rewritten.split() if w.startswith(f"{BASE}/t/c/")]
    targets = [click_parts(w.rstrip(".,)"))[1] for w in wrapped]
    assert targets == [
        "https://hotel.example/rooms?x=1&y=2",
        "http://spa.example/offer",
        "https://hotel.example/rooms?x=1&y=2",
    ]
    for w in wrapped:
        token, target = click_parts(w.rstrip(".,)"))
        assert verify_click(KEY, token, target) == EMAIL
    # prose punctuation stays outside the link; our own unsubscribe link is untouched
    assert "(our rooms), or " in rewritten and rewritten.count("offer") == 1 and "offer.\n" in unquote(rewritten)
    assert "Unsubscribe: https://jengu.example/u/abc\n" in rewritten
    assert "Hi Anna,\n\nsee " in rewritten


def test_html_rewrites_hrefs_only_and_unescapes_entities() -> None:
    html = '<p>Visit <a href="https://hotel.example/a?x=1&amp;y=2">https://hotel.example/a</a></p>'
    rewritten, _ = tracking_urls(EMAIL, html, SECRET, BASE, opens=False, html=True)
    assert ">https://hotel.example/a</a>" in rewritten  # the visible text is not a link to wrap in HTML
    href = rewritten.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    token, target = click_parts(href)
    assert target == "https://hotel.example/a?x=1&y=2"
    assert verify_click(KEY, token, target) == EMAIL
    assert {"https://hotel.example/a", "https://hotel.example/a?x=1&y=2"} <= set(links(html))


def test_switches() -> None:
    body = "Go to https://hotel.example now"
    assert tracking_urls(EMAIL, body, SECRET, BASE, opens=False, clicks=False) == (body, None)
    rewritten, pixel = tracking_urls(EMAIL, body, SECRET, BASE, clicks=False)
    assert rewritten == body and pixel is not None


def test_forged_moved_and_malformed_tokens_are_refused() -> None:
    good = click_token(KEY, EMAIL, "https://hotel.example/")
    with pytest.raises(InvalidToken):  # the same token for another URL: no open redirect
        verify_click(KEY, good, "https://evil.example/")
    with pytest.raises(InvalidToken):  # another deployment's key
        verify_click(tracking_key("other"), good, "https://hotel.example/")
    other_email = "f" * 32
    with pytest.raises(InvalidToken):  # a mac moved onto another email id
        verify_open(KEY, f"{other_email}.{open_token(KEY, EMAIL).split('.')[1]}")
    with pytest.raises(InvalidToken):  # a click token is not an open token
        verify_open(KEY, good)
    for bad in ("", "abc", f"{EMAIL}.", f".{'a' * 22}", f"{EMAIL}.{'a' * 21}", f"{EMAIL}.{'a' * 22}"):
        with pytest.raises(InvalidToken):
            verify_open(KEY, bad)
    with pytest.raises(InvalidToken):  # signed, but not a URL we would ever redirect to
        verify_click(KEY, click_token(KEY, EMAIL, "javascript:alert(1)"), "javascript:alert(1)")
    with pytest.raises(ValueError):
        open_token(KEY, "not an id!")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://hotel.example/x", True),
        ("http://hotel.example", True),
        ("HTTPS://Hotel.Example/", True),
        ("javascript:alert(1)", False),
        ("//evil.example/", False),
        ("/relative", False),
        ("https://", False),
        ("https://a.example/\nSet-Cookie: x", False),
        ("https://a.example/" + "x" * 2100, False),
        ("ftp://a.example/", False),
    ],
)
def test_redirectable(url: str, ok: bool) -> None:
    assert is_redirectable(url) is ok


_URL_CHARS = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-._~/?=&%#+"), max_size=40)


@given(email_id=st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True), path=_URL_CHARS, other=_URL_CHARS)
def test_click_tokens_bind_email_and_url(email_id: str, path: str, other: str) -> None:
    url = f"https://hotel.example/{path}"
    token = click_token(KEY, email_id, url)
    assert verify_click(KEY, token, url) == email_id
    if other != path:
        with pytest.raises(InvalidToken):
            verify_click(KEY, token, f"https://hotel.example/{other}")


@given(st.lists(_URL_CHARS.map(lambda p: f"https://h.example/{p.strip('.,;:!?)')}"), max_size=5), st.text(max_size=50))
def test_every_wrapped_link_leads_back_to_its_own_url(urls: list[str], filler: str) -> None:
    body = " ".join(f"{filler.replace('http', 'h')} {u} " for u in urls)
    found = links(body)
    rewritten, _ = tracking_urls(EMAIL, body, SECRET, BASE, opens=False)
    targets = []
    for word in rewritten.split():
        if word.startswith(f"{BASE}/t/c/"):
            token, target = click_parts(word)
            assert verify_click(KEY, token, target) == EMAIL
            targets.append(target)
    assert list(dict.fromkeys(targets)) == found


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
        "Mozilla/5.0",
        "",
        None,
        "Barracuda Sentinel (EE)",
        "Mimecast-URL-Protect/1.0",
        "Proofpoint URL Defense",
        "Microsoft SafeLinks Scanner",
        "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
        "python-requests/2.31",
        "Slackbot-LinkExpanding 1.0",
        "SomeBot/1.0",
    ],
)
def test_scanner_agents(agent: str | None) -> None:
    assert scanner_agent(agent)
    assert probably_automated(agent, SENT + timedelta(hours=2), SENT)


PEOPLE = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
]


@pytest.mark.parametrize("agent", PEOPLE)
def test_people_are_people_after_the_first_seconds(agent: str) -> None:
    assert not scanner_agent(agent)
    assert not probably_automated(agent, SENT + AUTOMATED_WITHIN, SENT)
    assert probably_automated(agent, SENT + AUTOMATED_WITHIN - timedelta(milliseconds=1), SENT)
    assert probably_automated(agent, SENT - timedelta(minutes=1), SENT)  # before the send: not a reader
    assert probably_automated(agent, SENT, None)  # never sent
