"""The offline world the enrichment fakes share: hotels with their websites, mail servers and mailboxes (world.json).

The search fakes answer with these hotels' URLs (and the trap URLs: portals, OTAs, social pages, parked domains),
the website fake serves their pages, the DNS fake their MX records, the verifier fakes their mailboxes. Tests pass
their own `World` to make a case; `load_world()` reads the shipped file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORLD_FILE = Path(__file__).with_name("world.json")


@dataclass(frozen=True, slots=True)
class Hotel:
    name: str
    city: str
    country: str
    domain: str
    title: str = ""
    description: str = ""
    rooms: int | None = None
    stars: int | None = None
    property_type: str = ""
    features: tuple[str, ...] = ()
    address: str = ""
    jsonld: bool = False
    mx: bool = True
    catch_all: bool = False
    mailboxes: tuple[str, ...] = ()
    robots: str | None = None
    redirect_to: str | None = None  # the site redirects there (e.g. to a booking portal)

    def addresses(self) -> tuple[str, ...]:
        return tuple(f"{box}@{self.domain}" for box in self.mailboxes)


@dataclass(frozen=True, slots=True)
class Trap:
    kind: str  # portal, ota, social, directory, parked, chain
    url: str
    title: str
    for_hotel: str  # the hotel name whose searches also find this URL
    parked: bool = False


@dataclass(frozen=True, slots=True)
class World:
    hotels: tuple[Hotel, ...] = ()
    traps: tuple[Trap, ...] = field(default_factory=tuple)

    def hotel_by_domain(self, domain: str) -> Hotel | None:
        domain = domain.lower().removeprefix("www.")
        return next((h for h in self.hotels if h.domain == domain), None)

    def mailbox_exists(self, address: str) -> bool:
        local, _, domain = address.lower().rpartition("@")
        hotel = self.hotel_by_domain(domain)
        return hotel is not None and local in hotel.mailboxes


def world_from(data: dict[str, Any]) -> World:
    hotels = tuple(
        Hotel(**{**h, "features": tuple(h.get("features", ())), "mailboxes": tuple(h.get("mailboxes", ()))})
        for h in data.get("hotels", ())
    )
    traps = tuple(
        Trap(kind=t["kind"], url=t["url"], title=t["title"], for_hotel=t["for"], parked=bool(t.get("parked")))
        for t in data.get("traps", ())
    )
    return World(hotels, traps)


def load_world(path: Path = WORLD_FILE) -> World:
    return world_from(json.loads(path.read_text(encoding="utf-8")))
