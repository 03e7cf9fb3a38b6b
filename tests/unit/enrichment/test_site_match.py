"""Scoring candidate sites against hotel names in several languages; generic names; parked pages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enrichment.site_match import (
    ACCEPT_AT,
    distinctive_tokens,
    looks_parked,
    names_generic,
    score_candidate,
    tokens,
)

# (hotel name, city, candidate domain, page title): the hotel's own site, accepted.
OWN_SITES = [
    ("Hotel Sonnenhof", "Munich", "sonnenhof-hotel.de", "Hotel Sonnenhof München – Boutique hotel in Schwabing"),
    ("Hotel Sonnenhof", "Munich", "hotel-sonnenhof.de", ""),
    ("Hôtel des Arts", "Lyon", "hoteldesarts.fr", ""),
    ("Hôtel des Arts", "Lyon", "hotel-des-arts-lyon.com", "Hôtel des Arts Lyon – Presqu'île"),
    ("Hotel Bellavista", "Florence", "bellavista-firenze.it", "Hotel Bellavista Firenze | Vista sul Duomo"),
    ("Hotel Mar Azul", "Valencia", "hotelmarazul.es", "Hotel Mar Azul València – Frente al mar"),
    ("The Harbour Inn", "Cork", "harbourinn.ie", ""),
    ("Nordlys Hotel", "Bergen", "nordlyshotel.no", "Nordlys Hotel Bergen"),
    ("Hotel Wisła", "Kraków", "hotelwisla.pl", "Hotel Wisła Kraków – nad Wisłą"),
    ("Ryokan Sakura", "Kyoto", "sakura-ryokan.co.jp", "Ryokan Sakura Kyoto – 旅館さくら"),
    ("Casa do Rio", "Porto", "casadorio-porto.pt", ""),
    ("Alpenrose Chalet Hotel", "Innsbruck", "alpenrose-innsbruck.at", ""),
    ("Hotel Schöne Aussicht", "Hamburg", "schoene-aussicht.de", ""),
    ("Gasthof zur Post Bräu", "Rosenheim", "post-braeu.de", "Gasthof zur Post Bräu – Rosenheim"),
    ("Aegean Blue Resort & Spa", "Santorini", "aegeanblue.gr", "Aegean Blue Resort Santorini – Cave suites in Oia"),
    ("Grachtenhotel", "Amsterdam", "grachtenhotel.nl", ""),
    ("Hotel Søholm", "Copenhagen", "soeholm.dk", ""),
    ("Pensión Los Olivos", "Sevilla", "pensionlosolivos.es", ""),
    ("Hotel Kaiserhof", "Wien", "hotel-kaiserhof.at", "Hotel Kaiserhof Wien"),
    ("Hotel Sonnenhof", "Munich", "hotelsonnenhof.wixsite.com", "Hotel Sonnenhof"),
    # an unrelated domain: the title naming the hotel and its city carries it
    ("Hotel Sonnenhof", "Munich", "familie-huber-muenchen.de", "Hotel Sonnenhof in Munich – Familie Huber"),
]


@pytest.mark.parametrize(("name", "city", "domain", "title"), OWN_SITES, ids=[row[2] for row in OWN_SITES])
def test_own_sites_are_accepted(name: str, city: str, domain: str, title: str) -> None:
    result = score_candidate(domain, title=title, hotel_name=name, city=city)
    assert result.accepted, result
    assert 0 < result.score <= 1 and result.reasons


# Not the hotel: another business, another hotel, or a domain that shares one generic word.
OTHERS = [
    ("Hotel Sonnenhof", "Munich", "hotel-adler-muenchen.de", "Hotel Adler München"),
    ("Hotel Sonnenhof", "Munich", "muenchen.de", "Hotels in München – Das offizielle Stadtportal"),
    ("Hotel Bellavista", "Florence", "hotel-firenze-centro.it", "Hotel Firenze Centro"),
    ("Hôtel des Arts", "Lyon", "hotel-lyon-centre.fr", "Hôtel Lyon Centre"),
    ("The Harbour Inn", "Cork", "corkhotels.ie", "Cork Hotels – compare 120 hotels"),
    ("Ryokan Sakura", "Kyoto", "kyoto-ryokan-guide.jp", "Kyoto ryokan guide"),
    ("Aegean Blue Resort", "Santorini", "santorini-resorts.gr", "The 20 best resorts in Santorini"),
    ("Hotel Mar Azul", "Valencia", "hotel-valencia.es", ""),
]


@pytest.mark.parametrize(("name", "city", "domain", "title"), OTHERS, ids=[row[2] for row in OTHERS])
def test_other_sites_are_not_accepted(name: str, city: str, domain: str, title: str) -> None:
    assert not score_candidate(domain, title=title, hotel_name=name, city=city).accepted


def test_the_own_site_ranks_above_a_lookalike() -> None:
    own = score_candidate("sonnenhof-hotel.de", title="Hotel Sonnenhof", hotel_name="Hotel Sonnenhof", city="Munich")
    other = score_candidate("sonnenhof-immobilien.de", title="Sonnenhof Immobilien GmbH",
                            hotel_name="Hotel Sonnenhof", city="Munich")  # fmt: skip
    assert own.score > other.score
    assert not other.accepted


@pytest.mark.parametrize(
    ("name", "city"),
    [
        ("Hotel Munich", "Munich"),
        ("Hotel München", "Munich"),
        ("Marriott", "Munich"),
        ("Munich Marriott Hotel", "Munich"),
        ("Grand Hotel", "Oslo"),
        ("Hotel Central", "Porto"),
        ("The Chester Grand", "Chester"),
        ("Motel One", "Berlin"),
        ("Hôtel de la Gare", "Lyon"),
        ("Best Western Plus Hotel City", "Brighton"),
        ("Гостиница Москва", "Moscow"),
        ("Hotel Europa", None),
        ("B&B Hotel", None),
    ],
)
def test_generic_names(name: str, city: str | None) -> None:
    assert names_generic(name, city)


@pytest.mark.parametrize(
    ("name", "city"),
    [("Hotel Sonnenhof", "Munich"), ("Hôtel des Arts", "Lyon"), ("Casa do Rio", "Porto"),
     ("Ryokan Sakura", "Kyoto"), ("Hotel Wisła", "Kraków"), ("Grand Hotel Sonnenhof", "Munich")],
)  # fmt: skip
def test_distinctive_names(name: str, city: str) -> None:
    assert not names_generic(name, city)


@pytest.mark.parametrize(
    ("name", "city", "domain"),
    [("Hotel Munich", "Munich", "hotel-munich.de"), ("Grand Hotel", "Oslo", "grandhotel.no"),
     ("Marriott", "Munich", "marriott-munich.de"), ("The Chester Grand", "Chester", "chestergrand.co.uk")],
)  # fmt: skip
def test_a_generic_name_is_never_accepted_on_its_domain_alone(name: str, city: str, domain: str) -> None:
    alone = score_candidate(domain, title="", hotel_name=name, city=city)
    assert alone.generic_name and not alone.accepted


@pytest.mark.parametrize(
    ("name", "city", "domain"),
    [("Grand Hotel", "Oslo", "grandhotel.no"), ("Marriott", "Munich", "marriott-munich.de"),
     ("Hotel Central", "Porto", "hotelcentral-porto.pt")],
)  # fmt: skip
def test_a_generic_name_needs_the_city_in_the_text_not_only_the_domain(name: str, city: str, domain: str) -> None:
    assert not score_candidate(domain, title=name, hotel_name=name, city=city).accepted
    assert score_candidate(domain, title=f"{name} {city}", hotel_name=name, city=city).accepted


def test_a_generic_name_is_accepted_with_title_and_city() -> None:
    result = score_candidate("grandhotel.no", title="Grand Hotel Oslo – Karl Johans gate 31",
                             hotel_name="Grand Hotel", city="Oslo")  # fmt: skip
    assert result.accepted and result.generic_name
    cyrillic = score_candidate("hotel-moskva.ru", title="Гостиница Москва – официальный сайт",
                               hotel_name="Гостиница Москва", city="Moscow")  # fmt: skip
    assert cyrillic.accepted


def test_city_exonyms_count() -> None:
    result = score_candidate("x-y.de", title="Hotel Sonnenhof München", hotel_name="Hotel Sonnenhof", city="Munich")
    assert any(reason.startswith("city") for reason in result.reasons)


def test_tokens_fold_and_transliterate() -> None:
    assert tokens("Hôtel des Arts") == ("hotel", "des", "arts")
    assert tokens("Hotel Wisła") == ("hotel", "wisla")
    assert tokens("Гостиница Москва") == ("gostinitsa", "moskva")
    assert distinctive_tokens("The Grand Hotel Sonnenhof & Spa", "Munich") == ("sonnenhof",)


def test_accept_at_is_a_documented_threshold() -> None:
    assert 0 < ACCEPT_AT < 1


DOMAINS = ["sonnenhof-hotel.de", "co.uk", "", "xn--htel-des-arts-plb.fr", "a.wixsite.com"]


@given(name=st.text(max_size=40), city=st.one_of(st.none(), st.text(max_size=20)), title=st.text(max_size=60),
       domain=st.sampled_from(DOMAINS))  # fmt: skip
def test_scores_stay_in_range(name: str, city: str | None, title: str, domain: str) -> None:
    result = score_candidate(domain, title=title, hotel_name=name, city=city, snippet=title)
    assert 0 <= result.score <= 1


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("hotel-alpenrose.com is for sale", ""),
        ("hotel-alpenrose.com", "This domain may be for sale. Make an offer today!"),
        ("", "Buy this domain. The domain hotel-alpenrose.com is available through our partner Sedo."),
        ("hotel-alpenrose.de", "Diese Domain steht zum Verkauf. Jetzt Preis anfragen."),
        ("hotel-alpenrose.de", "Diese Domain kann erworben werden."),
        ("hoteldesarts.fr", "Ce nom de domaine est en vente. Contactez-nous."),
        ("", "Ce domaine est à vendre !"),
        ("marazul.es", "¡Este dominio está en venta!"),
        ("bellavista.it", "Questo dominio è in vendita"),
        ("grachtenhotel.nl", "Deze domeinnaam is te koop"),
        ("casadorio.pt", "Este domínio está à venda"),
        ("hotelwisla.pl", "Ta domena jest na sprzedaż"),
        ("hotel-moskva.ru", "Этот домен продается"),
        ("hotel-x.com", "Related searches: Hotels Munich, Cheap Flights, Car Rental"),
        ("hotel-x.com", "This domain has expired. Renew it now at your registrar."),
        ("", "The domain hotel-x.com is parked free, courtesy of GoDaddy.com."),
    ],
)
def test_parked_pages(title: str, text: str) -> None:
    assert looks_parked(title, text)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Hotel Alpenrose Innsbruck – Ihr Hotel in den Alpen", "Willkommen im Alpenrose. 32 Zimmer, Sauna, Frühstück."),
        ("Hôtel des Arts Lyon", "Réservez votre chambre au cœur de la Presqu'île."),
        ("Hotel Mar Azul Valencia", "Apartamentos en venta en la playa: consulte nuestro equipo inmobiliario."),
        ("Hotel Sonnenhof – Gutscheine", "Gutscheine for sale at the reception: the perfect gift."),
        ("", ""),
    ],
)
def test_real_pages_are_not_parked(title: str, text: str) -> None:
    assert not looks_parked(title, text)
