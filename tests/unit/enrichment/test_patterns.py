"""candidate_addresses: the ranking, the variants after their pattern, valid dot-atoms on the domain, no roles."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.enrichment.names import PersonName, normalize_person
from shared.domain.enrichment.patterns import LOW_CONFIDENCE_LIMIT, candidate_addresses, mail_domain
from shared.domain.roles import is_role_address

DOT_ATOM = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def person(text: str, country: str | None = None) -> PersonName:
    found = normalize_person(text, country=country)
    assert found is not None
    return found


def locals_of(text: str, domain: str = "sonnenhof-hotel.example", limit: int = 8) -> list[str]:
    return [c.address.removesuffix(f"@{domain}") for c in candidate_addresses(person(text), domain, limit=limit)]


def test_plain_name_follows_the_documented_ranking() -> None:
    candidates = candidate_addresses(person("Hannah Fischer"), "sonnenhof-hotel.example", limit=14)
    assert [(c.address, c.pattern, c.rank) for c in candidates[:6]] == [
        ("hannah.fischer@sonnenhof-hotel.example", "first.last", 1),
        ("hannah@sonnenhof-hotel.example", "first", 2),
        ("hfischer@sonnenhof-hotel.example", "flast", 3),
        ("hannahfischer@sonnenhof-hotel.example", "firstlast", 4),
        ("h.fischer@sonnenhof-hotel.example", "f.last", 5),
        ("fischer@sonnenhof-hotel.example", "last", 6),
    ]
    assert [c.pattern for c in candidates[6:]] == [
        "first_last", "firstl", "first.l", "last.first", "first-last", "lastf", "last.f", "lastfirst",
    ]  # fmt: skip
    assert [c.rank for c in candidates] == list(range(1, 15))


def test_default_limit_is_eight_and_the_world_mailboxes_are_found_early() -> None:
    assert len(locals_of("Hannah Fischer")) == 8
    assert locals_of("Pieter de Vries", "grachtenhotel.example")[0] == "pieter.devries"
    assert "m.rossi" in locals_of("Marco Rossi", "bellavista-hotel.example")
    assert locals_of("Σοφία Παπαδοπούλου", "aegeanblue.example")[0] == "sofia.papadopoulou"
    assert locals_of("Lars", "nordlys.example") == ["lars"]


def test_variants_come_after_the_main_spelling_of_their_pattern() -> None:
    umlaut = locals_of("Jürgen Müller", limit=14)
    assert umlaut.index("jurgen.muller") < umlaut.index("juergen.mueller") < umlaut.index("jurgenmuller") + 2
    assert "jurgen.mueller" not in umlaut[:8]  # one spelling for the whole name comes first
    german = candidate_addresses(person("Jürgen Müller", "DE"), "sonnenhof-hotel.example")
    assert german[0].address == "juergen.mueller@sonnenhof-hotel.example"
    dutch = locals_of("Pieter de Vries")
    assert dutch[:5] == ["pieter.devries", "pieter", "pdevries", "pieter.vries", "pieterdevries"]
    hyphen = locals_of("Anne-Marie Dupont", limit=12)
    assert hyphen.index("annemarie.dupont") < hyphen.index("anne-marie.dupont") < hyphen.index("anne.dupont")
    assert "anne-mariedupont" not in hyphen  # hyphenated tokens only where a separator already stands
    spanish = locals_of("Gabriel García Márquez", limit=12)
    assert spanish[0] == "gabriel.garcia" and "gabriel.garciamarquez" in spanish


def test_initials_and_one_word_names_use_only_what_is_known() -> None:
    assert locals_of("J. R. Smith") == ["jsmith", "j.smith", "smith", "smithj"]
    assert locals_of("Mr Smith") == ["smith"]
    one_word = candidate_addresses(person("Aiko"), "sakura-ryokan.example")
    assert [(c.address, c.pattern) for c in one_word] == [("aiko@sakura-ryokan.example", "first")]
    assert locals_of("Hannah F.") == ["hannah", "hannahf", "hannah.f"]


def test_low_confidence_names_give_at_most_four() -> None:
    for text in ("محمد بن سلمان", "王小明", "김민준", "K. Srinivasan"):
        found = person(text)
        assert found.confidence == "low"
        assert 1 <= len(candidate_addresses(found, "marazul.example", limit=20)) <= LOW_CONFIDENCE_LIMIT
    assert locals_of("王小明") == ["xiaoming.wang", "xiaoming", "xwang", "xiaomingwang"]


def test_role_local_parts_are_never_candidates() -> None:
    # People really are called Info, Sales or Hotel in some data; the address still must not be a role mailbox.
    for text in ("Info", "Sales Team", "Kontakt", "Res"):
        found = normalize_person(text)
        assert found is None or candidate_addresses(found, "hotel.example") == []
    name = PersonName(first="reservations", last="munich", first_variants=("info",))
    assert all(not is_role_address(c.address) for c in candidate_addresses(name, "hotel.example", limit=20))
    assert "munich@hotel.example" in [c.address for c in candidate_addresses(name, "hotel.example")]


def test_no_duplicates_and_long_names_stay_within_rfc_5321() -> None:
    long = PersonName(first="a" * 40, last="b" * 40)
    addresses = [c.address for c in candidate_addresses(long, "example.com", limit=20)]
    assert addresses and all(len(a.split("@")[0]) <= 64 for a in addresses)
    assert f"{'a' * 40}.{'b' * 40}@example.com" not in addresses
    assert len(addresses) == len(set(addresses))


@pytest.mark.parametrize(
    ("domain", "expected"),
    [("Sonnenhof-Hotel.Example", "sonnenhof-hotel.example"), ("  grachtenhotel.example. ", "grachtenhotel.example"),
     ("Hotel-Müller.de", "xn--" + "hotel-müller".encode("punycode").decode() + ".de"),
     ("réservation.fr", "xn--" + "réservation".encode("punycode").decode() + ".fr")],
)  # fmt: skip
def test_domain_is_lower_cased_and_idna_encoded(domain: str, expected: str) -> None:
    assert mail_domain(domain) == expected
    assert candidate_addresses(person("Hannah Fischer"), domain)[0].address == f"hannah.fischer@{expected}"


@pytest.mark.parametrize("domain", ["", "localhost", "no spaces.com", "-bad.example", "a..b", "x@y.com", "1.2.3.4"])
def test_bad_domains_are_refused(domain: str) -> None:
    with pytest.raises(ValueError):
        candidate_addresses(person("Hannah Fischer"), domain)


@settings(max_examples=300)
@given(
    st.text(max_size=60),
    st.one_of(st.none(), st.text(max_size=25)),
    st.one_of(st.none(), st.text(max_size=25)),
    st.sampled_from([None, "DE", "ES", "PT", "JP", "VN", "HU", "TR"]),
)
def test_every_candidate_is_a_valid_non_role_dot_atom_on_the_domain(
    full: str, first: str | None, last: str | None, country: str | None
) -> None:
    found = normalize_person(full, first, last, country=country)
    if found is None:
        return
    candidates = candidate_addresses(found, "Sonnenhof-Hotel.example", limit=12)
    assert len({c.address for c in candidates}) == len(candidates)
    assert [c.rank for c in candidates] == list(range(1, len(candidates) + 1))
    for candidate in candidates:
        local, _, domain = candidate.address.partition("@")
        assert domain == "sonnenhof-hotel.example"
        assert DOT_ATOM.match(local) and len(local) <= 64 and ".." not in local, candidate
        assert not is_role_address(candidate.address), candidate


@given(st.text(st.characters(categories=("L", "M", "Zs", "Pd", "Po")), min_size=1, max_size=40))
def test_name_like_text_from_any_script_gives_valid_candidates(text: str) -> None:
    found = normalize_person(text)
    if found is not None:
        for candidate in candidate_addresses(found, "marazul.example"):
            assert DOT_ATOM.match(candidate.address.partition("@")[0]), candidate
