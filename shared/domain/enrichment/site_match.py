"""How well a candidate site matches the hotel: its domain label, page title and snippet against the name and city.

* Names are folded (`shared.domain.normalize.fold`: accents, case, ligatures) and non-Latin scripts transliterated
  (anyascii), then split into tokens; generic words in several languages (hotel, the, resort, inn, spa, de, zum …)
  are not distinctive, nor are the city's own words and chain brands.
* The domain label is compared on its own letters: "sonnenhof-hotel" and "hotel-sonnenhof" both match
  "Hotel Sonnenhof", "hoteldesarts" matches "Hôtel des Arts" (the name's words run together), "casadorio-porto"
  matches "Casa do Rio" in Porto.
* A generic name (`names_generic`: only a city, chain or common words: "Hotel Munich", "Marriott", "Grand Hotel")
  cannot be accepted on its domain alone: the title must name it and the title, snippet or domain the city.

`ACCEPT_AT`: a candidate scoring at or above it is taken as the hotel's own site, subject to the HTTP verification
(status, redirects, title); below it a candidate is only ranked. A domain made of the distinctive name (and the city or
hotel words) reaches it alone (0.6), as does the title naming the hotel and its city together (0.5); a domain with
other words in it ("sonnenhof-immobilien") needs the title too; the city or the title alone never suffice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from shared.domain.enrichment.domains import label_of
from shared.domain.normalize import fold

ACCEPT_AT = 0.5


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP = _words(
    """hotel hotels hotell hoteli hotellet otel otelu albergo alberghi hostal hostel hostels motel motels the a an and
    of at by on in y e et und och og en i im am an der die das den dem des du de la le les l el los las il lo gli di
    del della delle dei da do dos das zum zur zu au aux al ai resort resorts inn spa spas suites suite lodge lodges
    guesthouse guest house pension pensione pensao gasthof gasthaus landhotel boutique apartments apartment
    apartamentos appartements aparthotel residence residenz bnb b bed breakfast chambres chambre d hostellerie
    ryokan minshuku posada pousada parador hospedaje haus maison casa villa chalet chalets agriturismo camping
    glamping rooms camere zimmer studios bungalows hoteru jiudian fandian binguan lvguan luguan fndq funduq
    xenodocheio gostinitsa mini"""
)
_LODGING = _words(
    """hotel hotels hotell hoteli otel albergo hostal hostel motel inn resort lodge guesthouse pension pensione
    gasthof gasthaus landhotel aparthotel ryokan posada pousada parador chalet agriturismo b&b bnb suites spa rooms
    zimmer chambres camere gostinitsa xenodocheio hoteru jiudian"""
)
# Common descriptive words: they count toward a match but a name made only of them (and city and chain words) is
# generic: many hotels in a city share them.
_COMMON = _words(
    """grand royal central centrale centro city park plaza palace palast palazzo palacio europa europe european
    continental international garden gardens classic select premier comfort budget airport station bahnhof
    hauptbahnhof old town altstadt new star stars sun sea beach view luxury deluxe imperial regent regency crown
    golden post krone adler lamm sonne rose lion white victoria queen king kings national metropol metropole
    panorama bellevue belvedere excelsior majestic splendid savoy ambassador president astoria bristol gare
    estacion stazione terminus lac lago lake see plage port commerce voyageurs france angleterre nord sud midi mer
    montagne mountain alpes alps poste parc"""
)
_CHAINS = _words(
    """marriott hilton ibis novotel mercure sofitel pullman sheraton westin hyatt radisson blu holiday express
    best western plus ramada premier travelodge motel one nh melia accor intercontinental crowne kempinski
    steigenberger maritim moxy courtyard hampton doubletree aloft campanile kyriad scandic leonardo meininger
    wyndham days super comfort quality choice ihg renaissance autograph curio conrad waldorf fairmont swissotel
    movenpick mgallery citizenm hoxton"""
)
# A few exonyms, so "Munich" finds "München" in a title (folded forms; each group is one city).
_EXONYMS = tuple(
    frozenset(name.strip() for name in group.split("/"))
    for group in str.split(
        """munich/munchen/monaco di baviera/munique, florence/firenze/florenz, cologne/koln/colonia,
    vienna/wien/vienne/viena, prague/praha/prag, lisbon/lisboa/lissabon, rome/roma/rom, venice/venezia/venedig,
    milan/milano/mailand, naples/napoli/neapel, turin/torino, genoa/genova, seville/sevilla, copenhagen/kobenhavn,
    gothenburg/goteborg, warsaw/warszawa/warschau, krakow/cracow/krakau, brussels/bruxelles/brussel,
    antwerp/antwerpen, the hague/den haag, geneva/geneve/genf, lucerne/luzern, athens/athina/athen,
    moscow/moskva/moskau, bucharest/bucuresti, belgrade/beograd, nuremberg/nurnberg, hanover/hannover,
    porto/oporto, bruges/brugge, ghent/gent, basel/bale, strasbourg/strassburg, lyon/lyons, marseille/marseilles,
    seoul/soul, beijing/peking, kyoto/kioto""",
        ",",
    )
)
_SPLIT = re.compile(r"[^a-z0-9]+")
_CONCISE = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True, slots=True)
class MatchScore:
    """A 0..1 score and why: each reason is a short 'evidence: detail' string for the enrichment trail."""

    score: float
    reasons: tuple[str, ...] = ()
    generic_name: bool = False

    @property
    def accepted(self) -> bool:
        return self.score >= ACCEPT_AT


def _ascii(text: str) -> str:
    folded = fold(text)
    if folded.isascii():
        return folded
    from anyascii import anyascii

    return anyascii(folded).lower()


def tokens(text: str) -> tuple[str, ...]:
    """Folded, transliterated word tokens: 'Hôtel des Arts' -> ('hotel', 'des', 'arts'); '&' and marks dropped."""
    return tuple(t for t in _SPLIT.split(_ascii(text)) if t)


def _city_tokens(city: str | None) -> frozenset[str]:
    if not city:
        return frozenset()
    own = tokens(city)
    folded = " ".join(own)
    extra = next((group for group in _EXONYMS if folded in group), frozenset())
    return frozenset(own) | {t for name in extra for t in name.split()}


def _city_names(city: str | None) -> tuple[str, ...]:
    """The city's names as joined letters ('munchen', 'munich', 'denhaag' …) to look for in text and labels."""
    if not city:
        return ()
    folded = " ".join(tokens(city))
    group = next((g for g in _EXONYMS if folded in g), frozenset({folded}))
    return tuple(sorted({name.replace(" ", "") for name in group | {folded}} - {""}))


def distinctive_tokens(hotel_name: str, city: str | None = None) -> tuple[str, ...]:
    """The name's tokens that identify this property: not generic, not the city's, not a chain's."""
    drop = _STOP | _COMMON | _CHAINS | _city_tokens(city)
    return tuple(dict.fromkeys(t for t in tokens(hotel_name) if t not in drop and not t.isdigit()))


def names_generic(hotel_name: str, city: str | None = None) -> bool:
    """True when the name is only generic words, the city or a chain ('Hotel Munich', 'Marriott', 'Grand Hotel'):
    the match then needs the title and the city, never the domain alone."""
    return not distinctive_tokens(hotel_name, city)


def _squash(text: str) -> str:
    """German-style digraphs as their plain vowel, on both sides of a comparison: a domain spells 'Schöne' as
    'schoene' or 'schone', 'Søholm' as 'soeholm' or 'soholm'."""
    return text.replace("ue", "u").replace("oe", "o").replace("ae", "a")


def _in_label(token: str, parts: tuple[str, ...], compact: str) -> bool:
    if token in parts:
        return True
    if len(token) >= 4:
        return token in compact
    return len(token) == 3 and (compact.startswith(token) or compact.endswith(token))


def _explained(compact: str, known: set[str]) -> float:
    """The share of the label's letters that are the name's, the city's or lodging words ('hotel', 'inn' …)."""
    rest = compact
    for word in sorted(known, key=len, reverse=True):
        if len(word) >= 2:
            rest = rest.replace(word, "")
    return 1 - len(rest) / len(compact) if compact else 0.0


def _coverage(wanted: tuple[str, ...], words: frozenset[str], joined: str) -> float:
    if not wanted:
        return 0.0
    hits = sum(1 for t in wanted if t in words or (len(t) >= 5 and t in joined))
    return hits / len(wanted)


def score_candidate(domain: str, *, title: str, hotel_name: str, city: str | None, snippet: str = "") -> MatchScore:
    """How likely `domain` (with the page's or hit's title and snippet) is the hotel's own site, 0..1 with reasons."""
    label = label_of(domain) or ""
    parts = tuple(_squash(p) for p in _SPLIT.split(label) if p)
    compact = _squash(_CONCISE.sub("", label))
    name_tokens = tuple(_squash(t) for t in tokens(hotel_name))
    generic = names_generic(hotel_name, city)
    wanted_raw = distinctive_tokens(hotel_name, city) or tuple(t for t in tokens(hotel_name) if t not in _STOP)
    wanted = tuple(_squash(t) for t in wanted_raw)
    title_words = frozenset(tokens(title))
    title_joined = "".join(tokens(title))
    snippet_words = frozenset(tokens(snippet))
    reasons: list[str] = []

    joined_name = "".join(name_tokens)
    joined_core = "".join(t for t in name_tokens if t not in _STOP)
    full_join = len(joined_name) >= 6 and joined_name in compact
    dom = sum(1 for t in wanted if _in_label(t, parts, compact)) / len(wanted) if wanted and compact else 0.0
    if full_join or (len(joined_core) >= 6 and joined_core in compact):
        dom = 1.0
    known = {_squash(w) for w in set(name_tokens) | _city_tokens(city) | set(_city_names(city)) | _LODGING}
    explained = _explained(compact, known) if dom else 0.0
    if dom:
        reasons.append(f"domain: {label} has {dom:.0%} of the name" + (" (run together)" if full_join else ""))
    title_cov = _coverage(wanted_raw, title_words, title_joined)
    if title_cov:
        reasons.append(f"title: names {title_cov:.0%} of the hotel")
    snippet_cov = _coverage(wanted_raw, snippet_words, "")
    city_names = _city_names(city)
    snippet_joined = "".join(tokens(snippet))
    city_in_text = any(name in title_joined or name in snippet_joined for name in city_names)
    city_hit = city_in_text or (not generic and any(_squash(name) in compact for name in city_names))
    if title_cov and not (city_in_text or title_words & _LODGING):
        title_cov /= 2  # "Sonnenhof Immobilien GmbH" names the word, not the hotel
    if city_hit:
        reasons.append(f"city: {city} in the title, snippet or domain")

    if generic:
        score = 0.15 * dom + 0.15 * dom * explained + 0.35 * title_cov + 0.2 * city_hit + 0.1 * snippet_cov
        if not (title_cov >= 1 and city_hit):
            score = min(score, ACCEPT_AT - 0.1)
        reasons.append("generic name: needs the title and the city in the title or snippet")
    else:
        score = 0.6 * dom * explained + 0.35 * title_cov + 0.15 * city_hit + 0.05 * snippet_cov
    return MatchScore(round(min(score, 1.0), 3), tuple(reasons), generic)


# Parking and for-sale pages (compared folded): phrases that say so on their own ...
_PARKED_PHRASES = (
        "domain is for sale", "domain may be for sale", "buy this domain", "this domain name is for sale",
        "domain for sale", "this domain has expired", "domain has expired", "this web page is parked",
        "this webpage is parked", "parked free", "parked domain", "domain parking", "courtesy of godaddy",
        "inquire about this domain", "make an offer on this domain", "get this domain", "sponsored listings",
        "related searches", "diese domain steht zum verkauf", "diese domain kann erworben werden", "domain kaufen",
        "domain ist zu verkaufen", "domain steht zum verkauf", "domain geparkt", "ce domaine est à vendre",
        "nom de domaine à vendre", "ce nom de domaine est en vente", "domaine parqué", "este dominio está en venta",
        "dominio en venta", "se vende este dominio", "comprar este dominio", "questo dominio è in vendita",
        "dominio in vendita", "dit domein is te koop", "deze domeinnaam is te koop", "domeinnaam te koop",
        "este domínio está à venda", "domínio à venda", "ta domena jest na sprzedaż", "domena na sprzedaż",
        "doména je na prodej", "domänen är till salu", "domænet er til salg", "domenet er til salgs",
        "verkkotunnus on myytävänä", "bu alan adı satılık", "satılık alan adı", "домен продается",
        "домен продаётся", "этот домен продается", "このドメインは販売中", "ドメイン販売", "域名出售", "此域名出售",
)  # fmt: skip
# ... and the parking services a short page names.
_PARKING_NAMES = ("sedo", "dan.com", "afternic", "hugedomains", "bodis", "parkingcrew", "above.com", "undeveloped")
_SHORT_PAGE = 3000


_DOMAIN_IN_TITLE = re.compile(r"\b[a-z0-9-]+\.[a-z]{2,}\b")


@cache
def _parked_folded() -> tuple[str, ...]:
    return tuple(fold(phrase) for phrase in _PARKED_PHRASES)


def looks_parked(title: str, text: str) -> bool:
    """True for a parking or for-sale page ('example.com is for sale', 'Diese Domain steht zum Verkauf', an
    expired-domain page, a page of sponsored 'related searches')."""
    head = fold(f"{title} {text[:20000]}")
    if any(phrase in head for phrase in _parked_folded()):
        return True
    short = len(text.strip()) <= _SHORT_PAGE
    title_f = fold(title)
    if "for sale" in title_f and ("domain" in title_f or _DOMAIN_IN_TITLE.search(title_f)):
        return True
    return short and "domain" in head and any(name in head for name in _PARKING_NAMES)
