"""Which kind of site a URL is when it is not a hotel's own: booking portals, OTAs, social networks, chains …

`site_kind(url)` answers a `SiteKind`, or None when the URL could be the hotel's own site. A URL matches by
  1. its host and path for the multi-purpose domains (google.*/maps is maps, sites.google.com is anyone's site),
  2. its registrable domain in `_DOMAINS` ("x.com", "dan.com", "guide.michelin.com" by its domain), and
  3. its brand: the registrable domain's label in `_BRANDS` under any ICANN suffix, so "expedia.co.uk",
     "tripadvisor.com.br" and "trivago.de" match without listing each country (never under a website builder's
     suffix: "booking.wixsite.com" is someone's site).
Kinds: booking_portal (accommodation booking sites, vacation rentals, hotel booking engines), ota (travel agencies
and tour operators selling packages), metasearch (price comparison), review (review sites and guides: tripadvisor,
yelp, michelin), chain (a hotel group's brand site: its property pages are the chain's, never the hotel's own).

Pure: the tables are plain strings, split into dicts on first use.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from urllib.parse import urlsplit

from shared.domain.enrichment.domains import host_of, is_shared_host, registrable_domain


class SiteKind(StrEnum):
    BOOKING_PORTAL = "booking_portal"
    OTA = "ota"
    METASEARCH = "metasearch"
    SOCIAL = "social"
    DIRECTORY = "directory"
    REVIEW = "review"
    CHAIN = "chain"
    MARKETPLACE = "marketplace"
    MAPS = "maps"
    NEWS = "news"
    WIKI = "wiki"
    PARKING = "parking"


K = SiteKind
# Brands: the label before any ICANN suffix ("expedia" matches expedia.com, expedia.de, expedia.co.uk …).
_BRAND_TABLE: dict[SiteKind, str] = {
    K.BOOKING_PORTAL: """booking ehotel agoda hotels hoteles hoteis hrs hostelworld hostelbookers airbnb vrbo homeaway
        abritel
        fewo-direkt stayz bookabach holidaylettings hometogo holidu casamundo e-domizil atraveo belvilla interhome
        novasol traum-ferienwohnungen ferienwohnungen laterooms venere hotelopia hotelbeds otel ostrovok hostelz
        splendia tablethotels mrandmrssmith hotelscan hoteltonight booking-engine hotelnetsolutions reservit
        availpro simplebooking verticalbooking bookassist cloudbeds siteminder littlehotelier synxis travelclick
        webhotelier hotelrunner mews guestline direct-book jalan ikyu rurubu relux yanolja goodchoice oyorooms
        pitchup hipcamp glampinghub campsy zenhotels hotelreservations""",
    K.OTA: """expedia lastminute ebookers opodo edreams govoyages travellink orbitz travelocity priceline hotwire
        cheaptickets wotif destinia logitravel rumbo centraldereservas atrapalo viajeselcorteingles
        tui thomascook jet2holidays loveholidays onthebeach secretescapes voyage-prive weekendesk travelzoo
        ab-in-den-urlaub urlaubsguru holidayguru travelbird sunweb corendon neckermann dertour alltours
        fti schauinsland-reisen makemytrip goibibo yatra cleartrip traveloka tiket pegipegi ctrip qunar fliggy
        tuniu almosafer rehlat tajawal musafir ixigo easemytrip despegar decolar bestday viajanet 101hotels
        bronevik sutochno tvil travelata travelrepublic mytrip gotogate flightnetwork
        travelstart wakanow jumia-travel airasia""",
    K.METASEARCH: """trivago kayak skyscanner momondo hotelscombined wego liligo cheapflights hotellook swoodoo
        checkfelix jetcost travelsupermarket trovaprezzi idealo check24 tripsbymaps
        roomkey trip101 hotelplanner""",
    K.SOCIAL: """facebook instagram linkedin twitter youtube tiktok pinterest snapchat reddit vkontakte
        weibo xiaohongshu douyin telegram whatsapp linktr flickr vimeo tumblr quora behance dribbble""",
    K.REVIEW: """tripadvisor yelp holidaycheck zoover trustpilot foursquare tabelog dianping restaurantguru thefork
        opentable zomato michelin gaultmillau falstaff kununu glassdoor sitejabber
        reviewcentre tophotels travellerspoint virtualtourist hotelsnapper""",
    K.DIRECTORY: """yellowpages gelbeseiten dasoertliche dastelefonbuch 11880 pagesjaunes paginegialle
        paginasamarillas goudengids detelefoongids herold gulesider eniro hitta krak degulesider fonecta
        panoramafirm zlatestranky hotfrog cylex europages kompass infobel tuugo brownbook yably
        2findlocal justdial sulekha zoominfo crunchbase rocketreach opencorporates northdata firmenwissen
        companieshouse dnb bbb truelocal yell canada411 pagesdor goldenpages wlw werkenntdenbesten golocal
        meinestadt stadtbranchenbuch cybo tupalo yellowbook misterwhat find-us-here bizapedia cortera
        hotel-guide hotelguide hotels-and-more allhotels visitberlin""",
    K.CHAIN: """marriott hilton ihg hyatt accor accorhotels wyndhamhotels wyndham choicehotels bestwestern
        radissonhotels radisson radissonblu melia nh-hotels nh-collection motel-one premierinn travelodge
        ritzcarlton starwoodhotels sheraton fourseasons mandarinoriental shangri-la kempinski jumeirah
        rosewoodhotels aman belmond oberoihotels tajhotels itchotels lottehotel hoshinoresorts
        apahotel toyoko-inn huazhu jinjianghotels hotel-bb campanile louvrehotels barcelo iberostar
        eurostarshotels h10hotels cataloniahotels vinccihoteles sercotel palladiumhotelgroup lopesan pestana
        vilagale minorhotels anantara dusit centarahotelsresorts steigenberger deutschehospitality intercityhotel
        dorint achat-hotels leonardo-hotels prizeotel aohostels meininger-hotels staygenerator
        citizenm scandichotels nordicchoicehotels thonhotels sokoshotels jurysinns viennahouse
        arcotel austria-trend ruby-hotels 25hours-hotels ibis novotel mercure sofitel pullmanhotels mgallery
        fairmont raffles swissotel movenpick adagio-city hotelf1 holidayinn crowneplaza intercontinental
        kimptonhotels hotelindigo staybridge candlewoodsuites ramada daysinn super8 laquinta motel6
        extendedstayamerica redroof sonesta omnihotels loewshotels hardrockhotels mgmresorts caesars clubmed
        sandals hamptoninn doubletree embassysuites curiocollection waldorfastoria conradhotels
        thehoxton moxy-hotels whotels westin lemeridien fourpoints residenceinn
        relaischateaux slh lhw designhotels preferredhotels historichotels greatsmallhotels romantikhotels
        ringhotels kyriad premiereclasse tulipinn goldentulip numastays
        novum-hotels mercurehotels ghotel yotel""",
    K.MARKETPLACE: """amazon ebay etsy groupon alibaba aliexpress craigslist gumtree kleinanzeigen leboncoin subito
        wallapop marktplaats olx avito mercadolibre mercadolivre rakuten immobilienscout24 rightmove zoopla
        idealista immowelt loopnet businessesforsale bizbuysell willhaben anibis""",
    K.MAPS: """openstreetmap waze mapquest viamichelin mapy what3words mapcarta wikimapia 2gis here""",
    K.NEWS: """bbc cnn nytimes theguardian telegraph dailymail independent forbes bloomberg reuters spiegel zeit
        faz sueddeutsche bild welt lemonde lefigaro liberation elpais elmundo abc lavanguardia corriere
        repubblica lastampa nzz derstandard orf tagesschau hospitalitynet hotelnewsnow ahgz tophotelprojects
        skift phocuswire travelweekly hotel-online hospitality-on cntraveler travelandleisure lonelyplanet timeout
        fodors frommers tripsavvy medium substack businessinsider huffpost usatoday washingtonpost cnbc
        euronews thelocal afar""",
    K.WIKI: """wikipedia wikimedia wikidata wikivoyage wikitravel wikiwand fandom dbpedia""",
    K.PARKING: """sedo sedoparking afternic hugedomains godaddy bodis parkingcrew undeveloped buydomains
        domainmarket squadhelp brandbucket efty flippa dynadot epik uniregistry namecheap namesilo parklogic
        perfectdomain brandpa domainlore porkbun""",
}
# Whole registrable domains (their label alone would be too common, or the brand is one domain).
_DOMAIN_TABLE: dict[SiteKind, str] = {
    K.BOOKING_PORTAL: """hotel.de hotel.info book-directonline.com thebookingbutton.com hotels.cloudbeds.com
        sonder.com bedandbreakfast.eu bedandbreakfast.com bbplanet.it hostelsclub.com hotelsone.com
        ferienhausmiete.de holidayfrancedirect.co.uk gites-de-france.com clevacances.com""",
    K.OTA: """trip.com weg.de hofer-reisen.at kiwi.com level.travel tutu.ru""",
    K.SOCIAL: """x.com t.co fb.com fb.me m.me wa.me t.me line.me vk.com ok.ru threads.net bsky.app
        mastodon.social linktr.ee discord.com discord.gg youtu.be""",
    K.DIRECTORY: """local.ch search.ch pkt.pl firmy.cz 118712.fr manta.com""",
    K.CHAIN: """peninsula.com riu.com maritim.de maritim.com lindner.de courtyard.com alofthotels.com strawberry.no
        strawberry.se strawberry.dk strawberry.fi autographcollection.com marriott.com hilton.com""",
    K.MARKETPLACE: """tutti.ch allegro.pl""",
    K.PARKING: """dan.com atom.com above.com sav.com buydomains.com domains.google parkingpage.namecheap.com
        sedo.com sedo.de""",
}
# Multi-purpose domains, matched by host and path: (registrable domain, host prefix or '', path prefix or '', kind).
_HOST_RULES: tuple[tuple[str, str, str, SiteKind | None], ...] = (
    ("google", "sites.", "", None),  # Google Sites: anyone's site, the hotel's own included
    ("google", "", "/travel", K.METASEARCH),
    ("google", "", "/search", K.METASEARCH),
    ("google", "", "", K.MAPS),  # maps.google.*, google.*/maps, business profiles
    ("goo.gl", "", "", K.MAPS),
    ("g.page", "", "", K.MAPS),
    ("g.co", "", "", K.MAPS),
    ("bing", "", "/maps", K.MAPS),
    ("bing", "", "/travel", K.METASEARCH),
    ("bing", "", "", K.METASEARCH),
    ("apple", "maps.", "", K.MAPS),
    ("yandex", "travel.", "", K.METASEARCH),
    ("yandex", "", "/maps", K.MAPS),
    ("yandex", "", "", K.DIRECTORY),
    ("baidu", "map.", "", K.MAPS),
    ("baidu", "baike.", "", K.WIKI),
    ("baidu", "", "", K.DIRECTORY),
    ("naver", "map.", "", K.MAPS),
    ("naver", "blog.", "", K.SOCIAL),
    ("naver", "", "", K.DIRECTORY),
    ("kakao", "map.", "", K.MAPS),
    ("qq", "", "", K.SOCIAL),
    ("rakuten", "travel.", "", K.BOOKING_PORTAL),
    ("yahoo", "travel.", "", K.OTA),
    ("yahoo", "", "", K.NEWS),
    ("here", "wego.", "", K.MAPS),
    ("microsoft", "", "", K.DIRECTORY),
)


@cache
def _brands() -> dict[str, SiteKind]:
    return {label: kind for kind, text in _BRAND_TABLE.items() for label in text.split()}


@cache
def _domains() -> dict[str, SiteKind]:
    return {domain: kind for kind, text in _DOMAIN_TABLE.items() for domain in text.split()}


def known_domains() -> frozenset[str]:
    """Every whole domain and brand label the tables list (for tests and the status page)."""
    return frozenset(_domains()) | frozenset(_brands())


def site_kind(url_or_domain: str) -> SiteKind | None:
    """The kind of portal, network or chain site the URL is on; None when it could be the hotel's own."""
    host = host_of(url_or_domain)
    domain = registrable_domain(host) if host else None
    if host is None or domain is None:
        return None
    label = domain.split(".", 1)[0]
    branded = not is_shared_host(domain)
    path = _path(url_or_domain)
    for key, host_prefix, path_prefix, kind in _HOST_RULES:
        if (domain == key or (branded and label == key and "." not in key)) and _rule_fits(
            host, domain, host_prefix, path, path_prefix
        ):
            return kind
    domains = _domains()
    for candidate in (host, host.removeprefix("www."), domain):
        if candidate in domains:
            return domains[candidate]
    return _brands().get(label) if branded else None


def _rule_fits(host: str, domain: str, host_prefix: str, path: str, path_prefix: str) -> bool:
    sub = host.removesuffix(domain).removeprefix("www.")
    if host_prefix and not sub.startswith(host_prefix):
        return False
    return not path_prefix or path == path_prefix or path.startswith(path_prefix + "/")


def _path(url: str) -> str:
    text = url.strip()
    try:
        return urlsplit(text if "://" in text else "https://" + text).path.lower()
    except ValueError:
        return ""


def is_chain_landing(url: str) -> bool:
    """A hotel group's page (marriott.com/en-us/hotels/muccm-…, all.accor.com/hotel/…): the chain's site, never the
    property's own, even when the page is all about that one hotel."""
    return site_kind(url) is SiteKind.CHAIN


def is_excluded(url_or_domain: str) -> bool:
    """True when the URL is any known non-own site: the website finder drops it before scoring."""
    return site_kind(url_or_domain) is not None
