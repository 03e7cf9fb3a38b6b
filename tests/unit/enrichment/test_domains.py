"""Registrable domains by the bundled public suffix list: URLs in every shape, IDN, IPs, suffixes, website builders."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enrichment.domains import (
    host_of,
    is_shared_host,
    label_of,
    public_suffix,
    registrable_domain,
    same_site,
)


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        ("https://www.sonnenhof-hotel.de/zimmer?lang=en#top", "sonnenhof-hotel.de"),
        ("sonnenhof-hotel.de", "sonnenhof-hotel.de"),
        ("www.sonnenhof-hotel.de/impressum", "sonnenhof-hotel.de"),
        ("//www.sonnenhof-hotel.de/", "sonnenhof-hotel.de"),
        ("HTTPS://WWW.Sonnenhof-Hotel.DE/", "sonnenhof-hotel.de"),
        ("https://www.sonnenhof-hotel.de.:443/", "sonnenhof-hotel.de"),
        ("http://booking:secret@www.sonnenhof-hotel.de:8080/x", "sonnenhof-hotel.de"),
        ("  https://m.facebook.com/hotelx  ", "facebook.com"),
        ("https://www.seasidelodge.co.uk/", "seasidelodge.co.uk"),
        ("https://book.seasidelodge.co.uk/", "seasidelodge.co.uk"),
        ("https://www.harbourview.com.au/", "harbourview.com.au"),
        ("https://www.sakura-ryokan.co.jp/en/", "sakura-ryokan.co.jp"),
        ("https://hotel.kyoto.jp/", "hotel.kyoto.jp"),
        ("https://www.pousada.com.br/", "pousada.com.br"),
        ("https://www.hotel-x.co.nz", "hotel-x.co.nz"),
        ("https://www.tripadvisor.co.uk/Hotel_Review", "tripadvisor.co.uk"),
        ("https://www.münchen-sonnenhof.de/", "xn--mnchen-sonnenhof-jzb.de"),
        ("xn--mnchen-sonnenhof-jzb.de", "xn--mnchen-sonnenhof-jzb.de"),
        ("https://www.MÜNCHEN-sonnenhof.de/", "xn--mnchen-sonnenhof-jzb.de"),
        ("https://hôtel-des-arts.fr/", "xn--htel-des-arts-plb.fr"),
        ("https://отель-москва.рф/", "xn----8sbfk0aeime4af6j.xn--p1ai"),
        ("https://hotelx.wixsite.com/hotelx", "hotelx.wixsite.com"),
        ("https://hotelx.github.io/", "hotelx.github.io"),
        ("https://hotelx.blogspot.com/", "hotelx.blogspot.com"),
        ("https://hotel-nordlys.squarespace.com/", "hotel-nordlys.squarespace.com"),
        ("https://www.squarespace.com/templates", "squarespace.com"),
        ("https://pension-alpenblick.jimdosite.com/", "pension-alpenblick.jimdosite.com"),
        ("https://sonnenhof-hotel.example/", "sonnenhof-hotel.example"),
        ("https://www.hotelwisla.test/", "hotelwisla.test"),
        ("mailto:info@hotel-wisla.pl", "hotel-wisla.pl"),  # read as userinfo@host: the address's domain
    ],
)
def test_registrable_domain(given_: str, expected: str) -> None:
    assert registrable_domain(given_) == expected


@pytest.mark.parametrize(
    "junk",
    [
        "", "   ", "co.uk", "com", "https://co.uk/", "com.au", "wixsite.com", "github.io", "localhost",
        "http://localhost:8787/", "printer.local", "db.internal", "192.168.0.1", "http://10.0.0.2:8080/x",
        "http://[2001:db8::1]/", "[::1]", "hotel", "https://", "http:///path", "not a url at all", "hotel..de",
        "-hotel-.de", "hotel_x.de", "a" * 64 + ".de", "https://1.2.3.999/",
    ],
)  # fmt: skip
def test_no_registrable_domain(junk: str) -> None:
    assert registrable_domain(junk) is None


def test_host_of_keeps_subdomains_and_drops_the_rest() -> None:
    assert host_of("HTTPS://user@Book.Hôtel-Arts.FR.:8443/x?y") == "book.xn--htel-arts-g7a.fr"
    assert host_of("www.hotel.de") == "www.hotel.de"
    assert host_of("http://[::1]/") is None
    assert host_of("x" * 3000 + ".de") is None


def test_the_punycode_form_is_one_form() -> None:
    unicode_form = registrable_domain("https://www.hôtel-des-arts.fr/")
    assert unicode_form == registrable_domain("xn--htel-des-arts-plb.fr") == registrable_domain("HÔTEL-DES-ARTS.FR")


def test_suffix_and_label() -> None:
    assert public_suffix("https://www.seasidelodge.co.uk/") == "co.uk"
    assert public_suffix("hotelx.wixsite.com") == "wixsite.com"
    assert label_of("https://www.sonnenhof-hotel.co.uk/") == "sonnenhof-hotel"
    assert label_of("hotelx.wixsite.com") == "hotelx"
    assert label_of("co.uk") is None


@pytest.mark.parametrize(
    ("url", "shared"),
    [
        ("hotelx.wixsite.com", True),
        ("hotelx.github.io", True),
        ("hotelx.blogspot.com", True),
        ("hotelx.squarespace.com", True),
        ("https://sites.google.com/view/hotelx", True),
        ("https://www.sonnenhof-hotel.de/", False),
        ("https://www.seasidelodge.co.uk/", False),
        ("google.com", False),
        ("co.uk", False),
    ],
)
def test_is_shared_host(url: str, shared: bool) -> None:
    assert is_shared_host(url) is shared


def test_same_site() -> None:
    assert same_site("http://sonnenhof-hotel.de", "https://www.sonnenhof-hotel.de/en/rooms")
    assert same_site("https://book.seasidelodge.co.uk/", "seasidelodge.co.uk")
    assert not same_site("https://seasidelodge.co.uk/", "https://www.booking.com/hotel/gb/seaside-lodge.html")
    assert not same_site("hotela.wixsite.com", "hotelb.wixsite.com")
    assert not same_site("localhost", "localhost")


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@given(label=_label, sub=st.sampled_from(["", "www.", "m.", "book.", "en.www."]),
       suffix=st.sampled_from(["de", "com", "co.uk", "com.au", "co.jp", "fr", "it", "example"]))  # fmt: skip
def test_any_host_under_a_suffix_reduces_to_label_dot_suffix(label: str, sub: str, suffix: str) -> None:
    if label.isdigit() and suffix == "example":
        return
    if public_suffix(f"x.{label}.{suffix}") == f"{label}.{suffix}":
        return  # the label and suffix are a public suffix themselves (al.it is Alessandria's): nothing to register
    assert registrable_domain(f"https://{sub}{label}.{suffix}/path?q=1") == f"{label}.{suffix}"


@given(st.text(max_size=80))
def test_never_raises(text: str) -> None:
    result = registrable_domain(text)
    assert result is None or (result.isascii() and "." in result)
