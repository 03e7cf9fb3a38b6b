"""A fake DNS-over-HTTPS resolver on 127.0.0.1: the JSON API Cloudflare (`cloudflare-dns.com/dns-query`) serves,
answered from a zone `{name: {type: [records]}}` (by default `local/fakes/zones.json`, the demo domains `make dev`
serves).

`GET /dns-query?name=…&type=TXT` with `accept: application/dns-json` → `{"Status", "Question", "Answer"}`; a name not
in the zone → Status 3 (NXDOMAIN); a name without records of the type → Status 0 and no Answer; a `CNAME` in the
zone is followed. TXT records are served as Cloudflare serves them: quoted, split into strings of at most 255 bytes.
Test switches: `fail` (every answer SERVFAIL, Status 2), `failing` (the names that answer SERVFAIL; `servfail()`
adds to it), `malformed` (bodies that are not JSON), `hang` (no answer until `stop()`, for timeouts).
`set_zone()`/`add()` change the zone; so does `POST /__fake/zone` with the zone as JSON (it replaces the zone), for a
running `make dev`.

`world=` (local/fakes/world.py) also answers for the enrichment world's hotel domains, beneath the zone (a name in
the zone wins; replacing the zone keeps them): a hotel with `mx: true` has `10 mx1.<domain>.` and an A record at the
apex and at `mx1.`; one with `mx: false` exists (NODATA) with neither MX nor A. Every hotel has `www.<domain>` A.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from local.fakes.world import World

DEMO_ZONES = Path(__file__).with_name("zones.json")
RR_TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "CAA": 257}
TYPE_NAMES = {number: name for name, number in RR_TYPES.items()}
DNS_JSON = "application/dns-json"

Zone = dict[str, dict[str, list[str]]]


def normalise_zone(zone: Mapping[str, Mapping[str, Sequence[str]]]) -> Zone:
    """Names lower-case without the root dot, types upper-case; ValueError when the shape is not a zone."""
    if not isinstance(zone, Mapping):
        raise ValueError("a zone is an object {name: {type: [records]}}")
    out: Zone = {}
    for name, rrsets in zone.items():
        if not isinstance(rrsets, Mapping):
            raise ValueError(f"{name}: expected {{type: [records]}}")
        out.setdefault(name.lower().rstrip("."), {})  # a name without records exists: NODATA, not NXDOMAIN
        for rtype, records in rrsets.items():
            if not isinstance(records, list) or not all(isinstance(r, str) for r in records):
                raise ValueError(f"{name} {rtype}: expected a list of strings")
            out.setdefault(name.lower().rstrip("."), {})[rtype.upper()] = list(records)
    return out


def load_zone(path: Path = DEMO_ZONES) -> Zone:
    return normalise_zone(json.loads(path.read_text()))


def world_zone(world: World) -> Zone:
    """The records the world's hotel domains have: MX and A for those with mail, none for those without
    (addresses from TEST-NET-1, RFC 5737, one per hotel)."""
    zone: Zone = {}
    for index, hotel in enumerate(world.hotels):
        domain = hotel.domain.lower().rstrip(".")
        address = f"192.0.2.{index % 254 + 1}"
        zone[f"www.{domain}"] = {"A": [address]}
        if hotel.mx:
            zone[domain] = {"MX": [f"10 mx1.{domain}."], "A": [address]}
            zone[f"mx1.{domain}"] = {"A": [address]}
        else:
            zone[domain] = {"TXT": ["v=spf1 -all"]}  # the name exists; it takes no mail and has no apex address
    return zone


def present_txt(text: str) -> str:
    """A TXT record in zone-file presentation, as DoH JSON carries it: quoted strings of at most 255 bytes."""
    raw = text.encode()
    chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
    out = []
    for chunk in chunks:
        chars = []
        for byte in chunk:
            if byte in b'"\\':
                chars.append("\\" + chr(byte))
            elif 0x20 <= byte < 0x7F:
                chars.append(chr(byte))
            else:
                chars.append(f"\\{byte:03d}")
        out.append('"' + "".join(chars) + '"')
    return " ".join(out)


class FakeDohServer:
    def __init__(
        self,
        zone: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ttl: int = 300,
        world: World | None = None,
    ) -> None:
        self.zone: Zone = normalise_zone(zone) if zone is not None else load_zone()
        self.world_zone: Zone = world_zone(world) if world is not None else {}
        self.host = host
        self.port = port
        self.ttl = ttl
        self.fail = False
        self.failing: set[str] = set()
        self.malformed = False
        self.hang = False
        self.queries: list[tuple[str, str]] = []  # (name, type) as asked, in order
        self._released = asyncio.Event()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    # -- the zone -------------------------------------------------------------------------------------------------
    def set_zone(self, zone: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        self.zone = normalise_zone(zone)

    def servfail(self, *names: str) -> None:
        """These names answer SERVFAIL (Status 2) from now on; `failing.clear()` heals them."""
        self.failing.update(n.lower().rstrip(".") for n in names)

    def add(self, name: str, rtype: str, *records: str) -> None:
        rrsets = self.zone.setdefault(name.lower().rstrip("."), {})
        rrsets.setdefault(rtype.upper(), []).extend(records)

    # -- lifecycle ------------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/dns-query"

    async def start(self) -> FakeDohServer:
        app = Starlette(
            routes=[Route("/dns-query", self._query, methods=["GET"]), Route("/__fake/zone", self._replace,
                                                                              methods=["POST"])]
        )  # fmt: skip
        config = uvicorn.Config(app, host=self.host, port=self.port, log_level="warning", lifespan="off", ws="none")
        self._server = uvicorn.Server(config)
        self._released = asyncio.Event()
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
                raise RuntimeError(f"the fake DoH server could not listen on {self.host}:{self.port}")
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._released.set()  # hanging requests finish, so the server can shut down
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None

    async def __aenter__(self) -> FakeDohServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- HTTP -----------------------------------------------------------------------------------------------------
    async def _query(self, request: Request) -> Response:
        if DNS_JSON not in request.headers.get("accept", ""):
            return JSONResponse({"error": f"send accept: {DNS_JSON}"}, status_code=400)
        name = request.query_params.get("name", "").lower().rstrip(".")
        asked = request.query_params.get("type", "A").upper()
        rtype = TYPE_NAMES.get(int(asked), asked) if asked.isdigit() else asked
        if not name or rtype not in RR_TYPES:
            return JSONResponse({"error": "name and a known type are required"}, status_code=400)
        self.queries.append((name, rtype))
        if self.hang:
            await self._released.wait()
        if self.malformed:
            return Response(b'{"Status": 0, "Answer": [', media_type=DNS_JSON)
        return JSONResponse(self.answer(name, rtype), media_type=DNS_JSON)

    async def _replace(self, request: Request) -> Response:
        try:
            self.set_zone(json.loads(await request.body()))
        except ValueError as exc:  # JSON errors are ValueErrors too
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"names": len(self.zone)})

    def answer(self, name: str, rtype: str) -> dict[str, Any]:
        """The DoH JSON answer for one question, from the zone as it is now."""
        question = [{"name": f"{name}.", "type": RR_TYPES[rtype]}]
        base: dict[str, Any] = {"TC": False, "RD": True, "RA": True, "AD": False, "CD": False, "Question": question}
        answers: list[dict[str, Any]] = []
        current = name
        for _ in range(8):  # CNAME hops
            if self.fail or current in self.failing:
                return {"Status": 2, **base, "Comment": f"SERVFAIL for {current} (fake)"}
            rrsets = self.zone.get(current, self.world_zone.get(current))
            if rrsets is None:
                return {"Status": 3, **base, **({"Answer": answers} if answers else {})}
            cname = rrsets.get("CNAME")
            if cname and rtype != "CNAME":
                target = cname[0].lower().rstrip(".")
                answers.append(self._record(current, "CNAME", f"{target}."))
                current = target
                continue
            for record in rrsets.get(rtype, []):
                answers.append(self._record(current, rtype, present_txt(record) if rtype == "TXT" else record))
            break
        return {"Status": 0, **base, **({"Answer": answers} if answers else {})}

    def _record(self, name: str, rtype: str, data: str) -> dict[str, Any]:
        return {"name": f"{name}.", "type": RR_TYPES[rtype], "TTL": self.ttl, "data": data}


__all__ = ["DEMO_ZONES", "FakeDohServer", "load_zone", "present_txt", "world_zone"]
