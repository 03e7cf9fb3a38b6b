"""Fake email verifiers over real HTTP: MillionVerifier's single API v3 and ZeroBounce's v2, answered from the
enrichment world (local/fakes/world.py), on one server.

    fake = await FakeVerifiers(load_world()).start()    # MillionVerifier(http, fake.millionverifier_key, fake.base_url)
    fake.script(["server_error", "ok"])                      # any vendor's next requests (or POST /__fake/script)
    fake.script(["quota"], vendor="zerobounce"); fake.credits[fake.millionverifier_key] = 3   # runs dry after 3

`GET /api/v3/?api=&email=&timeout=` (MillionVerifier), `GET /v2/validate?api_key=&email=&ip_address=&timeout=` and
`GET /v2/getcredits?api_key=` (ZeroBounce). The verdict comes from the world: a mailbox that exists -> ok / valid
(ZeroBounce says do_not_mail/role_based for role boxes such as info@, as it does); a catch-all hotel -> catch_all;
a hotel without MX, or a domain the world does not know -> invalid (no DNS); a known disposable domain ->
disposable; `unknown_domains` / `greylisting` -> unknown (greylisted). `outcomes[address]` forces one of OUTCOMES
for an address, `canned[(vendor, address)]` a raw JSON answer.

Accounts are API keys with credits: each answer costs one, unknowns are free (both vendors refund them); an unknown
key gets the vendor's auth answer ("Apikey not found"; ZeroBounce's one text for both, with getcredits -1), an
empty account the exhaustion answer ("Insufficient credits"; ZeroBounce's same text, getcredits 0). Both come with
HTTP 200, as the vendors send them. Modes, one consumed per validation request (getcredits consumes none):

    ok             the world's verdict               unknown      "unknown" whatever the world says
    greylisted     unknown / greylisted              quota        the exhaustion answer (the account is emptied)
    auth_error     the bad-key answer (ZeroBounce: the next getcredits says -1)
    rate_limited   429, Retry-After: 3               server_error 500 with an HTML page
    html           200 with an HTML page             garbage      200 with a truncated JSON body
    hang           no answer until stop() (or `hold_s`), for timeouts

`requests` (also `GET /__fake/requests`) records every call: vendor, path, email, whether the key was valid, the
mode, the verdict answered; never the key. CPython only; never bundled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from local.fakes.http import Answer, MiniHttpServer, Request, Script, json_answer
from local.fakes.world import World, load_world

MODES = (
    "ok", "unknown", "greylisted", "quota", "auth_error", "rate_limited", "server_error", "html", "garbage", "hang",
)  # fmt: skip
VENDORS = ("millionverifier", "zerobounce")
ROLE_BOXES = frozenset({"info", "contact", "reservations", "recepcja", "post", "events", "eventos", "sales", "office"})
DISPOSABLE_DOMAINS = frozenset({"mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com"})
FREE_DOMAINS = frozenset({"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de", "web.de"})
MV_AUTH = "Apikey not found"
MV_NO_CREDITS = "Insufficient credits"
ZB_REFUSED = "Invalid API key or your account ran out of credits"
HTML_PAGE = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"
JSON, HTML = {"content-type": "application/json"}, {"content-type": "text/html"}
BROKEN = {  # mode -> status, body, headers, what the request log says
    "rate_limited": (429, b'{"error": "Too many requests"}', {**JSON, "retry-after": "3"}, "HTTP 429"),
    "server_error": (500, HTML_PAGE, HTML, "HTTP 500"), "html": (200, HTML_PAGE, HTML, "HTML"),
    "garbage": (200, b'{"email": "x@y.example", "result": "o', JSON, "garbage"),
}  # fmt: skip
# outcome -> MillionVerifier (result, subresult, quality) and ZeroBounce (status, sub_status)
MV_SHAPES = {
    "valid": ("ok", "ok", "good"), "invalid": ("invalid", "mailbox_not_found", "bad"),
    "no_dns": ("invalid", "no_mx_record", "bad"), "syntax": ("error", "invalid_syntax", "bad"),
    "catch_all": ("catch_all", "catch_all", "risky"), "unknown": ("unknown", "unknown", "risky"),
    "greylisted": ("unknown", "greylisted", "risky"), "disposable": ("disposable", "disposable", "bad"),
    "spamtrap": ("invalid", "unknown", "bad"), "abuse": ("ok", "ok", "good"),
    "mailbox_full": ("invalid", "mailbox_full", "bad"), "toxic": ("ok", "ok", "good"),
    "role_catch_all": ("catch_all", "catch_all", "risky"),
}  # fmt: skip
MV_CODES = {"ok": 1, "catch_all": 2, "unknown": 3, "error": 4, "disposable": 5, "invalid": 6}
ZB_SHAPES = {
    "valid": ("valid", ""), "invalid": ("invalid", "mailbox_not_found"), "no_dns": ("invalid", "no_dns_entries"),
    "syntax": ("invalid", "failed_syntax_check"), "catch_all": ("catch-all", ""),
    "unknown": ("unknown", "mail_server_did_not_respond"), "greylisted": ("unknown", "greylisted"),
    "disposable": ("do_not_mail", "disposable"), "spamtrap": ("spamtrap", ""), "abuse": ("abuse", ""),
    "mailbox_full": ("invalid", "mailbox_quota_exceeded"), "toxic": ("do_not_mail", "toxic"),
    "role_catch_all": ("do_not_mail", "role_based_catch_all"),
}  # fmt: skip
OUTCOMES = tuple(MV_SHAPES)  # what `outcomes[address]` may force
FREE_OUTCOMES = frozenset({"unknown", "greylisted"})  # not charged


@dataclass(frozen=True)
class VerifierRequest:
    vendor: str
    path: str
    email: str
    key_valid: bool
    mode: str  # the mode consumed, or "getcredits" / "bad_request" / "no_key"
    verdict: str  # the vendor's result/status answered, or the error ("Insufficient credits", "HTTP 500", ...)


class FakeVerifiers(MiniHttpServer):
    def __init__(
        self,
        world: World | None = None,
        *,
        millionverifier_key: str = "fake-mv-key-7Jq2x",
        zerobounce_key: str = "fake-zb-key-4Lw9c",
        credits: int = 10_000,
        host: str = "127.0.0.1",
        port: int = 0,
        hold_s: float = 60.0,
    ) -> None:
        self.world = world if world is not None else load_world()
        self.millionverifier_key = millionverifier_key
        self.zerobounce_key = zerobounce_key
        self.accounts = {"millionverifier": {millionverifier_key}, "zerobounce": {zerobounce_key}}
        self.credits: dict[str, int] = {millionverifier_key: credits, zerobounce_key: credits}
        self.unknown_domains: set[str] = set()
        self.greylisting: set[str] = set()
        self.outcomes: dict[str, str] = {}  # address -> one of OUTCOMES
        self.canned: dict[tuple[str, str], dict[str, Any]] = {}  # (vendor, address) -> the raw JSON answer
        self.requests: list[VerifierRequest] = []
        super().__init__(MODES, host=host, port=port, hold_s=hold_s)  # self.modes: any vendor's next requests
        self.vendor_modes = {vendor: Script(MODES) for vendor in VENDORS}
        self._revoked_once: set[str] = set()  # ZeroBounce keys whose next getcredits says -1

    def add_account(self, vendor: str, key: str, credits: int) -> None:
        self.accounts[vendor].add(key)
        self.credits[key] = credits

    def script(self, modes: Iterable[str], *, vendor: str | None = None) -> None:
        (self.modes if vendor is None else self.vendor_modes[vendor]).script(modes)

    def outcome(self, address: str) -> str:
        """What the world says about `address` (before modes): one of OUTCOMES."""
        address = address.strip().lower()
        if address in self.outcomes:
            return self.outcomes[address]
        local, at, domain = address.rpartition("@")
        if not at or not local or "." not in domain or " " in address:
            return "syntax"
        if domain in DISPOSABLE_DOMAINS:
            return "disposable"
        if domain in self.greylisting:
            return "greylisted"
        if domain in self.unknown_domains:
            return "unknown"
        hotel = self.world.hotel_by_domain(domain)
        if hotel is None or not hotel.mx:
            return "no_dns"
        if hotel.catch_all:
            return "role_catch_all" if local in ROLE_BOXES else "catch_all"
        return "valid" if local in hotel.mailboxes else "invalid"

    def request_log(self) -> Any:
        return [asdict(r) for r in self.requests]

    def route(self, request: Request) -> Answer | None:  # None: hang
        path = request.path.rstrip("/") or "/"
        if request.method == "GET" and path == "/api/v3":
            return self._validate("millionverifier", request.path, request.query.get("api", ""), request.query)
        if request.method == "GET" and path == "/v2/validate":
            return self._validate("zerobounce", request.path, request.query.get("api_key", ""), request.query)
        if request.method == "GET" and path == "/v2/getcredits":
            return self._getcredits(request.query.get("api_key", ""))
        return json_answer(404, {"error": f"no route {request.method} {request.path}"})

    def _next_mode(self, vendor: str) -> str:
        own = self.vendor_modes[vendor]
        return own.next() if own.pending() else self.modes.next()

    def _validate(self, vendor: str, path: str, key: str, query: dict[str, str]) -> Answer | None:
        email = query.get("email", "")
        valid_key = key in self.accounts[vendor]

        def log(mode: str, verdict: str) -> None:
            self.requests.append(VerifierRequest(vendor, path, email, valid_key, mode, verdict))

        mv = vendor == "millionverifier"
        if not email:
            log("bad_request", "no email")
            return self._refusal(vendor, email, "No email" if mv else "Missing parameter: email", http=not mv)
        mode = self._next_mode(vendor)
        if mode == "hang":
            log(mode, "(no answer)")
            return None
        if mode in BROKEN:
            status, body, headers, verdict = BROKEN[mode]
            log(mode, verdict)
            return Answer(status, body, dict(headers))
        if not valid_key or mode == "auth_error" or mode == "quota" or self.credits.get(key, 0) <= 0:
            bad_key = not valid_key or mode == "auth_error"
            if bad_key and valid_key and not mv:
                self._revoked_once.add(key)  # the next getcredits says -1, as for a key ZeroBounce does not know
            if not bad_key:
                self.credits[key] = 0
            message = (MV_AUTH if bad_key else MV_NO_CREDITS) if mv else ZB_REFUSED
            log(mode, message)
            return self._refusal(vendor, email, message)
        canned = self.canned.get((vendor, email.lower()))
        if canned is not None:
            self.credits[key] -= 1
            log(mode, "canned")
            return json_answer(200, canned)
        outcome = mode if mode in ("unknown", "greylisted") else self.outcome(email)
        if outcome not in FREE_OUTCOMES:
            self.credits[key] -= 1
        if mv:
            payload = self._millionverifier(email, outcome, self.credits[key])
            log(mode, str(payload["result"]))
        else:
            payload = self._zerobounce(email, outcome)
            log(mode, f"{payload['status']}/{payload['sub_status']}".rstrip("/"))
        return json_answer(200, payload)

    def _getcredits(self, key: str) -> Answer:
        known = key in self.accounts["zerobounce"] and key not in self._revoked_once
        self._revoked_once.discard(key)
        credits = max(self.credits.get(key, 0), 0) if known else -1
        self.requests.append(VerifierRequest("zerobounce", "/v2/getcredits", "", known, "getcredits", str(credits)))
        return json_answer(200, {"Credits": str(credits)})

    def _refusal(self, vendor: str, email: str, message: str, *, http: bool = False) -> Answer:
        if vendor == "zerobounce":
            return json_answer(400 if http else 200, {"error": message})
        payload = self._millionverifier(email, "syntax", 0)
        payload.update(result="error", resultcode=4, subresult="", quality="", error=message, executiontime=0)
        return json_answer(200, payload)

    def _millionverifier(self, email: str, outcome: str, credits: int) -> dict[str, Any]:
        result, subresult, quality = MV_SHAPES[outcome]
        local, _, domain = email.lower().rpartition("@")
        return {
            "email": email, "quality": quality, "result": result, "resultcode": MV_CODES[result],
            "subresult": subresult, "free": domain in FREE_DOMAINS, "didyoumean": "", "credits": credits,
            "role": local in ROLE_BOXES or outcome == "role_catch_all", "executiontime": 1, "error": "",
            "livemode": True,
        }  # fmt: skip

    def _zerobounce(self, email: str, outcome: str) -> dict[str, Any]:
        status, sub_status = ZB_SHAPES[outcome]
        local, _, domain = email.lower().rpartition("@")
        if outcome == "valid" and local in ROLE_BOXES:
            status, sub_status = "do_not_mail", "role_based"
        hotel = self.world.hotel_by_domain(domain)
        mx = f"mx1.{domain}" if hotel is not None and hotel.mx else ""
        unknown = ("did_you_mean", "smtp_provider", "firstname", "lastname", "gender", "country", "region", "city")
        return {
            "address": email, "status": status, "sub_status": sub_status, "free_email": domain in FREE_DOMAINS,
            "account": local, "domain": domain, "domain_age_days": "4107" if hotel is not None else None,
            "mx_found": "true" if mx else "false", "mx_record": mx or None, **dict.fromkeys(unknown), "zipcode": None,
            "processed_at": "2026-03-02 09:14:27.315",
        }  # fmt: skip


__all__ = ["MODES", "OUTCOMES", "FakeVerifiers", "VerifierRequest"]
