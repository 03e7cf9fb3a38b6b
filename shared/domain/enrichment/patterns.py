"""A person's likely addresses on a domain, most common pattern first (`candidate_addresses`).

Ranking. Surveys of business address formats agree on the head of the list: about 60 % of B2B companies use
first.last, and first, flast and first.l make up most of the next 25 % (mailsfinder.com, "How to format an email
address", 2026; prospeo.io and Hunter's domain-search pages list the same order). Hotels are small businesses, where
first@ is more common than in enterprises, so `first` ranks second rather than after the initial forms. The tail
follows the frequency order of the same sources: firstlast, f.last, last, first_last, firstl, first.l, last.first,
first-last, lastf, last.f, lastfirst.

Variants. Each pattern is tried with the main spelling first, then the whole name in the other umlaut spelling,
then the first name's variants, then the surname's (names.py). A variant ranks like the main spelling of a pattern
two places lower per step down that list (the nth variant of pattern k sits with pattern k + 2n), so variants come
after the main spelling of the same pattern and never crowd the common patterns out of a short list.

Never a role address (roles.py), never a duplicate, always a dot-atom local part of at most 64 characters (RFC 5321).
Low-confidence names (one word, an initial only, Arabic, Hebrew or other scripts without vowels or word breaks, an
unsplit CJK string) give at most `LOW_CONFIDENCE_LIMIT` (4) candidates: each guess costs a verifier credit, and past
the fourth these guesses are rarely right.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from shared.domain.enrichment.names import PersonName
from shared.domain.roles import is_role_address

LOW_CONFIDENCE_LIMIT = 4
MAX_LOCAL_PART = 64  # RFC 5321 4.5.3.1.1
MAX_ADDRESS = 254  # RFC 5321 4.5.3.1.3: a 256-octet path less its angle brackets

_DOT_ATOM = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class AddressCandidate:
    address: str
    pattern: str  # "first.last", "flast", ...
    rank: int  # 1 is the most likely


# (pattern, needs a full first name, needs a full surname, takes hyphenated tokens, local part)
# g: the given name, s: the surname. A "full" name has two letters or more; the others use only the
# initial, or leave the name out (None).
_Local = Callable[[str, str], str]
_PATTERNS: tuple[tuple[str, bool | None, bool | None, bool, _Local], ...] = (
    ("first.last", True, True, True, lambda g, s: f"{g}.{s}"),
    ("first", True, None, True, lambda g, s: g),
    ("flast", False, True, False, lambda g, s: g[0] + s),
    ("firstlast", True, True, False, lambda g, s: g + s),
    ("f.last", False, True, True, lambda g, s: f"{g[0]}.{s}"),
    ("last", None, True, True, lambda g, s: s),
    ("first_last", True, True, True, lambda g, s: f"{g}_{s}"),
    ("firstl", True, False, False, lambda g, s: g + s[0]),
    ("first.l", True, False, True, lambda g, s: f"{g}.{s[0]}"),
    ("last.first", True, True, True, lambda g, s: f"{s}.{g}"),
    ("first-last", True, True, False, lambda g, s: f"{g}-{s}"),
    ("lastf", False, True, False, lambda g, s: s + g[0]),
    ("last.f", False, True, True, lambda g, s: f"{s}.{g[0]}"),
    ("lastfirst", True, True, False, lambda g, s: s + g),
)
_VARIANT_STEP = 2


def mail_domain(domain: str) -> str:
    """The domain as it goes after the @: lower case, IDNA-encoded ("müller-hotel.de" -> "xn--mller-hotel-..."),
    without a trailing dot. ValueError for anything that is not a host name with a dot."""
    text = domain.strip().rstrip(".").lower()
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"not an IDNA domain: {domain!r}") from exc
    labels = text.split(".")
    if len(text) > 253 or len(labels) < 2 or labels[-1].isdigit() or not all(_LABEL.match(lb) for lb in labels):
        raise ValueError(f"not a mail domain: {domain!r}")
    return text


def _pairs(person: PersonName) -> list[tuple[str, str]]:
    """The spellings to try, main first: (first, last), the other umlaut spelling, first variants, last variants."""
    pairs = [(person.first, person.last)]
    if person.alternate:
        pairs.append(person.alternate)
    pairs += [(first, person.last) for first in person.first_variants]
    pairs += [(person.first, last) for last in person.last_variants]
    return list(dict.fromkeys(pairs))


def _fits(name: str, full: bool | None, hyphens: bool) -> bool:
    if full is None:
        return True
    if not name or (full and len(name) < 2):
        return False
    return hyphens or "-" not in name


def candidate_addresses(person: PersonName, domain: str, *, limit: int = 8) -> list[AddressCandidate]:
    """Up to `limit` addresses on `domain` (fewer for low-confidence names), most likely first; see the module."""
    host = mail_domain(domain)
    if person.confidence == "low":
        limit = min(limit, LOW_CONFIDENCE_LIMIT)
    scored: list[tuple[int, int, int, str, str]] = []
    for v, (first, last) in enumerate(_pairs(person)):
        for p, (pattern, full_first, full_last, hyphens, local_part) in enumerate(_PATTERNS):
            if not (_fits(first, full_first, hyphens) and _fits(last, full_last, hyphens)):
                continue
            scored.append((p + _VARIANT_STEP * v, v, p, pattern, local_part(first, last)))
    out: list[AddressCandidate] = []
    seen: set[str] = set()
    for *_, pattern, local in sorted(scored):
        address = f"{local}@{host}"
        if local in seen or not _valid_local(local) or len(address) > MAX_ADDRESS or is_role_address(address):
            continue
        seen.add(local)
        out.append(AddressCandidate(address=address, pattern=pattern, rank=len(out) + 1))
        if len(out) >= limit:
            break
    return out


def _valid_local(local: str) -> bool:
    return len(local) <= MAX_LOCAL_PART and bool(_DOT_ATOM.match(local))
