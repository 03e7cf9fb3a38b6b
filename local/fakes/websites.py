"""A fake web for the enrichment fakes' offline World: every hotel's site, the trap pages, parking landers, by Host.

    sites = await FakeWebsites().start()         # JENGU_WEB_FAKE_URL=sites.base_url routes the local fetch here
    sites.behave("sonnenhof-hotel.example", "server_error", path="/", times=1)
    sites.script(["hang"])                       # the next request, whatever its host (or POST /__fake/script)

A hotel answers on `domain` and `www.domain`: `/` (also `/index.html`, `/index.php`, `/de/`, `/en/`) with its title,
meta description, facts, address and (when `jsonld`) a schema.org `Hotel` block; an about page on a localised path
linked from the home page (`/ueber-uns`, `/chi-siamo`, `/a-propos`...; `/about` too); `/robots.txt` (its `robots`,
else allow-all); anything else 404. A `redirect_to` hotel answers 301 there on every path. Trap URLs (portal, OTA,
social, directory, parked "domain for sale") are served by their hosts, any other path on those hosts a page of
the same brand; `www.dan.com` serves the parking lander. Unknown hosts get no answer (the connection closes: a DNS
failure to the client). Behaviours, per host (`domain`, www. included, or "*") and optional path, or scripted:

    ok              the page          server_error   500              not_found   404
    hang            no answer until stop() (or `hold_s`)              drop        connection closed, no answer
    trickle         the page, `trickle_chunk` bytes every `trickle_delay_s` s
    huge            a 6 MB page (`huge_bytes`)                         pdf         a PDF brochure
    latin1          the page in windows-1252, declared only by <meta http-equiv> (header without charset)
    shift_jis       the page in Shift_JIS, declared only by <meta charset>
    redirect_loop   / -> /home/ -> / (302s)                            parked      a meta-refresh to the lander
    redirect        301 to `location` (relative or absolute)

`requests` logs (host, path, user agent, forwarded proto, mode); `GET /__fake/requests` returns it as JSON and
`POST /__fake/behave` takes `{"host", "mode", "path"?, "times"?, "location"?}` while `make dev` runs. CPython only.
"""

from __future__ import annotations

import asyncio
import html
import json
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from local.fakes.http import Answer, MiniHttpServer, Request, encode_answer, json_answer
from local.fakes.world import Hotel, World, load_world

MODES: tuple[str, ...] = ("ok", "server_error", "not_found", "hang", "drop", "trickle", "huge", "pdf", "latin1")
MODES += ("shift_jis", "redirect_loop", "parked", "redirect")
LANDER = "https://www.dan.com/buy-domain/{domain}"
HOME_PATHS = frozenset({"/", "/index.html", "/index.php", "/de/", "/en/"})
LANGS = {"DE": "de", "AT": "de", "IT": "it", "ES": "es", "FR": "fr", "NL": "nl", "PL": "pl", "PT": "pt", "NO": "no"}
ABOUT = {"de": "/ueber-uns", "it": "/chi-siamo", "es": "/sobre-nosotros", "fr": "/a-propos", "nl": "/over-ons"}
ABOUT |= {"pl": "/o-nas", "pt": "/sobre-nos", "no": "/om-oss"}
WORDS = {  # about link, rooms, stars, contact
    "en": ("About us", "rooms", "star hotel", "Contact"),
    "de": ("Über uns", "Zimmer", "Sterne", "Kontakt"),
    "it": ("Chi siamo", "camere", "stelle", "Contatti"),
    "es": ("Sobre nosotros", "habitaciones", "estrellas", "Contacto"),
    "fr": ("À propos", "chambres", "étoiles", "Contact"),
    "nl": ("Over ons", "kamers", "sterren", "Contact"),
    "pl": ("O nas", "pokoi", "gwiazdki", "Kontakt"),
    "pt": ("Sobre nós", "quartos", "estrelas", "Contacto"),
    "no": ("Om oss", "rom", "stjerner", "Kontakt"),
}
BRANDS = {"booking.com": "Booking.com", "tripadvisor.com": "Tripadvisor", "facebook.com": "Facebook"}
BRANDS |= {"yelp.com": "Yelp", "expedia.com": "Expedia", "instagram.com": "Instagram"}
CHARSETS = {"latin1": ("windows-1252", "cp1252"), "shift_jis": ("shift_jis", "cp932")}  # mode -> declared, codec
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%% Hotel brochure 2026\n%%EOF\n"


@dataclass(frozen=True)
class SiteRequest:
    host: str
    path: str
    user_agent: str
    proto: str  # X-Forwarded-Proto ("" when the request came directly)
    mode: str


class _Trickle(Answer):
    """An answer written `trickle_chunk` bytes every `trickle_delay_s` seconds."""


@dataclass
class _Rule:
    host: str  # bare domain or "*"
    mode: str
    path: str | None
    times: int | None
    location: str | None


class FakeWebsites(MiniHttpServer):
    def __init__(
        self,
        world: World | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        trickle_delay_s: float = 0.05,
        trickle_chunk: int = 256,
        huge_bytes: int = 6_000_000,
        hold_s: float = 60.0,
    ) -> None:
        super().__init__(MODES, host=host, port=port, hold_s=hold_s)
        self.world = world if world is not None else load_world()
        self.trickle_delay_s, self.trickle_chunk, self.huge_bytes = trickle_delay_s, trickle_chunk, huge_bytes
        self.requests: list[SiteRequest] = []
        self._rules: list[_Rule] = []

    def behave(
        self, host: str, mode: str, *, path: str | None = None, times: int | None = None, location: str | None = None
    ) -> None:
        """From now on `host` (its www. too; "*" for every host) answers `mode` on `path` (None: every path),
        `times` times (None: until `reset()`); the newest rule wins."""
        if mode not in MODES:
            raise ValueError(f"unknown website mode {mode!r}; known: {', '.join(MODES)}")
        if mode == "redirect" and not location:
            raise ValueError("the redirect mode needs a location")
        self._rules.insert(0, _Rule(_bare(host), mode, path, times, location))

    def reset(self) -> None:
        self._rules.clear()
        self.requests.clear()

    def _pick(self, host: str, path: str) -> tuple[str, str | None]:
        if self.modes.pending():
            return self.modes.next(), None
        for rule in self._rules:
            if rule.host in ("*", _bare(host)) and rule.path in (None, path) and rule.times != 0:
                if rule.times is not None:
                    rule.times -= 1
                return rule.mode, rule.location
        return "ok", None

    def route(self, request: Request) -> Answer | None:  # None: hang
        host = _host_name(request.headers.get("host", ""))
        mode, location = self._pick(host, request.path)
        agent = request.headers.get("user-agent", "")
        self.requests.append(SiteRequest(host, request.path, agent, request.headers.get("x-forwarded-proto", ""), mode))
        if mode == "hang":
            return None
        answer = self.answer(host, request.path, mode, location)
        return _Trickle(answer.status, answer.body, answer.headers) if mode == "trickle" and not answer.drop else answer

    async def send(self, writer: asyncio.StreamWriter, answer: Answer | None) -> None:
        if not isinstance(answer, _Trickle):
            return await super().send(writer, answer)
        raw = encode_answer(answer)
        head_end = raw.index(b"\r\n\r\n") + 4
        writer.write(raw[:head_end])
        for start in range(head_end, len(raw), self.trickle_chunk):
            await writer.drain()
            if self._stopping.is_set():
                return
            await asyncio.sleep(self.trickle_delay_s)
            writer.write(raw[start : start + self.trickle_chunk])
        await writer.drain()

    def control(self, request: Request) -> Answer | None:  # and POST /__fake/behave; any other /__fake/ path: 400
        answer = super().control(request)
        if answer is not None or not request.path.startswith("/__fake/"):
            return answer
        body = request.json()
        if request.path != "/__fake/behave" or not isinstance(body, dict):
            raise ValueError("POST /__fake/script takes a list of modes, /__fake/behave an object")
        self.behave(str(body["host"]), str(body["mode"]), **{k: body.get(k) for k in ("path", "times", "location")})
        return json_answer(200, self.posted_script([]))

    def posted_script(self, body: Any) -> Any:
        return super().posted_script(body) | {"rules": len(self._rules)}

    def request_log(self) -> Any:
        return [asdict(r) for r in self.requests]

    # -- pages ---------------------------------------------------------------------------------------------------
    def answer(self, host: str, path: str, mode: str = "ok", location: str | None = None) -> Answer:
        """What `host` answers for `path` under `mode` (the trickle mode answers the page, slowly)."""
        hotel = self.world.hotel_by_domain(host)
        if mode == "drop" or (hotel is None and not self._known_host(host)):
            return Answer(0, drop=True)
        if mode == "server_error":
            return _html(500, "<html><head><title>500 Internal Server Error</title></head><body>Error</body></html>")
        if mode == "not_found":
            return _not_found()
        if mode == "redirect":
            return Answer(301, b"", {"location": location or "/"})
        if mode == "redirect_loop":
            return Answer(302, b"", {"location": "/home/" if path == "/" else f"https://{host}/"})
        if mode == "pdf":
            return Answer(200, PDF, {"content-type": "application/pdf"})
        if mode == "parked":
            return _html(200, parked_page(_bare(host), refresh=True))
        if hotel is None:
            return self._trap(host, path)
        if hotel.redirect_to:
            return Answer(301, b"", {"location": hotel.redirect_to, "content-type": "text/html"})
        if path == "/robots.txt":
            robots = hotel.robots if hotel.robots is not None else "User-agent: *\nAllow: /\n"
            return Answer(200, robots.encode(), {"content-type": "text/plain; charset=utf-8"})
        lang = LANGS.get(hotel.country, "en")
        if path in HOME_PATHS:
            declared, codec = CHARSETS.get(mode, (None, "utf-8"))
            page = home_page(hotel, lang, charset=declared)
            if mode == "huge":
                filler = (
                    f"<section class='room'><h3>{html.escape(hotel.name)}</h3><p>{'Lorem ipsum. ' * 40}</p></section>"
                )
                page = page.replace("</body>", filler * (self.huge_bytes // len(filler) + 1) + "</body>")
            if declared is not None:  # the header names no charset: only the page declares it
                return Answer(200, page.encode(codec, "replace"), {"content-type": "text/html"})
            return _html(200, page)
        if path in ("/about", ABOUT.get(lang, "/about")):
            return _html(200, about_page(hotel, lang))
        return _not_found()

    def _known_host(self, host: str) -> bool:
        bare = _bare(host)
        return bare in BRANDS or bare == "dan.com" or any(_bare(_host(t.url)) == bare for t in self.world.traps)

    def _trap(self, host: str, path: str) -> Answer:
        bare = _bare(host)
        if bare == "dan.com":
            return _html(200, parked_page(path.rstrip("/").rsplit("/", 1)[-1] or "this domain", refresh=False))
        trap = next((t for t in self.world.traps if _bare(_host(t.url)) == bare and _path(t.url) == path), None)
        if trap is not None and trap.parked:
            return _html(200, parked_page(bare, refresh=False))
        brand = BRANDS.get(bare, bare)
        slug = path.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0].replace("-", " ").title() or brand
        title = trap.title if trap is not None else f"{slug} – {brand}"
        body = f"<h1>{html.escape(slug)}</h1><p>Compare prices and book on {brand}. Sign in to see member deals.</p>"
        return _html(200, _document(title, "en", body))


def home_page(hotel: Hotel, lang: str, *, charset: str | None = None) -> str:
    about_word, rooms_word, stars_word, contact_word = WORDS.get(lang, WORDS["en"])
    facts = []
    if hotel.rooms:
        facts.append(f"<li>{hotel.rooms} {rooms_word}</li>")
    if hotel.stars:
        facts.append(f"<li>{'★' * hotel.stars if charset is None else hotel.stars} {stars_word}</li>")
    facts += [f"<li>{html.escape(f)}</li>" for f in hotel.features]
    nav = f'<nav><a href="/">{html.escape(hotel.name)}</a> <a href="{ABOUT.get(lang, "/about")}">{about_word}</a></nav>'
    body = (
        f"<header>{nav}</header><main><h1>{html.escape(hotel.name)}</h1>"
        f"<p class='lead'>{html.escape(hotel.description)}</p><ul class='facts'>{''.join(facts)}</ul></main>"
        f"<footer><h2>{contact_word}</h2><address>{html.escape(hotel.name)}<br>{html.escape(hotel.address)}"
        f"</address><a href='mailto:info@{hotel.domain}'>info@{hotel.domain}</a> · © 2026</footer>"
    )
    extra = f'<script type="application/ld+json">{json.dumps(hotel_jsonld(hotel), ensure_ascii=False)}</script>'
    meta = f'<meta name="description" content="{html.escape(hotel.description)}">'
    head = meta + (extra if hotel.jsonld else "")
    return _document(hotel.title or hotel.name, lang, body, head=head, charset=charset)


def about_page(hotel: Hotel, lang: str) -> str:
    heading = WORDS.get(lang, WORDS["en"])[0]
    body = (
        f"<main><h1>{heading}</h1><p>{html.escape(hotel.description)}</p>"
        f"<p>{html.escape(hotel.name)} · {html.escape(hotel.address)}</p></main>"
    )
    return _document(f"{heading} | {hotel.name}", lang, body)


def hotel_jsonld(hotel: Hotel) -> dict[str, Any]:
    street, _, rest = hotel.address.partition(", ")
    postcode = next((w for w in rest.split() if any(c.isdigit() for c in w)), "")
    address = {"@type": "PostalAddress", "streetAddress": street, "postalCode": postcode}
    amenities = [{"@type": "LocationFeatureSpecification", "name": f, "value": True} for f in hotel.features]
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Hotel", "name": hotel.name}
    data |= {"description": hotel.description, "url": f"https://www.{hotel.domain}/", "email": f"info@{hotel.domain}"}
    data |= {"address": address | {"addressLocality": hotel.city, "addressCountry": hotel.country}}
    data |= {"amenityFeature": amenities}
    if hotel.rooms:
        data["numberOfRooms"] = hotel.rooms
    if hotel.stars:
        data["starRating"] = {"@type": "Rating", "ratingValue": str(hotel.stars)}
    return data


def parked_page(domain: str, *, refresh: bool) -> str:
    head = f'<meta http-equiv="refresh" content="0; url={LANDER.format(domain=domain)}">' if refresh else ""
    body = f"<h1>{html.escape(domain)} is for sale!</h1><p>Buy this domain. Make an offer today.</p>"
    return _document(f"{domain} is for sale", "en", body, head=head)


def _document(title: str, lang: str, body: str, *, head: str = "", charset: str | None = None) -> str:
    if charset == "windows-1252":
        declare = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    else:
        declare = f'<meta charset="{charset or "utf-8"}">'
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head>{declare}<title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{head}</head>\n<body>{body}</body></html>'
    )


def _html(status: int, page: str) -> Answer:
    return Answer(status, page.encode("utf-8"), {"content-type": "text/html; charset=utf-8"})


def _not_found() -> Answer:
    return _html(404, _document("Page not found", "en", "<h1>404</h1><p>The page you requested was not found.</p>"))


def _bare(host: str) -> str:
    return host.lower().strip().rstrip(".").removeprefix("www.")


def _host_name(value: str) -> str:
    """The Host header without its port."""
    value = value.strip().lower()
    return value if value.endswith("]") else value.rsplit(":", 1)[0]


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _path(url: str) -> str:
    return urlsplit(url).path or "/"
