"""Facts for personalisation read from hotels' public pages (tests/fixtures/hotel_pages): every fixture page with the
facts it states, the pages that must yield nothing, and the phrase rules (rooms, stars, features) across languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.enrichment.facts import (
    Fact,
    SiteFacts,
    extract_facts,
    looks_parked,
    merge_facts,
    pages_worth_reading,
)
from shared.domain.enrichment.html_text import read_html, sniff_charset

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "hotel_pages"

# fixture -> (the URL it was read from, the facts it states); features in the extractor's priority order.
EXPECTED: dict[str, tuple[str, dict[str, object]]] = {
    "sonnenhof_wordpress_de.html": ("https://www.sonnenhof-hotel.example/", {
        "description": "Familiengeführtes Boutique-Hotel in Schwabing mit 48 individuell eingerichteten Zimmern, "
                       "kleinem Spa und ruhiger Gartenterrasse. Der Englische Garten liegt nur wenige Gehminuten "
                       "entfernt.",
        "location": "Leopoldstraße 12, 80802 München", "property_type": "boutique hotel", "rooms": 48,
        "star_rating": 4, "features": ["spa", "sauna", "steam room", "garden", "terrace", "bicycle rental"]}),
    "bellavista_wix_it.html": ("https://www.bellavista-hotel.example/", {
        "description": "Hotel a quattro stelle nel centro di Firenze con 62 camere e terrazza panoramica. A due passi "
                       "dal Duomo e da Piazza della Santissima Annunziata.",
        "location": "Via dei Servi 5, 50122 Firenze", "property_type": "hotel", "rooms": 62, "star_rating": 4,
        "features": ["rooftop terrace", "restaurant"]}),
    "marazul_es.html": ("https://marazul.example/es/", {
        "description": "Hotel de cuatro estrellas en primera línea de la playa de la Malvarrosa, con 120 "
                       "habitaciones, dos piscinas y un centro de convenciones para 400 personas. Desayuno buffet con "
                       "vistas al mar.",
        "location": "Passeig de Neptú 40, 46011 València", "property_type": "resort", "rooms": 120,
        "star_rating": 4, "features": ["indoor pool", "restaurant", "conference rooms", "fitness room",
                                       "beachfront", "sea views", "terrace"]}),
    "harbourinn_squarespace_en.html": ("https://www.harbourinn.example/", {
        "description": "The Harbour Inn is a 14-room inn on Kennedy Quay, run by the O'Driscoll family since 1986. "
                       "Every room looks out over the river Lee and the old harbour.",
        "location": "Kennedy Quay, Cork, Ireland", "property_type": "inn", "rooms": 14, "star_rating": 3,
        "features": ["restaurant", "bar"]}),
    "hoteldesarts_fr.html": ("https://www.hoteldesarts.example/index.php", {
        "description": "Hôtel de charme de 35 chambres au cœur de la Presqu'île. Bar à vins, galerie d'art "
                       "contemporain et petit-déjeuner servi dans l'ancien atelier du peintre.",
        "location": "12 rue Gasparin, 69002 Lyon", "property_type": "hotel", "rooms": 35, "star_rating": 3,
        "features": ["bar"]}),
    "nordlys_no.html": ("https://nordlys.example/", {
        "description": "Nordlys Hotel ligger midt på Bryggen i Bergen, med utsikt over Vågen og fjellene rundt byen. "
                       "Hotellet har 88 rom, alle tegnet av arkitektkontoret Snøhetta.",
        "location": "Bryggen 7, 5003 Bergen", "property_type": "design hotel", "rooms": 88,
        "features": ["sauna", "restaurant", "fitness room"]}),
    "aegeanblue_resort_en.html": ("https://aegeanblue.example/", {
        "description": "Adults-only resort with 40 cave suites, an infinity pool and caldera views in Oia, Santorini. "
                       "Sunset dinners are served on the terrace of our restaurant.",
        "location": "Oia, 847 02 Santorini", "property_type": "resort", "rooms": 40, "star_rating": 5,
        "features": ["spa", "infinity pool", "steam room", "restaurant", "terrace", "adults only"]}),
    "grachtenhotel_nl.html": ("https://www.grachtenhotel.example/", {
        "description": "Ons 3-sterren hotel is gevestigd in een monumentaal grachtenpand uit 1672, midden in de Negen "
                       "Straatjes. Het hotel telt 22 kamers, de meeste met uitzicht op de gracht.",
        "location": "Keizersgracht 300, 1016 EZ Amsterdam", "property_type": "hotel", "rooms": 22,
        "star_rating": 3}),
    "chestergrand_en_gb.html": ("https://www.chestergrand.example/", {
        "description": "Chester's Victorian grand hotel: 156 bedrooms, a ballroom and an award-winning spa, moments "
                       "from the Eastgate Clock.",
        "location": "Eastgate Street, Chester CH1 1LT", "property_type": "hotel", "rooms": 156, "star_rating": 5,
        "features": ["spa", "indoor pool", "sauna", "ballroom"]}),
    "wisla_pl.html": ("https://hotelwisla.example/", {
        "description": "Hotel z 70 pokojami nad Wisłą, z widokiem na Wawel. Czterogwiazdkowy hotel w centrum "
                       "Krakowa.",
        "location": "ul. Bulwarowa 3, 31-000 Kraków", "property_type": "hotel", "rooms": 70, "star_rating": 4,
        "features": ["restaurant", "conference rooms", "terrace"]}),
    "sakura_ryokan_ja.html": ("https://sakura-ryokan.example/", {
        "description": "京都・東山の老舗旅館。全12室の畳のお部屋と源泉かけ流しの温泉、"
                       "季節の会席料理でおもてなしいたします。",
        "location": "東山区, 605-0000 京都市", "property_type": "ryokan", "rooms": 12, "features": ["onsen"]}),
    "alpenrose_at.html": ("https://www.alpenrose-innsbruck.example/de/", {
        "description": "Das 4-Sterne-Superior Chalet Hotel oberhalb von Innsbruck: 30 Zimmer, Wellnessbereich mit "
                       "Saunalandschaft und Ski-in direkt an der Piste.",
        "location": "Hungerburgweg 4, 6020 Innsbruck", "property_type": "chalet", "rooms": 30, "star_rating": 4,
        "features": ["outdoor pool", "wellness area", "sauna", "steam room", "ski-in/ski-out", "pet friendly"]}),
    "casadorio_pt.html": ("https://casadorio-porto.example/", {
        "description": "Casa de hóspedes na Ribeira do Porto com 9 quartos e terraço sobre o Douro.",
        "location": "Cais da Ribeira 20, 4050-510 Porto", "property_type": "guest house", "rooms": 9,
        "features": ["river views", "terrace"]}),
    "broken_hotelcms_de.html": ("http://www.gasthof-post-burgberg.example/index.htm", {
        "description": "Traditioneller Landgasthof im Allgäu mit 24 Zimmern, eigener Metzgerei und Biergarten.",
        "location": "Hauptstraße 3, 87545 Burgberg im Allgäu", "property_type": "inn", "rooms": 24,
        "star_rating": 3, "features": ["restaurant"]}),
    # reviews, ratings out of 5, a range and an "up to" are no facts; negated amenities are none
    "bnb_reviews_en.html": ("https://www.rosemarycottage.example/", {
        "description": "Rosemary Cottage is a 17th-century stone cottage in Bourton-on-the-Water, where Jane and Tom "
                       "welcome guests with homemade bread and eggs from their own hens.",
        "location": "Station Road, Bourton-on-the-Water GL54 2AA", "property_type": "B&B"}),
    # pages that state nothing about a hotel of their own
    "parked_sedo.html": ("https://hotel-alpenrose.example/", {}),
    "portal_booking_en.html": ("https://www.booking.com/hotel/de/sonnenhof-munchen.html", {}),
    "cookie_wall.html": ("https://www.gasthof-adler.example/", {}),
}  # fmt: skip


def read(name: str, url: str) -> SiteFacts:
    return extract_facts(read_html((PAGES / name).read_text(encoding="utf-8"), url), url)


def test_every_fixture_page_has_an_expectation() -> None:
    pages = {p.name for p in PAGES.glob("*.html")}
    assert pages == set(EXPECTED)
    assert len(pages) >= 15
    langs = {read_html((PAGES / n).read_text(encoding="utf-8")).lang[:2] for n in pages}
    assert {"de", "it", "es", "en", "fr", "nb", "nl", "pl", "ja", "pt"} <= langs


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_facts_on_each_page(name: str) -> None:
    url, expected = EXPECTED[name]
    facts = read(name, url)
    assert {n: v for n, v, _ in facts.rows()} == expected
    assert all(source == url for _, _, source in facts.rows())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_descriptions_are_short_and_never_boilerplate(name: str) -> None:
    facts = read(name, EXPECTED[name][0])
    if facts.description is not None:
        text = facts.description.value
        assert len(text) <= 300
        assert "cookie" not in text.lower() and not text.lower().startswith(("book", "jetzt buchen", "reserv"))


def test_a_parked_page_is_recognised_and_a_hotel_page_is_not() -> None:
    assert looks_parked(read_html((PAGES / "parked_sedo.html").read_text(encoding="utf-8")))
    assert not looks_parked(read_html((PAGES / "sonnenhof_wordpress_de.html").read_text(encoding="utf-8")))


def page(body: str, head: str = "", url: str = "https://www.hotel-example.example/") -> SiteFacts:
    html = f"<html><head><title>Hotel Example</title>{head}</head><body><p>{body}</p></body></html>"
    return extract_facts(read_html(html, url), url)


@pytest.mark.parametrize(
    ("text", "rooms"),
    [
        ("Our boutique hotel has 48 elegant rooms overlooking the park.", 48),
        ("Das Haus verfügt über 48 Zimmer und Suiten im Landhausstil.", 48),
        ("L'albergo dispone di 62 camere, tutte con aria condizionata.", 62),
        ("L'hôtel propose 35 chambres climatisées au cœur de la ville.", 35),
        ("El hotel cuenta con 120 habitaciones con vistas al Mediterráneo.", 120),
        ("Oferujemy 70 pokoi dla gości indywidualnych i grup.", 70),
        ("Hotel dysponuje 70 pokojami o wysokim standardzie.", 70),
        ("Hotellet har 88 rom fordelt på seks etasjer.", 88),
        ("Ons hotel telt 22 kamers in twee grachtenpanden.", 22),
        ("A 14-room inn on the quay with a seafood restaurant.", 14),
        ("Anzahl der Zimmer: 36. Check-in ab 15 Uhr.", 36),
        ("Our 40 rooms and 8 suites all have rain showers.", 40),
    ],
)
def test_rooms_stated_in_several_languages(text: str, rooms: int) -> None:
    assert page(text).rooms == Fact(rooms, "https://www.hotel-example.example/")


@pytest.mark.parametrize(
    "text",
    [
        "We have between 20 and 30 rooms depending on the season.",
        "Unsere 20–30 Zimmer werden gerade renoviert.",
        "Up to 12 rooms can be booked for groups.",
        "Search: 1 room, 2 adults, 0 children. Check availability.",
        "Our 5 room types range from cosy singles to the tower suite.",
        "In 2019 rooms were renovated.",
        "The hotel has 25000 rooms across the resort city.",
    ],
)
def test_ranges_approximations_widgets_and_absurd_values_are_no_room_count(text: str) -> None:
    assert page(text).rooms is None


@pytest.mark.parametrize(
    ("text", "stars"),
    [
        ("A 4-star hotel in the old town.", 4),
        ("Unser 4 Sterne Hotel liegt am See.", 4),
        ("Das Vier-Sterne-Hotel am Marktplatz.", 4),
        ("Albergo quattro stelle nel cuore di Roma.", 4),
        ("Hôtel 3 étoiles près de la gare.", 3),
        ("Hotel de cinco estrellas frente al mar.", 5),
        ("Czterogwiazdkowy hotel w centrum Gdańska.", 4),
        ("Hotel Alpenhof ★★★★ Superior in Tirol.", 4),
        ("Hotel Tirolerhof 4*S mitten in Seefeld.", 4),
        ("Ons 3-sterren hotel aan de gracht.", 3),
    ],
)
def test_star_ratings_stated_in_several_languages(text: str, stars: int) -> None:
    assert page(text).star_rating == Fact(stars, "https://www.hotel-example.example/")


@pytest.mark.parametrize(
    "text",
    [
        "Rated 4.5/5 on TripAdvisor by 812 guests.",
        "4,5 Sterne bei HolidayCheck – danke an unsere Gäste!",
        "★★★★☆ 4.2 on Google reviews",
        "Guests rate us 5 stars for cleanliness.",
        "Enjoy 5-star service at a fair price.",
        "Punteggio 9,1 su Booking.com: eccezionale.",
    ],
)
def test_review_ratings_are_never_a_star_rating(text: str) -> None:
    assert page(text).star_rating is None


def test_a_star_rating_from_json_ld_wins_and_review_ratings_in_json_ld_do_not_count() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"Hotel","name":"X","aggregateRating":{"ratingValue":"4.7"},'
        '"starRating":{"@type":"Rating","ratingValue":"4"}}</script>'
    )
    assert page("A 3-star hotel.", head).star_rating == Fact(4, "https://www.hotel-example.example/")
    only_reviews = '<script type="application/ld+json">{"@type":"Hotel","aggregateRating":{"ratingValue":"5"}}</script>'
    assert page("Lovely place.", only_reviews).star_rating is None


def test_features_are_normalised_negations_and_nearby_places_skipped() -> None:
    facts = page(
        "Unser Hotel bietet eine Dachterrasse, ein Hallenbad und Tagungsräume für 80 Personen. "
        "Leider haben wir keine Sauna. Zahlreiche Restaurants und ein Golfplatz in der Nähe."
    )
    assert facts.features is not None
    assert facts.features.value == ("indoor pool", "rooftop terrace", "conference rooms")


def test_at_most_eight_features() -> None:
    text = (
        "Spa, infinity pool, sauna, hammam, rooftop terrace, restaurant, lobby bar, meeting rooms, ballroom, gym, "
        "hot tub, private beach, sea views, garden, golf course and kids club."
    )
    features = page(text).features
    assert features is not None and len(features.value) == 8 and features.value[0] == "spa"


def test_description_skips_cookie_notices_calls_to_action_and_keyword_lists() -> None:
    head = '<meta name="description" content="hotel wien, hotel zentrum, boutique hotel, spa hotel, wellness wien">'
    html = (
        f"<html><head><title>Hotel Am Ring</title>{head}</head><body>"
        "<p>Wir verwenden Cookies, um Ihnen ein optimales Website-Erlebnis zu bieten. "
        "Mehr in unserer Datenschutzerklärung.</p>"
        "<p>Jetzt buchen und bis zu 15% sparen mit dem Direktbucher-Vorteil auf alle Zimmer und Suiten!</p>"
        "<p>Das Hotel Am Ring liegt an der Wiener Ringstraße, gegenüber der Staatsoper, und empfängt seit 1898 Gäste "
        "aus aller Welt. Im Kaffeehaus im Erdgeschoss gibt es täglich frische Mehlspeisen.</p></body></html>"
    )
    facts = extract_facts(read_html(html, "https://www.hotel-am-ring.example/"), "https://www.hotel-am-ring.example/")
    assert facts.description is not None
    assert facts.description.value.startswith("Das Hotel Am Ring liegt an der Wiener Ringstraße")


def test_a_long_description_is_cut_to_one_sentence_within_300_characters() -> None:
    long = "Das Hotel " + "liegt sehr schön und ruhig am Waldrand " * 12 + "und hat einen Garten. Zweiter Satz hier."
    facts = page("", f'<meta name="description" content="{long}">')
    assert facts.description is not None
    assert len(facts.description.value) <= 300 and facts.description.value.endswith("…")


def test_merge_fills_the_home_pages_gaps_from_later_pages_and_keeps_each_source() -> None:
    home = SiteFacts(description=Fact("A family-run hotel in Schwabing.", "https://h.example/"))
    rooms = SiteFacts(
        description=Fact("Our rooms.", "https://h.example/zimmer/"), rooms=Fact(48, "https://h.example/zimmer/")
    )
    contact = SiteFacts(location=Fact("Leopoldstraße 12, 80802 München", "https://h.example/kontakt/"))
    merged = merge_facts([home, rooms, contact])
    assert merged.description == home.description
    assert merged.rooms == Fact(48, "https://h.example/zimmer/")
    assert merged.location is not None and merged.location.source_url == "https://h.example/kontakt/"
    assert merge_facts([]).is_empty()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sonnenhof_wordpress_de.html", ["ueber-uns/", "zimmer/", "kontakt/"]),
        ("bellavista_wix_it.html", ["chi-siamo", "camere", "contatti"]),
        ("hoteldesarts_fr.html", ["l-hotel.php", "chambres.php", "acces.php"]),
        ("marazul_es.html", ["es/hotel", "es/habitaciones", "es/contacto"]),
        ("wisla_pl.html", ["o-nas/", "pokoje/", "kontakt/"]),
        ("nordlys_no.html", ["om-oss", "rom", "kontakt"]),
        ("alpenrose_at.html", ["de/das-hotel/", "de/zimmer-suiten/", "de/anfahrt/"]),
        ("broken_hotelcms_de.html", ["zimmer.htm", "anfahrt.htm", "impressum.htm"]),
        ("parked_sedo.html", []),
    ],
)
def test_pages_worth_reading_are_same_site_about_rooms_and_contact_pages(name: str, expected: list[str]) -> None:
    url = EXPECTED[name][0]
    doc = read_html((PAGES / name).read_text(encoding="utf-8"), url)
    site = url.split("/", 3)[:3]
    assert pages_worth_reading(doc, url) == [f"{'/'.join(site)}/{path}" for path in expected]


def test_pages_worth_reading_respects_the_limit_and_skips_booking_engines_and_files() -> None:
    url = "https://www.alpenrose-innsbruck.example/de/"
    doc = read_html((PAGES / "alpenrose_at.html").read_text(encoding="utf-8"), url)
    assert pages_worth_reading(doc, url, limit=1) == ["https://www.alpenrose-innsbruck.example/de/das-hotel/"]
    assert all(not p.endswith(".pdf") for p in pages_worth_reading(doc, url, limit=10))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_extraction_never_raises_on_arbitrary_text(text: str) -> None:
    facts = extract_facts(read_html(text, "https://x.example/"), "https://x.example/")
    assert isinstance(facts, SiteFacts)


# -- the html.parser layer ----------------------------------------------------------------------------------------
def test_read_html_head_fields_links_and_jsonld() -> None:
    url = "https://www.harbourinn.example/"
    doc = read_html((PAGES / "sonnenhof_wordpress_de.html").read_text(encoding="utf-8"), url)
    assert doc.title == "Hotel Sonnenhof München – Boutique hotel in Schwabing"
    assert doc.og_site_name == "Hotel Sonnenhof" and doc.lang == "de-de" and doc.charset == "utf-8"
    assert [o["@type"] for o in doc.jsonld] == ["WebPage", "WebSite", "Organization", "Hotel"]  # @graph flattened
    assert doc.h1s == ("Willkommen im Hotel Sonnenhof",)
    assert "https://www.sonnenhof-hotel.example/ueber-uns/" in doc.links
    assert "Datenschutzeinstellungen" in doc.banner_text and "Cookies" not in doc.text
    assert "dataLayer" not in doc.text and "Dies ist kein Text" not in doc.text and "wp-block" not in doc.text


def test_base_href_meta_refresh_and_relative_links() -> None:
    html = (
        '<html><head><base href="https://cdn.hotel-lindenhof.example/de/">'
        '<meta http-equiv="refresh" content="0; URL=\'https://www.hotel-lindenhof.example/de/\'"></head>'
        '<body><a href="zimmer/#top">Zimmer</a><a href="/kontakt">Kontakt</a><a href="mailto:info@x.example">M</a>'
        '<a href="javascript:void(0)">J</a><a href="tel:+4989">T</a></body></html>'
    )
    doc = read_html(html, "https://www.hotel-lindenhof.example/")
    assert doc.links == (
        "https://cdn.hotel-lindenhof.example/de/zimmer/",
        "https://cdn.hotel-lindenhof.example/kontakt",
    )
    assert doc.link_texts == ("Zimmer", "Kontakt")
    assert doc.refresh_url == "https://www.hotel-lindenhof.example/de/"


def test_broken_jsonld_blocks_are_tolerated() -> None:
    html = (
        '<script type="application/ld+json"><!-- {"@type":"Hotel","name":"A",} --></script>'
        '<script type="application/ld+json">{"@type": "Hotel", "name": "B" </script>'
        '<script type="application/ld+json">{"@type":"Hotel","name":"C"}{"@type":"Place","name":"D"}</script>'
        '<script type="application/ld+json">[{"@type":"Hotel","name":"E\tF"}]</script>'
    )
    assert [o["name"] for o in read_html(html).jsonld] == ["A", "C", "D", "E\tF"]


def test_a_wrapper_whose_class_mentions_cookies_keeps_the_page() -> None:
    body = "<p>" + "Unser Hotel liegt direkt am Chiemsee und hat einen eigenen Badesteg. " * 40 + "</p>"
    doc = read_html(f'<html><body><div class="site cookie-consent-active">{body}</div></body></html>')
    assert "Chiemsee" in doc.text and doc.banner_text == ""


def test_bounded_work_on_huge_pages() -> None:
    script = "<script>" + "var a=1;" * 200_000 + "</script>"
    links = "".join(f'<a href="/p{i}">{i}</a>' for i in range(2000))
    doc = read_html(f"<html><body>{script}<p>{'Zimmer mit Blick. ' * 30_000}</p>{links}</body></html>", "https://h.x/")
    assert len(doc.text) <= 200_000 and len(doc.links) <= 400 and "var a" not in doc.text


def test_sniff_charset() -> None:
    assert sniff_charset(b'<html><head><meta charset="windows-1252"><title>x</title>') == "windows-1252"
    head = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    assert sniff_charset(head) == "iso-8859-1"
    assert sniff_charset(b"<html><head><title>no charset</title>") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' !-[]&;#abcdpqrstx{}:@\n")) | st.characters(), max_size=300))
def test_read_html_never_raises_on_markup_like_text(text: str) -> None:
    assert read_html(text).url == ""
