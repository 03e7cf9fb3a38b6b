"""Portal filtering on a table of real-world-shaped URLs: which are never a hotel's own site, and which could be."""

from __future__ import annotations

import pytest

from shared.domain.enrichment.portals import SiteKind, is_chain_landing, is_excluded, known_domains, site_kind

K = SiteKind

CASES: list[tuple[str, SiteKind | None]] = [
    # booking portals, vacation rentals, booking engines
    (
        "https://www.booking.com/hotel/de/sonnenhof-munchen.html?aid=304142&label=gen173nr-1FCAEoggI46AdIM1gEaDuIAQGYAQe4ARfIAQzYAQHoAQH4AQKIAgGoAgO4AqGS&sid=9b6e&dest_id=-1829149",
        K.BOOKING_PORTAL,
    ),
    ("https://m.booking.com/hotel/it/bellavista-firenze.it.html", K.BOOKING_PORTAL),
    ("booking.com", K.BOOKING_PORTAL),
    ("https://de.hotels.com/ho123456/hotel-sonnenhof-muenchen-deutschland/", K.BOOKING_PORTAL),
    ("https://www.hoteles.com/ho123456/", K.BOOKING_PORTAL),
    ("https://www.agoda.com/hotel-wisla/hotel/krakow-pl.html?cid=1844104", K.BOOKING_PORTAL),
    ("https://www.hrs.de/hotel-sonnenhof-muenchen.html", K.BOOKING_PORTAL),
    ("https://www.hrs.com/en/hotel/munich/hotel-sonnenhof", K.BOOKING_PORTAL),
    ("https://www.hotel.de/de/hotel-sonnenhof-muenchen/", K.BOOKING_PORTAL),
    ("https://www.airbnb.co.uk/rooms/12345678?check_in=2026-05-01", K.BOOKING_PORTAL),
    ("https://www.airbnb.com.au/rooms/plus/998877", K.BOOKING_PORTAL),
    ("https://www.vrbo.com/1234567ha", K.BOOKING_PORTAL),
    ("https://www.fewo-direkt.de/ferienwohnung-ferienhaus/p1234567", K.BOOKING_PORTAL),
    ("https://www.hostelworld.com/pwa/hosteldetails.php/Generator-Berlin/Berlin/8021", K.BOOKING_PORTAL),
    ("https://www.jalan.net/yad312345/", K.BOOKING_PORTAL),
    ("https://direct-book.com/properties/hotelx?locale=en", K.BOOKING_PORTAL),
    ("https://be.synxis.com/?chain=1003&hotel=12345", K.BOOKING_PORTAL),
    ("https://hotels.cloudbeds.com/reservation/AbCdEf", K.BOOKING_PORTAL),
    ("https://app.thebookingbutton.com/properties/hotelsonnenhof", K.BOOKING_PORTAL),
    ("https://travel.rakuten.co.jp/HOTEL/12345/12345.html", K.BOOKING_PORTAL),
    ("https://www.hometogo.de/muenchen/", K.BOOKING_PORTAL),
    # OTAs in their country TLDs
    ("https://www.expedia.com/Munich-Hotels-Hotel-Sonnenhof.h123456.Hotel-Information", K.OTA),
    ("https://www.expedia.de/Muenchen-Hotels-Hotel-Sonnenhof.h123456.Hotel-Informationen", K.OTA),
    ("https://www.expedia.co.uk/Munich-Hotels.h123456.Hotel-Information?chkin=2026-06-01", K.OTA),
    ("https://www.expedia.com.au/Munich-Hotels.h123456.Hotel-Information", K.OTA),
    ("https://www.expedia.co.jp/Munich-Hotels.h123456.Hotel-Information", K.OTA),
    ("https://www.expedia.fr/Munich-Hotels.h123456.Hotel-Information", K.OTA),
    ("https://www.expedia.mx/Munich-Hotels.h123456.Hotel-Information", K.OTA),
    ("https://www.ebookers.ch/Munich-Hotels.h123456", K.OTA),
    ("https://www.lastminute.com/hotels/munich/sonnenhof", K.OTA),
    ("https://www.opodo.de/hotels/", K.OTA),
    ("https://www.edreams.es/hoteles/", K.OTA),
    ("https://uk.trip.com/hotels/munich-hotel-detail-1234567/hotel-sonnenhof/", K.OTA),
    ("https://www.trip.com/hotels/kyoto-hotel-detail-7654321/", K.OTA),
    ("https://www.priceline.com/relax/at/123456", K.OTA),
    ("https://www.tui.co.uk/destinations/europe/greece/santorini/hotels/aegean-blue.html", K.OTA),
    ("https://www.makemytrip.com/hotels/hotel-details/?hotelId=2017", K.OTA),
    ("https://www.traveloka.com/en-id/hotel/indonesia/hotel-x-1000", K.OTA),
    # metasearch
    ("https://www.trivago.de/de/oar/hotel-sonnenhof-muenchen?search=100-123456", K.METASEARCH),
    ("https://www.trivago.co.uk/en-GB/oar/hotel-sonnenhof", K.METASEARCH),
    ("https://www.trivago.com.br/pt-BR/oar/hotel", K.METASEARCH),
    ("https://www.kayak.com/Munich-Hotels-Hotel-Sonnenhof.123456.ksp", K.METASEARCH),
    ("https://www.kayak.de/Muenchen-Hotels.123456.ksp", K.METASEARCH),
    ("https://www.kayak.co.uk/hotels/Munich", K.METASEARCH),
    ("https://www.skyscanner.net/hotels/germany/munich-hotels/hotel-sonnenhof/ht-123", K.METASEARCH),
    ("https://www.momondo.de/hotels/muenchen", K.METASEARCH),
    ("https://www.hotelscombined.com/Hotel/Sonnenhof_Munich.htm", K.METASEARCH),
    ("https://www.google.com/travel/hotels/entity/ChYIq6a?q=hotel+sonnenhof", K.METASEARCH),
    ("https://www.check24.de/hotel/hotel-sonnenhof-muenchen/", K.METASEARCH),
    # review sites and guides
    (
        "https://www.tripadvisor.com/Hotel_Review-g187323-d123-Reviews-Hotel_Sonnenhof-Munich_Upper_Bavaria_Bavaria.html",
        K.REVIEW,
    ),
    ("https://www.tripadvisor.co.uk/Hotel_Review-g187323-d123-Reviews-Hotel_Sonnenhof.html", K.REVIEW),
    ("https://www.tripadvisor.de/Hotel_Review-g187323-d123.html", K.REVIEW),
    ("https://www.tripadvisor.com.br/Hotel_Review-g187323-d123.html", K.REVIEW),
    ("https://www.tripadvisor.co.jp/Hotel_Review-g298564-d1.html", K.REVIEW),
    ("https://www.tripadvisor.it/Hotel_Review-g187895-d2.html", K.REVIEW),
    ("https://www.tripadvisor.com.au/Hotel_Review-g1-d2.html", K.REVIEW),
    ("https://fr.tripadvisor.ch/Hotel_Review-g1-d2.html", K.REVIEW),
    ("https://www.yelp.com/biz/the-harbour-inn-cork", K.REVIEW),
    ("https://www.yelp.co.uk/biz/seaside-lodge-brighton", K.REVIEW),
    ("https://www.holidaycheck.de/hi/hotel-sonnenhof-muenchen/1234-abcd", K.REVIEW),
    ("https://www.holidaycheck.ch/hi/hotel-x/1", K.REVIEW),
    ("https://guide.michelin.com/en/ile-de-france/paris/hotels/hotel-des-arts", K.REVIEW),
    ("https://foursquare.com/v/hotel-sonnenhof/4b0587", K.REVIEW),
    ("https://www.trustpilot.com/review/hotelx.de", K.REVIEW),
    ("https://tabelog.com/kyoto/A2601/A260201/26000001/", K.REVIEW),
    # social
    ("https://www.facebook.com/hotelbellavistafirenze/", K.SOCIAL),
    ("https://m.facebook.com/hotelbellavistafirenze/about/?ref=page_internal", K.SOCIAL),
    ("https://de-de.facebook.com/HotelSonnenhofMuenchen", K.SOCIAL),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fsonnenhof-hotel.de", K.SOCIAL),
    ("https://fb.me/hotelsonnenhof", K.SOCIAL),
    ("https://www.instagram.com/hotelsonnenhof/?hl=de", K.SOCIAL),
    ("https://www.linkedin.com/company/hotel-sonnenhof-munchen/", K.SOCIAL),
    ("https://de.linkedin.com/in/hannah-fischer-123", K.SOCIAL),
    ("https://x.com/hotelsonnenhof", K.SOCIAL),
    ("https://twitter.com/hotelsonnenhof/status/1234567890", K.SOCIAL),
    ("https://mobile.twitter.com/hotelsonnenhof", K.SOCIAL),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", K.SOCIAL),
    ("https://youtu.be/dQw4w9WgXcQ", K.SOCIAL),
    ("https://www.tiktok.com/@hotelsonnenhof", K.SOCIAL),
    ("https://www.pinterest.de/hotelsonnenhof/", K.SOCIAL),
    ("https://www.pinterest.co.uk/pin/123456789/", K.SOCIAL),
    ("https://vk.com/hotel_moskva", K.SOCIAL),
    ("https://linktr.ee/hotelsonnenhof", K.SOCIAL),
    ("https://wa.me/4989123456", K.SOCIAL),
    # directories and yellow pages
    ("https://www.gelbeseiten.de/gsbiz/1234abcd-hotel-sonnenhof", K.DIRECTORY),
    ("https://www.dasoertliche.de/Themen/Hotel-Sonnenhof-M%C3%BCnchen", K.DIRECTORY),
    ("https://www.11880.com/branchenbuch/muenchen/hotel.html", K.DIRECTORY),
    ("https://www.pagesjaunes.fr/pros/12345678", K.DIRECTORY),
    ("https://www.paginegialle.it/firenze/hotel/bellavista", K.DIRECTORY),
    ("https://www.paginasamarillas.es/f/valencia/hotel-mar-azul_123_000000001.html", K.DIRECTORY),
    ("https://www.yell.com/biz/seaside-lodge-brighton-1234567/", K.DIRECTORY),
    ("https://www.yellowpages.com/new-york-ny/mip/the-harbour-inn-123", K.DIRECTORY),
    ("https://www.yellowpages.ca/bus/Ontario/Toronto/Hotel-X/123.html", K.DIRECTORY),
    ("https://www.yellowpages.com.au/nsw/sydney/hotel-x-123.html", K.DIRECTORY),
    ("https://www.herold.at/gelbe-seiten/innsbruck/abc/alpenrose/", K.DIRECTORY),
    ("https://www.local.ch/de/d/zuerich/8001/hotel/hotel-x-abc", K.DIRECTORY),
    ("https://www.gulesider.no/nordlys+hotel/bedrifter", K.DIRECTORY),
    ("https://www.panoramafirm.pl/hotele/wisla", K.DIRECTORY),
    ("https://www.northdata.de/Hotel+Sonnenhof+GmbH,+M%C3%BCnchen/HRB+1234", K.DIRECTORY),
    # maps
    ("https://www.google.com/maps/place/Hotel+Sonnenhof/@48.15,11.58,17z/data=!3m1", K.MAPS),
    ("https://www.google.de/maps/place/Hotel+Sonnenhof", K.MAPS),
    ("https://maps.google.co.uk/maps?cid=1234567890123456789", K.MAPS),
    ("https://maps.app.goo.gl/AbCdEfGh12345", K.MAPS),
    ("https://goo.gl/maps/AbCdEf", K.MAPS),
    ("https://g.page/hotel-sonnenhof?share", K.MAPS),
    ("https://business.google.com/website/hotelsonnenhof", K.MAPS),
    ("https://maps.apple.com/?q=Hotel+Sonnenhof&ll=48.15,11.58", K.MAPS),
    ("https://www.bing.com/maps?q=hotel+sonnenhof", K.MAPS),
    ("https://yandex.ru/maps/org/gostinitsa_moskva/1234567/", K.MAPS),
    ("https://www.openstreetmap.org/node/123456789", K.MAPS),
    ("https://www.viamichelin.com/web/Hotels/Hotels-Munich", K.MAPS),
    # chains: brand sites and their property pages
    ("https://www.marriott.com/en-us/hotels/muccm-munich-marriott-hotel/overview/", K.CHAIN),
    ("https://www.hilton.com/en/hotels/mucmchi-hilton-munich-city/", K.CHAIN),
    ("https://www.ihg.com/holidayinn/hotels/us/en/munich/mucnw/hoteldetail", K.CHAIN),
    ("https://all.accor.com/hotel/1234/index.en.shtml", K.CHAIN),
    ("https://www.hyatt.com/andaz/munaz-andaz-munich-schwabinger-tor", K.CHAIN),
    ("https://www.wyndhamhotels.com/ramada/munich-germany/ramada-munich/overview", K.CHAIN),
    ("https://www.choicehotels.com/de/munich/comfort-hotel-x", K.CHAIN),
    ("https://www.bestwestern.de/hotels/muenchen/best-western-hotel-x", K.CHAIN),
    ("https://www.bestwestern.co.uk/hotels/best-western-brighton-12345", K.CHAIN),
    ("https://www.radissonhotels.com/en-us/hotels/radisson-blu-munich", K.CHAIN),
    ("https://www.melia.com/en/hotels/spain/valencia/melia-valencia", K.CHAIN),
    ("https://www.nh-hotels.de/hotel/nh-muenchen-city-sued", K.CHAIN),
    ("https://www.nh-hotels.com/en/hotel/nh-collection-firenze-porta-rossa", K.CHAIN),
    ("https://www.motel-one.com/de/hotels/muenchen/hotel-muenchen-sendlinger-tor/", K.CHAIN),
    ("https://www.premierinn.com/gb/en/hotels/england/east-sussex/brighton/brighton-city-centre.html", K.CHAIN),
    ("https://www.travelodge.co.uk/hotels/123/Brighton-Seafront-hotel", K.CHAIN),
    ("https://www.scandichotels.no/hotell/norge/bergen/scandic-orion", K.CHAIN),
    ("https://www.kempinski.com/en/hotel-adlon", K.CHAIN),
    ("https://www.fourseasons.com/florence/", K.CHAIN),
    # marketplaces, news, wiki
    ("https://www.amazon.de/dp/B0ABCDEF12", K.MARKETPLACE),
    ("https://www.ebay.co.uk/itm/123456789", K.MARKETPLACE),
    ("https://www.groupon.de/deals/hotel-sonnenhof", K.MARKETPLACE),
    ("https://www.kleinanzeigen.de/s-anzeige/hotel/123", K.MARKETPLACE),
    ("https://www.bbc.co.uk/news/uk-england-sussex-123456", K.NEWS),
    ("https://www.theguardian.com/travel/2024/may/01/best-hotels-brighton", K.NEWS),
    ("https://www.sueddeutsche.de/muenchen/hotel-sonnenhof-1.123456", K.NEWS),
    ("https://www.hospitalitynet.org/news/4100000.html", K.NEWS),
    ("https://www.lonelyplanet.com/germany/munich/hotels", K.NEWS),
    ("https://de.wikipedia.org/wiki/Hotel_Sonnenhof_(M%C3%BCnchen)", K.WIKI),
    ("https://en.m.wikipedia.org/wiki/Grand_Hotel_(Oslo)", K.WIKI),
    ("https://en.wikivoyage.org/wiki/Munich", K.WIKI),
    # parking and for-sale platforms
    ("https://sedo.com/search/details/?domain=hotel-alpenrose.de", K.PARKING),
    ("https://dan.com/buy-domain/hotel-alpenrose.com", K.PARKING),
    ("https://www.afternic.com/forsale/hotelalpenrose.com", K.PARKING),
    ("https://www.hugedomains.com/domain_profile.cfm?d=hotelalpenrose.com", K.PARKING),
    ("https://www.godaddy.com/domainsearch/find?domainToCheck=hotel-alpenrose.com", K.PARKING),
    ("https://www.bodis.com/", K.PARKING),
    # the hotel's own sites: ccTLDs, second-level suffixes, IDN, website builders
    ("https://www.sonnenhof-hotel.de/zimmer?lang=en", None),
    ("http://hotel-bellavista.it/", None),
    ("https://www.harbourinn.ie/", None),
    ("https://www.seasidelodge.co.uk/rooms/double", None),
    ("https://www.harbourview.com.au/", None),
    ("https://www.sakura-ryokan.co.jp/en/", None),
    ("https://www.hoteldesarts.fr/", None),
    ("https://www.hotelwisla.pl/", None),
    ("https://www.münchen-sonnenhof.de/", None),
    ("https://xn--mnchen-sonnenhof-jzb.de/", None),
    ("https://hotelx.wixsite.com/hotelx", None),
    ("https://booking.wixsite.com/my-hotel", None),
    ("https://hotel-nordlys.squarespace.com/", None),
    ("https://sites.google.com/view/hotel-nordlys", None),
    ("https://pension-alpenblick.jimdosite.com/", None),
    ("https://casadorio.business.site/", None),
    ("https://hotelbookingmunich.de/", None),
    ("https://www.grandhotel.no/", None),
    ("https://www.hotel-tripadvisor-review.de/", None),
    ("https://www.expedia-hotel-munich.de/", None),
]


@pytest.mark.parametrize(("url", "kind"), CASES, ids=[u[:70] for u, _ in CASES])
def test_site_kind(url: str, kind: SiteKind | None) -> None:
    assert site_kind(url) == kind
    assert is_excluded(url) is (kind is not None)


def test_the_table_is_large_and_varied() -> None:
    assert len(CASES) >= 120
    assert {kind for _, kind in CASES} == {*SiteKind, None}
    assert len(known_domains()) >= 150


@pytest.mark.parametrize(
    "url",
    [
        "https://www.marriott.com/en-us/hotels/muccm-munich-marriott-hotel/overview/",
        "https://all.accor.com/hotel/5432/index.de.shtml",
        "https://www.hilton.com/de/hotels/mucmchi-hilton-munich-city/",
        "https://www.ihg.com/crowneplaza/hotels/gb/en/brighton/bshcp/hoteldetail",
        "https://www.hyatt.com/en-US/hotel/germany/hyatt-regency-munich/mucrm",
    ],
)
def test_chain_property_pages_are_chain_landings(url: str) -> None:
    assert is_chain_landing(url)


@pytest.mark.parametrize(
    "url", ["https://www.sonnenhof-hotel.de/", "https://www.booking.com/hotel/de/x.html", "not a url", ""]
)
def test_other_pages_are_not_chain_landings(url: str) -> None:
    assert not is_chain_landing(url)


@pytest.mark.parametrize(
    "junk", ["", "   ", "localhost", "http://127.0.0.1/", "co.uk", "mailto:x", "http://[::1]:8080/"]
)
def test_junk_is_no_known_kind(junk: str) -> None:
    assert site_kind(junk) is None


def test_the_world_traps_are_filtered() -> None:
    from local.fakes.world import load_world

    world = load_world()
    for trap in world.traps:
        assert (site_kind(trap.url) is not None) is (not trap.parked), trap.url
    for hotel in world.hotels:
        assert site_kind(hotel.domain) is None, hotel.domain
