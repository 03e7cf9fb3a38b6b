"""Full names into first and last name: total (never raises), conservative, and documented where it guesses.

* "Last, First" (one comma, the part after it not a suffix): "García López, Elena" -> Elena / García López.
* Honorifics in front are dropped ("Dr.", "Prof. Dr.", "Mrs", "Herr", "Sra."), suffixes at the end too ("Jr",
  "III", "PhD", "MBA", "CHA"), with or without a comma before them: "Jane Doe, MBA".
* Nicknames in quotes or parentheses are dropped: 'Robert "Bob" Smith' -> Robert / Smith.
* The first token is always a given name; the last name starts at the first surname particle after it ("van",
  "de", "von der", "da", "di", "del", "la"...) or else is the last token: "Dr. Jane van der Berg" -> Jane /
  van der Berg, "Mary Ann Smith" -> Mary Ann / Smith. (Without a comma, "Elena García López" can only be Elena García
  / López: Spanish double surnames need the comma form or separate columns.)
* One token is a first name only: "Madonna" -> Madonna / None. Capitalisation is kept as given.
"""

from __future__ import annotations

import re

_NICKNAME = re.compile(r"\([^)]*\)|\"[^\"]*\"|“[^”]*”|«[^»]*»")
_SPACES = re.compile(r"\s+")

_PREFIXES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "sir",
        "dame",
        "lady",
        "lord",
        "rev",
        "revd",
        "fr",
        "herr",
        "frau",
        "hr",
        "dipl",
        "ing",
        "mag",
        "dott",
        "dottssa",
        "dottoressa",
        "ingeniero",
        "lic",
        "mme",
        "mlle",
        "sra",
        "srta",
        "sr",
        "sig",
        "sigra",
        "capt",
        "hon",
    ]
)
_SUFFIXES = frozenset(
    [
        "jr",
        "jnr",
        "sr",
        "snr",
        "ii",
        "iii",
        "iv",
        "vi",
        "phd",
        "dphil",
        "md",
        "mba",
        "emba",
        "mbe",
        "obe",
        "cbe",
        "kbe",
        "dds",
        "esq",
        "cpa",
        "cfa",
        "msc",
        "bsc",
        "mphil",
        "llm",
        "jd",
        "pmp",
        "cha",
        "chia",
        "cht",
        "chdm",
        "crme",
        "chrm",
        "cma",
        "cpce",
        "frics",
        "mrics",
        "dipl",
        "ceo",
    ]
)
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "der",
        "den",
        "del",
        "della",
        "delle",
        "dei",
        "degli",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "des",
        "di",
        "la",
        "le",
        "lo",
        "ten",
        "ter",
        "te",
        "vom",
        "zu",
        "zur",
        "al",
        "el",
        "bin",
        "ibn",
        "af",
        "av",
        "st",
    ]
)


def _token_key(token: str) -> str:
    return token.casefold().replace(".", "").strip(",")


def _strip_prefixes(tokens: list[str]) -> list[str]:
    while len(tokens) > 1 and _token_key(tokens[0]) in _PREFIXES:
        tokens = tokens[1:]
    return tokens


def _strip_suffixes(tokens: list[str], *, keep: int = 2) -> list[str]:
    """Trailing suffixes, leaving at least `keep` tokens ("Doe Jr" stays: it might be a name)."""
    while len(tokens) > keep and _token_key(tokens[-1]) in _SUFFIXES:
        tokens = tokens[:-1]
    return tokens


def _is_suffix_part(part: str) -> bool:
    tokens = part.split()
    return bool(tokens) and all(_token_key(token) in _SUFFIXES for token in tokens)


def split_full_name(value: str | None) -> tuple[str | None, str | None]:
    """(first name, last name); either may be None. Never raises."""
    if not value:
        return None, None
    text = _SPACES.sub(" ", _NICKNAME.sub(" ", value)).strip(" ,;")
    if not text:
        return None, None
    parts = [part.strip() for part in text.split(",") if part.strip()]
    while len(parts) > 1 and _is_suffix_part(parts[-1]):
        parts.pop()
    if len(parts) >= 2:  # "Last, First"
        last = " ".join(_strip_prefixes(parts[0].split()))
        first_tokens = _strip_suffixes(_strip_prefixes(parts[1].split()), keep=1)
        first = " ".join(first_tokens)
        return first or None, last or None
    tokens = _strip_suffixes(_strip_prefixes(parts[0].split())) if parts else []
    if not tokens:
        return None, None
    if len(tokens) == 1:
        return tokens[0], None
    for i in range(1, len(tokens) - 1):
        if _token_key(tokens[i]) in _PARTICLES:
            return " ".join(tokens[:i]), " ".join(tokens[i:])
    return " ".join(tokens[:-1]), tokens[-1]
