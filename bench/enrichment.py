"""Enrichment throughput on the local runtime against the local fakes (issue 11): a lead file of `HOTELS` hotels
(a `World` built here: domains, pages, MX and mailboxes; some catch-all, some without MX, some whose site redirects
to a booking portal, some with a parked look-alike among the results, some whose contact has no mailbox) imported
through `POST /api/imports`, the queues drained, then:

- prospects enriched per second (wall, import job included), and per prospect the provider calls (search, verifier),
  DNS queries and page fetches from the fakes' request logs, and the estimated cost from `GET /api/enrich/status`;
- the coverage reached (website, valid email, catch-all, facts) beside what the world makes possible;
- the raw baseline: the same HTTP round trips (replayed from the fakes' logs) sent directly with httpx to the same
  fakes, sequentially: what the network part alone costs; and the ratio pipeline/baseline.

The providers' per-second buckets are lifted with `RATE_LIMIT_PROVIDERS` (quotas kept), or the guard would pace the
run at Brave's 1 query/s; the output says so. No figure here is asserted.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from local.clock import ManualClock
from local.fakes.enrichment import EnrichmentFakes
from local.fakes.world import Hotel, Trap, World
from local.runtime import LocalRuntime
from local.server import create_dev_app

ROOT = Path(__file__).resolve().parent.parent
HOTELS = 200
KEY = "bench_key_0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
LIFTED = {f"provider:{p}": {"capacity": 100_000, "refill_per_s": 100_000}
          for p in ("brave", "google_cse", "searxng", "millionverifier", "zerobounce")}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    cities: tuple[str, ...]
    styles: tuple[str, str, str, str]  # how hotel names are made from a core
    cores: tuple[str, ...]
    people: tuple[str, ...]


COUNTRIES = (
    Country("DE", "Germany", ("Munich", "Hamburg", "Berlin", "Freiburg"),
            ("Hotel {}", "Gasthof {}", "Pension {}", "{} Resort & Spa"),
            ("Lindenhof", "Bergblick", "Seeblick", "Waldesruh", "Rosengarten", "Kastanienhof", "Eichenhof",
             "Mühlbach", "Sternhof", "Am Stadtpark", "Zur Post", "Goldener Hirsch"),
            ("Hannah Fischer", "Lukas Becker", "Jürgen Müller", "Sabine Wagner", "Felix Schröder", "Anja Hoffmann")),
    Country("AT", "Austria", ("Vienna", "Salzburg", "Innsbruck"),
            ("Hotel {}", "Alpengasthof {}", "Pension {}", "Chalet {}"),
            ("Edelweiss", "Tirolerhof", "Almrausch", "Schlossblick", "Kaiserkrone", "Sonnalm", "Bergkristall"),
            ("Maria Huber", "Stefan Gruber", "Katharina Bauer", "Florian Steiner")),
    Country("IT", "Italy", ("Florence", "Rome", "Venice", "Verona"),
            ("Hotel {}", "Albergo {}", "Locanda {}", "Residenza {}"),
            ("Bellavista", "Villa Flora", "Il Girasole", "La Pergola", "San Marco", "Miramare", "Le Tre Rose",
             "Due Torri", "Il Castello", "Santa Chiara"),
            ("Marco Rossi", "Giulia Bianchi", "Luca Ferrari", "Francesca Romano", "Niccolò Esposito")),
    Country("ES", "Spain", ("Valencia", "Seville", "Barcelona", "Granada"),
            ("Hotel {}", "Hostal {}", "Posada {}", "Apartamentos {}"),
            ("Mar Azul", "Casa Blanca", "El Mirador", "Los Olivos", "La Alameda", "Sol y Mar", "Puerta Real",
             "Las Palmeras", "El Patio Andaluz"),
            ("Elena García", "Javier Martínez", "Lucía Fernández", "Sergio López", "Carmen Ruiz")),
    Country("FR", "France", ("Lyon", "Paris", "Nice", "Bordeaux"),
            ("Hôtel {}", "Auberge {}", "Le Relais {}", "Résidence {}"),
            ("des Arts", "du Vieux Port", "Les Tilleuls", "de la Cathédrale", "Le Petit Trianon", "des Remparts",
             "Belle Époque", "des Vignes"),
            ("Camille Laurent", "Julien Moreau", "Élodie Lefèvre", "Antoine Girard", "Chloé Dubois")),
    Country("GB", "United Kingdom", ("Brighton", "York", "Edinburgh", "Bath"),
            ("The {} Inn", "{} House Hotel", "The {} Lodge", "{} Guest House"),
            ("Harbour", "Old Rectory", "Kingfisher", "Red Lion", "Swan", "Ivy", "Heron", "Abbey"),
            ("James Walker", "Emily Clarke", "Oliver Hughes", "Sophie Turner", "Thomas Wright")),
    Country("PT", "Portugal", ("Porto", "Lisbon"), ("Casa {}", "Quinta {}", "Hotel {}", "Pousada {}"),
            ("do Rio", "da Ribeira", "das Flores", "do Largo", "Sol Nascente"),
            ("Ana Costa", "João Silva", "Inês Pereira", "Tiago Santos")),
    Country("NO", "Norway", ("Bergen", "Oslo"), ("{} Hotel", "{} Gjestehus", "{} Hytter", "{} Pensjonat"),
            ("Nordlys", "Fjordgløtt", "Bryggen Panorama", "Fjellro", "Havblikk"),
            ("Ingrid Hansen", "Lars Johansen", "Kari Olsen", "Erik Larsen")),
)  # fmt: skip
FEATURES = ("spa", "outdoor pool", "restaurant", "bar", "garden terrace", "sauna", "free parking", "fitness room",
            "conference centre", "bicycle rental", "rooftop terrace", "sea view")  # fmt: skip
JOBS = ("General Manager", "Owner", "Director of Sales", "Hotel Manager", "Front Office Manager", "Revenue Manager")


@dataclass(frozen=True, slots=True)
class Lead:
    first: str
    last: str
    job: str
    hotel: Hotel
    location: str
    person_box: bool  # the contact has a mailbox on the hotel's domain


def _ascii(text: str, country: str) -> str:
    if country in ("DE", "AT"):
        text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("ø", "o").replace("æ", "ae").replace("å", "a")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -'")).strip()


def _slug(text: str, country: str) -> str:
    return "-".join(_ascii(text, country).replace("'", "").split())


def _mailbox(first: str, last: str, country: str, roll: float) -> str:
    f, surname = _ascii(first, country).replace(" ", ""), _ascii(last, country).replace(" ", "").replace("'", "")
    if roll < 0.7:
        return f"{f}.{surname}"
    return f"{f[0]}{surname}" if roll < 0.85 else f if roll < 0.95 else f"{f[0]}.{surname}"


def build_world(n: int = HOTELS, seed: int = 11) -> tuple[World, list[Lead]]:
    """`n` hotels with distinct names (none inside another, as the search fake matches names by inclusion)."""
    rng = random.Random(seed)
    names: list[tuple[str, str, int]] = []  # name, core, country index
    for style_i in range(4):
        for ci, c in enumerate(COUNTRIES):
            names += [(c.styles[style_i].format(core), core, ci) for core in c.cores]
    kept: list[tuple[str, str, int]] = []
    for name, core, ci in names:
        folded = _ascii(name, "")
        if all(folded not in _ascii(k, "") and _ascii(k, "") not in folded for k, _, _ in kept):
            kept.append((name, core, ci))
    hotels, traps, leads, domains = [], [], [], set()
    for i, (name, core, ci) in enumerate(kept[:n]):
        place = COUNTRIES[ci]
        code, city = place.code, place.cities[i % len(place.cities)]
        domain = (f"{_slug(name, code)}.example", f"{_slug(core, code)}-{_slug(city, code)}.example",
                  f"{_slug(core, code).replace('-', '')}hotel.example")[i % 3]  # fmt: skip
        domain = domain if domain not in domains else f"{_slug(name, code)}-{_slug(city, code)}.example"
        domains.add(domain)
        first, last = rng.choice(place.people).split(" ", 1)
        person_box = i % 20 != 9
        boxes = ((_mailbox(first, last, code, rng.random()),) if person_box else ()) + ("info", "reservations")
        rooms, stars = rng.randint(8, 180), rng.randint(2, 5)
        portal = f"https://www.booking.com/hotel/{code.lower()}/{_slug(name, code)}.html"
        hotels.append(Hotel(
            name=name, city=city, country=code, domain=domain, title=f"{name} {city} – official website",
            description=f"{name} in {city}: {rooms} rooms, {', '.join(rng.sample(FEATURES, 2))} and a warm welcome.",
            rooms=rooms, stars=stars, property_type=rng.choice(("hotel", "boutique hotel", "guest house", "inn")),
            features=tuple(rng.sample(FEATURES, 3)), address=f"{rng.randint(1, 90)} Main Street, {city}",
            jsonld=i % 2 == 0, mx=i % 10 != 5, catch_all=i % 10 == 3, mailboxes=boxes,
            redirect_to=portal if i % 20 == 7 else None,
        ))  # fmt: skip
        if i % 10 == 8:  # a parked look-alike ranked above the hotel's own site
            look_alike = f"hotel-{_slug(core, code)}-{_slug(city, code)}.example"
            traps.append(Trap("parked", f"https://{look_alike}/", f"{look_alike} is for sale", name, parked=True))
        leads.append(Lead(first, last, rng.choice(JOBS), hotels[-1], f"{city}, {place.name}", person_box))
    return World(tuple(hotels), tuple(traps)), leads


def lead_file(leads: list[Lead]) -> bytes:
    rows = ["first_name,last_name,job_title,company_name,company_website,email,location\r\n"]
    rows += [f'{lead.first},{lead.last},{lead.job},{lead.hotel.name},,,"{lead.location}"\r\n' for lead in leads]
    return "".join(rows).encode()


def possible(leads: list[Lead]) -> dict[str, int]:
    """What the world allows: a site unless it redirects to a portal; facts with the site; a valid address when the
    domain takes mail, is not catch-all and the contact has a mailbox; a catch-all address when it is catch-all."""
    site = [lead for lead in leads if lead.hotel.redirect_to is None]
    mail = [lead for lead in site if lead.hotel.mx]
    return {
        "website": len(site), "facts": len(site),
        "valid": sum(1 for lead in mail if not lead.hotel.catch_all and lead.person_box),
        "catch_all": sum(1 for lead in mail if lead.hotel.catch_all),
    }  # fmt: skip


async def run(tmp: Path, figure: Callable[[str], None], n: int = HOTELS) -> None:
    world, leads = build_world(n)
    async with EnrichmentFakes(world=world) as fakes:
        settings = {"APP_ENV": "test", "LOG_LEVEL": "error", "API_KEY": KEY,
                    "RATE_LIMIT_PROVIDERS": json.dumps(LIFTED), **fakes.worker_vars()}  # fmt: skip
        runtime = LocalRuntime(ROOT, state_dir=tmp / "enrichment-state", clock=ManualClock(), extra_vars=settings)
        await runtime.start(migrate=True)
        try:
            transport = httpx.ASGITransport(app=create_dev_app(runtime))
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as http:
                with contextlib.redirect_stdout(io.StringIO()):
                    started = time.perf_counter()
                    answer = await http.post("/api/imports", content=lead_file(leads),
                                             headers={**AUTH, "Content-Type": "text/csv"})  # fmt: skip
                    await runtime.drain()
                    elapsed = time.perf_counter() - started
                    status = (await http.get("/api/enrich/status", headers=AUTH)).json()
        finally:
            await runtime.close()
        if answer.status_code != 202:
            figure(f"enrichment: the import was refused ({answer.status_code}): {answer.text[:200]}")
            return
        trips = _round_trips(fakes)
        logged = {
            name: len(fakes.search.requests[protocol])
            for name, protocol in (("brave", "brave"), ("google_cse", "google"), ("searxng", "searxng"))
        }
        logged |= {vendor: sum(1 for r in fakes.verifiers.requests if r.vendor == vendor and r.mode != "getcredits")
                   for vendor in ("millionverifier", "zerobounce")}  # fmt: skip
        baseline = await _replay(trips)
    _report(figure, n, elapsed, baseline, trips, status, possible(leads), logged)


@dataclass(frozen=True, slots=True)
class Trip:
    kind: str  # search, verify, dns, page
    url: str
    headers: dict[str, str]


def _round_trips(fakes: EnrichmentFakes) -> list[Trip]:
    """Every request the pipeline sent to the fakes, as httpx would send it (keys put back, Host for the sites)."""
    trips: list[Trip] = []
    search = fakes.search
    for protocol, logged in search.requests.items():
        for r in logged:
            query = {k: (search.google_key if v == "[key]" else v) for k, v in r.query.items()}
            token = {"X-Subscription-Token": search.brave_key} if protocol == "brave" else {}
            trips.append(Trip("search", str(httpx.URL(search.base_url + r.path, params=query)), token))
    verifiers = fakes.verifiers
    for v in verifiers.requests:
        if v.vendor == "millionverifier":
            params = {"api": verifiers.millionverifier_key, "email": v.email, "timeout": "10"}
        else:
            params = {"api_key": verifiers.zerobounce_key, "email": v.email, "ip_address": "", "timeout": "10"}
        trips.append(Trip("verify" if v.mode != "getcredits" else "credits",
                          str(httpx.URL(verifiers.base_url + v.path, params=params)), {}))  # fmt: skip
    for name, rtype in fakes.doh.queries:
        url = str(httpx.URL(fakes.doh.url, params={"name": name, "type": rtype}))
        trips.append(Trip("dns", url, {"Accept": "application/dns-json"}))
    for page in fakes.websites.requests:
        headers = {"Host": page.host, "X-Forwarded-Proto": page.proto or "https", "User-Agent": page.user_agent}
        trips.append(Trip("page", fakes.websites.base_url.rstrip("/") + page.path, headers))
    return trips


async def _replay(trips: list[Trip]) -> float:
    """Seconds to send the same round trips one after the other with one httpx client (no pipeline around them)."""
    async with httpx.AsyncClient(timeout=10.0) as client:
        started = time.perf_counter()
        for trip in trips:
            with contextlib.suppress(httpx.HTTPError):  # an unknown host's page: the fake closes the connection
                await client.get(trip.url, headers=trip.headers)
        return time.perf_counter() - started


def _report(figure: Callable[[str], None], n: int, elapsed: float, baseline: float, trips: list[Trip],
            status: dict[str, Any], can: dict[str, int], logged: dict[str, int]) -> None:  # fmt: skip
    count = {kind: sum(1 for t in trips if t.kind == kind) for kind in ("search", "verify", "dns", "page", "credits")}
    done = status["prospects"]["done"] + status["prospects"]["partial"]
    coverage, providers = status["coverage"], {p["name"]: p for p in status["providers"]}
    calls = {name: p["today"]["calls"] for name, p in providers.items() if p["today"]["calls"]}
    cost = status["cost_usd"]["today"]
    rate = n / elapsed if elapsed else 0.0
    figure(
        f"enrichment: {n} hotels imported + enriched in {elapsed:.2f} s = {rate:6.1f} prospects/s "
        f"({done} done/partial, {status['prospects']['failed']} failed, {status['prospects']['waiting']} waiting)"
    )
    figure(f"enrichment: per prospect {count['search'] / n:.2f} searches, {count['verify'] / n:.2f} verifications, "
           f"{count['dns'] / n:.2f} DoH queries, {count['page'] / n:.2f} page fetches; est. cost "
           f"${cost / n:.5f} (${cost:.4f} in all)")  # fmt: skip
    agree = {k: v for k, v in logged.items() if v} == calls
    brave = (providers.get("brave") or {}).get("quota") or {}
    figure(f"enrichment: /api/enrich/status calls {calls} ({'as' if agree else 'NOT as'} the fakes logged them); "
           f"brave month quota {brave.get('monthly_used')}/{brave.get('monthly')} used")  # fmt: skip
    reached = {"website": coverage["with_website"], "valid": coverage["with_valid_email"],
               "catch_all": coverage["with_catch_all_email"], "facts": coverage["with_facts"]}  # fmt: skip
    parts = [
        f"{k} {reached[k]}/{n} ({100 * reached[k] / n:.1f} %, world allows {can[k]}"
        f"{'' if reached[k] == can[k] else ' - MISMATCH'})"
        for k in ("website", "valid", "catch_all", "facts")
    ]
    figure("enrichment: coverage " + "; ".join(parts))
    total, raw_rate = len(trips), n / baseline if baseline else 0.0
    figure(f"enrichment: raw baseline: the same {total} round trips sent with httpx in {baseline:.2f} s = "
           f"{raw_rate:6.1f} prospects/s (ratio {rate / raw_rate:.3f}, the pipeline takes {elapsed / baseline:.1f}x "
           "the time); RATE_LIMIT_PROVIDERS lifts the providers' per-second buckets to 100,000 for the bench, "
           "quotas as configured")  # fmt: skip
