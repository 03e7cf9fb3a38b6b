"""DNS lookups, as the sending-domain check sees them: one name and record type in, one `DnsAnswer` out.

The Worker's adapter is `shared.adapters.doh.DohResolver` (DNS over HTTPS, JSON API); the local runtime points it at
`local.fakes.doh.FakeDohServer`. A resolver never raises: a failed lookup is an answer with status "error".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

DnsStatus = Literal["ok", "nxdomain", "nodata", "error"]


@dataclass(frozen=True, slots=True)
class DnsAnswer:
    name: str
    rtype: str  # "TXT", "MX", "A", ...
    status: DnsStatus  # ok: records found; nxdomain: no such name; nodata: the name exists, no record of rtype
    records: tuple[str, ...] = ()  # TXT: each record's character-strings joined, unquoted; MX: "10 mx.example.com."
    detail: str | None = None  # why, for "error" (and anything else worth showing)


class DnsResolver(Protocol):
    async def lookup(self, name: str, rtype: str) -> DnsAnswer:
        """Records of `rtype` at `name`. Never raises: transport failures come back as status "error"."""
        ...
