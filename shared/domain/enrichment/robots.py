"""robots.txt (RFC 9309) for reading a hotel's pages: which paths our agent may fetch, and its crawl delay.

`RobotsPolicy.parse(text)` reads the groups with `urllib.robotparser.RobotFileParser.parse` (no network) and matches
as the RFC says, not as the stdlib does: the longest matching rule wins, `allow` wins a tie, `*` matches any run of
characters and a final `$` anchors the end, and every group naming our agent is combined (the `*` group only when
none does). `RobotsPolicy.for_status(status, text)` applies §2.3.1: a 2xx is parsed, a 4xx (or no robots.txt at all)
allows everything, a 5xx (and a 429, as major crawlers treat it) disallows everything. /robots.txt itself is always
allowed. The text read is capped at 500 KiB (§2.5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit
from urllib.robotparser import RobotFileParser

MAX_ROBOTS = 512_000


@dataclass(frozen=True, slots=True)
class _Rule:
    allow: bool
    path: str  # as the stdlib normalised it: percent-encoded, "*" as %2A, "$" as %24
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Group:
    agents: tuple[str, ...]
    rules: tuple[_Rule, ...]
    delay: float | None


@dataclass(frozen=True, slots=True)
class RobotsPolicy:
    groups: tuple[_Group, ...] = ()
    default: tuple[_Group, ...] = ()  # the `*` groups
    everything: bool | None = None  # True: allow all, False: disallow all, None: follow the rules
    sitemaps: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def allow_all(cls) -> RobotsPolicy:
        return cls(everything=True)

    @classmethod
    def disallow_all(cls) -> RobotsPolicy:
        return cls(everything=False)

    @classmethod
    def for_status(cls, status: int | None, text: str = "") -> RobotsPolicy:
        """None: no answer at all (treated as unreachable: disallow, §2.3.1.4), else by the final HTTP status."""
        if status is None or status == 429 or status >= 500:
            return cls.disallow_all()
        if 200 <= status < 300:
            return cls.parse(text)
        return cls.allow_all()  # 4xx: "unavailable", and a 3xx still unresolved after the redirects we follow

    @classmethod
    def parse(cls, text: str) -> RobotsPolicy:
        parser = RobotFileParser()
        lines = text[:MAX_ROBOTS].lstrip("\ufeff").splitlines()
        try:
            parser.parse(lines)
        except Exception:
            return cls.allow_all()
        delays, named = _prescan(lines)
        default_entry = getattr(parser, "default_entry", None)  # the stdlib's parsed groups (not typed in typeshed)
        entries = ([default_entry] if default_entry is not None else []) + list(getattr(parser, "entries", []))
        groups = [_group(entry, delays) for entry in entries]
        known = {a for g in groups for a in g.agents}
        groups += [_Group((a,), (), delays.get((a,))) for a in named - known]  # a group with no rules allows all
        default = tuple(g for g in groups if "*" in g.agents)
        return cls(tuple(g for g in groups if "*" not in g.agents), default, None, tuple(parser.site_maps() or ()))

    def allows(self, url: str, agent: str) -> bool:
        if self.everything is not None:
            return self.everything
        target = _target(url)
        if target == "/robots.txt":
            return True
        best: _Rule | None = None
        for rule in (r for g in self._groups_for(agent) for r in g.rules):
            if rule.pattern.match(target) and (
                best is None or len(rule.path) > len(best.path) or (len(rule.path) == len(best.path) and rule.allow)
            ):
                best = rule
        return best is None or best.allow

    def crawl_delay(self, agent: str) -> float | None:
        """The Crawl-delay our agent's group (else `*`) states, in seconds (not part of RFC 9309, widely used)."""
        delays = [g.delay for g in self._groups_for(agent) if g.delay is not None]
        return max(delays) if delays else None

    def _groups_for(self, agent: str) -> list[_Group]:
        token = _token(agent)
        mine = [g for g in self.groups if any(a != "*" and a and a in token for a in g.agents)]
        return mine or list(self.default)


def _token(agent: str) -> str:
    """The product token: 'JenguBot/1.0 (+https://jengu.example/bot)' -> 'jengubot' (also inside 'compatible;')."""
    tokens = [t.lower() for t in re.findall(r"([A-Za-z][\w-]*)/\d", agent)]
    tokens = [t for t in tokens if t not in {"mozilla", "applewebkit", "chrome", "safari", "gecko", "firefox"}]
    return tokens[0] if tokens else agent.strip().split("/")[0].split(" ")[0].lower()


def _target(url: str) -> str:
    """The path and query, normalised as the stdlib normalises rule paths (so the two compare)."""
    parts = urlsplit(unquote(url) if "//" in url or url.startswith("/") else "/" + unquote(url))
    return quote((parts.path or "/") + ("?" + parts.query if parts.query else ""))


def _group(entry: object, delays: dict[tuple[str, ...], float]) -> _Group:
    agents = tuple(a.lower() for a in getattr(entry, "useragents", ()))
    rules = tuple(
        _Rule(bool(line.allowance), path, _compile(path))
        for line in getattr(entry, "rulelines", ())
        if (path := quote(unquote(unquote(line.path)))) or not line.allowance  # an empty Allow matches nothing
    )
    delay = delays.get(agents)
    return _Group(agents, rules, delay)


def _compile(path: str) -> re.Pattern[str]:
    anchored = path.endswith("%24")
    body = path[:-3] if anchored else path
    pattern = ".*".join(re.escape(piece) for piece in body.split("%2A"))
    return re.compile(pattern + ("$" if anchored else ""))


def _prescan(lines: list[str]) -> tuple[dict[tuple[str, ...], float], set[str]]:
    """Crawl-delay per group (the stdlib reads whole seconds only), keyed by the group's agents (lower-cased), and
    every agent named (the stdlib drops a group that has no rules)."""
    delays: dict[tuple[str, ...], float] = {}
    named: set[str] = set()
    agents: list[str] = []
    in_rules = False
    for raw in lines:
        key, _, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
            named.add(value.lower())
        elif key in {"allow", "disallow", "crawl-delay", "request-rate"}:
            in_rules = True
            if key == "crawl-delay" and agents and re.fullmatch(r"\d{1,5}(?:\.\d+)?", value):
                delays[tuple(agents)] = float(value)
    return delays, named - {"*", ""}
