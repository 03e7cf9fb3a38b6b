"""`DnsResolver` over DNS over HTTPS, JSON flavour (as Cloudflare's `cloudflare-dns.com/dns-query` and Google's
`dns.google/resolve` serve it): `GET {url}?name=…&type=TXT` with `accept: application/dns-json`.

Answer mapping: `Status` 0 (NOERROR) → "ok" when an answer of the asked type is present, else "nodata" (answers of
other types, e.g. the CNAME hops, are dropped); 3 (NXDOMAIN) → "nxdomain"; any other rcode (SERVFAIL, REFUSED…),
a non-200 reply, a transport failure or timeout, or a body that is not the documented JSON → "error" with a detail.
TXT `data` comes in zone-file presentation (`"v=spf1 " "include:… ~all"`, RFC 1035 §5.1: quoted character-strings
with `\\"` and `\\DDD` escapes); the strings of one record are joined (RFC 7208 §3.3). Google serves TXT unquoted:
such data is taken as is. MX data is kept as served ("10 mx.example.com."). Names are IDNA-encoded before asking.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from shared.ports.dns import DnsAnswer
from shared.ports.http import HttpClient, HttpError, HttpTimeout

RR_TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "CAA": 257}
RCODES = {1: "FORMERR", 2: "SERVFAIL", 4: "NOTIMP", 5: "REFUSED"}


class DohResolver:
    def __init__(self, http: HttpClient, url: str, *, timeout_s: float = 5.0) -> None:
        self._http = http
        self._url = url
        self._timeout_s = timeout_s

    async def lookup(self, name: str, rtype: str) -> DnsAnswer:
        rtype = rtype.upper()
        try:
            qname = encode_name(name)
        except ValueError as exc:
            return DnsAnswer(name, rtype, "error", detail=f"invalid name: {exc}")
        url = f"{self._url}{'&' if '?' in self._url else '?'}{urlencode({'name': qname, 'type': rtype})}"
        try:
            response = await self._http.request(
                "GET", url, headers={"accept": "application/dns-json"}, timeout_s=self._timeout_s
            )
        except HttpTimeout:
            return DnsAnswer(qname, rtype, "error", detail=f"DNS over HTTPS timed out after {self._timeout_s:g}s")
        except HttpError as exc:
            return DnsAnswer(qname, rtype, "error", detail=f"DNS over HTTPS unreachable: {exc}")
        if response.status != 200:
            return DnsAnswer(qname, rtype, "error", detail=f"DNS over HTTPS answered HTTP {response.status}")
        try:
            payload = response.json()
        except ValueError:
            return DnsAnswer(qname, rtype, "error", detail="DNS over HTTPS answer is not JSON")
        return parse_answer(qname, rtype, payload)


def encode_name(name: str) -> str:
    """The ASCII (IDNA) form of `name`, without the root dot; ValueError when it is not a valid DNS name."""
    name = name.strip().rstrip(".")
    if not name:
        raise ValueError("empty name")
    try:
        encoded = name.encode("idna").decode("ascii")
    except UnicodeError as exc:  # empty or over-long label, or characters IDNA refuses
        raise ValueError(str(exc)) from None
    if len(encoded) > 253:
        raise ValueError("name longer than 253 characters")
    return encoded.lower()


def parse_answer(name: str, rtype: str, payload: Any) -> DnsAnswer:
    if not isinstance(payload, dict) or not isinstance(payload.get("Status"), int):
        return DnsAnswer(name, rtype, "error", detail="DNS over HTTPS answer has no Status")
    status: int = payload["Status"]
    comment = payload.get("Comment")
    note = f": {comment}" if isinstance(comment, str) else ""
    if status == 3:
        return DnsAnswer(name, rtype, "nxdomain", detail=f"NXDOMAIN{note}")
    if status != 0:
        return DnsAnswer(name, rtype, "error", detail=f"{RCODES.get(status, 'rcode')} (rcode {status}){note}")
    answers = payload.get("Answer", [])
    if not isinstance(answers, list):
        return DnsAnswer(name, rtype, "error", detail="DNS over HTTPS Answer is not a list")
    wanted = RR_TYPES.get(rtype)
    records: list[str] = []
    for answer in answers:
        if not isinstance(answer, dict) or not isinstance(answer.get("data"), str):
            return DnsAnswer(name, rtype, "error", detail="DNS over HTTPS answer record has no data")
        if wanted is not None and answer.get("type") != wanted:
            continue
        records.append(parse_txt_data(answer["data"]) if rtype == "TXT" else answer["data"])
    if not records:
        return DnsAnswer(name, rtype, "nodata", detail=f"no {rtype} record")
    return DnsAnswer(name, rtype, "ok", tuple(records))


def parse_txt_data(data: str) -> str:
    """One TXT record's text: its quoted character-strings unescaped and joined; unquoted data as is."""
    data = data.strip()
    if not data.startswith('"'):
        return data
    out = bytearray()
    i, n, quoted = 0, len(data), False
    while i < n:
        ch = data[i]
        if ch == '"':
            quoted = not quoted
            i += 1
        elif ch == "\\" and i + 1 < n:
            digits = data[i + 1 : i + 4]
            if len(digits) == 3 and digits.isdigit() and int(digits) < 256:
                out.append(int(digits))
                i += 4
            else:
                out += data[i + 1].encode()
                i += 2
        elif quoted:
            out += ch.encode()
            i += 1
        else:  # whitespace between character-strings
            i += 1
    return out.decode("utf-8", errors="replace")


__all__ = ["DohResolver", "encode_name", "parse_answer", "parse_txt_data"]
