"""A person's name as ASCII address tokens (`normalize_person`): titles, suffixes, particles, hyphens, double
surnames, initials, "Last, First", upper-case surnames, family-name-first names (CJK, Vietnamese, Russian with a
patronymic, Hungarian) and transliteration (anyascii, loaded on first use; Greek ου->ou; small tables for Arabic and
Hebrew given names, whose script writes no vowels, and Korean surnames' usual spellings: 김 -> kim, not gim).

`first`/`last` are the main spellings; `first_variants`/`last_variants` the other forms of each (hyphenated,
particle-free, first part, the other surname of two); `alternate` is the whole name in the other umlaut spelling
(ä->ae, ö->oe, ü->ue, ø->oe, å->aa: the main one for DE/AT/CH/LI, the second one elsewhere), used for both names
together because an address policy transliterates a name one way. None: nothing an address could be made from.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from shared.domain.enrichment.name_tables import (
    ARABIC,
    COMPANY_WORDS,
    COMPOUND_SURNAMES,
    CONNECTORS,
    DIGRAPH_ALT,
    DIGRAPH_MAIN,
    DOTTED_SUFFIXES,
    DROP_PARTICLES,
    GIVEN_NAMES,
    HEBREW,
    IBERIAN_COUNTRIES,
    IBERIAN_SURNAMES,
    JOB_TRAILING,
    JOB_WORDS,
    KOREAN,
    LUSO_COUNTRIES,
    PARTICLES,
    PLACEHOLDERS,
    PT_SURNAMES,
    SCRIPT_WORDS,
    SUFFIXES,
    TITLE_FOLLOWERS,
    TITLES,
    VIET_STRONG,
    VIET_SURNAMES,
    Script,
)
from shared.domain.normalize import clean_line, fold
from shared.domain.roles import ROLE_WORDS

Confidence = Literal["high", "low"]


@dataclass(frozen=True, slots=True)
class PersonName:
    first: str  # "" when unknown ("Mr Smith")
    last: str  # "" when unknown (one-word names)
    first_parts: tuple[str, ...] = ()
    last_parts: tuple[str, ...] = ()  # the surname's own parts, particles excluded
    particles: tuple[str, ...] = ()
    middle: tuple[str, ...] = ()
    first_variants: tuple[str, ...] = ()
    last_variants: tuple[str, ...] = ()
    alternate: tuple[str, str] | None = None  # (first, last) in the other umlaut spelling
    script: Script = "latin"
    confidence: Confidence = "high"
    notes: tuple[str, ...] = ()


_BRACKETS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?|\{[^}]*\}?|\"[^\"]*\"?|“[^”]*”?|„[^“”]*[“”]?|«[^»]*»?|<[^>]*>?")
_NOISE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\bh\.\s?c\.", re.IGNORECASE)
_ROLE_CUT = re.compile(r"\s[-–—]\s|[|/•·;:]")  # "Hannah Fischer - General Manager", "Lars | Nordlys Hotel"
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘`´ʼʻ′", "'"))
_NOT_KEY, _NOT_TOKEN = re.compile(r"[^a-z]"), re.compile(r"[^a-z-]")
_DIGRAPH = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ø": "oe", "å": "aa"})
_NO_DIGRAPH = re.compile("[şğıİőűŞĞŐŰ]")  # Turkish and Hungarian names keep the plain vowel
_GREEK = (("ου", "ou"), ("αυ", "av"), ("ευ", "ev"), ("γγ", "ng"))
_VIET_LETTERS = re.compile("[\u1ea0-\u1ef9ăđơưĂĐƠƯ]")
_KANA, _HANGUL = re.compile("[\u3040-\u30ff]"), re.compile("[\uac00-\ud7a3]")
_PATRONYMIC = re.compile(r"(ovich|evich|ovych|evych|ovna|evna|ivna|yivna|ichna)$")


@cache
def _anyascii() -> Callable[[str], str]:
    from anyascii import anyascii  # its per-script tables load on first use too

    return anyascii


def _key(raw: str) -> str:
    key = _NOT_KEY.sub("", fold(raw))
    return key if key or raw.isascii() else _render(raw, _script_of(raw)).replace("-", "")  # "بن" -> "bin"


def _script_of(text: str) -> Script:
    counts: dict[Script, int] = {}
    for ch in text:
        if ch.isalpha():
            script = SCRIPT_WORDS.get(unicodedata.name(ch, "?").split(" ", 1)[0], "other")
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else "other"


def _render(raw: str, script: Script, *, digraph: bool = False) -> str:
    """One token in ASCII lower case, hyphens kept between its parts ("Anne-Marie" -> "anne-marie")."""
    parts = []
    for part in raw.replace("'", "").replace(".", "").split("-"):
        text = unicodedata.normalize("NFC", part.lower())
        if script in ("arabic", "hebrew", "greek"):
            text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
            table = ARABIC if script == "arabic" else HEBREW
            if script == "arabic" and text not in table and text.startswith("ال") and len(text) > 3:
                text = "al-" + table.get(text[2:], text[2:])
            for greek, latin in _GREEK if script == "greek" else ():
                text = text.replace(greek, latin)
            text = table.get(text, text) if script != "greek" else text
        elif digraph:
            text = text.translate(_DIGRAPH)
        out = _NOT_TOKEN.sub("", _anyascii()(text).lower()).strip("-")
        if _KANA.search(part):  # passport Hepburn drops long vowels: "たろう" -> "taro"
            out = out.replace("ou", "o").replace("uu", "u")
        parts.append(out)
    return "-".join(p for p in parts if p)


def _clean(text: str | None) -> str:
    """Controls, nicknames in quotes or brackets, addresses, a job title after a dash or bar, emoji, digits."""
    if not text:
        return ""
    text = _NOISE.sub(" ", _BRACKETS.sub(" ", unicodedata.normalize("NFKC", clean_line(text)).translate(_APOSTROPHES)))
    kept = next((part for part in _ROLE_CUT.split(text) if any(ch.isalpha() for ch in part)), "")
    chars = [ch if ch.isalpha() or unicodedata.category(ch)[0] == "M" or ch in "-'.," else " " for ch in kept]
    return re.sub(r"\s*-\s*", "-", re.sub(r"\s*,\s*", ", ", "".join(chars))).strip(" ,.-'")


def _tokens(text: str, notes: list[str]) -> list[str]:
    """Words without titles ("Prof. Dr. med.") and suffixes ("Jr.", "III", "MBA"); "J.R." becomes "J." "R."."""
    tokens = [tok for tok in (w.strip("-',") for w in text.split()) if _key(tok) or tok.strip(".-'")]
    while len(tokens) > 1 and _key(tokens[0]) in TITLES:
        tokens = tokens[1:]
        notes.append("title_removed")
        while len(tokens) > 1 and _key(tokens[0]) in TITLE_FOLLOWERS:
            tokens = tokens[1:]
    while len(tokens) > 1 and _is_suffix(tokens[-1]):
        tokens = tokens[:-1]
        notes.append("suffix_removed")
    while len(tokens) > 1 and _key(tokens[-1]) in JOB_TRAILING:  # "Hannah Fischer General Manager"
        tokens = tokens[:-1]
    split: list[str] = []
    for tok in tokens:
        pieces = [p for p in tok.split(".") if p]
        split.extend(pieces if len(pieces) > 1 and all(len(p) == 1 for p in pieces) else [tok.strip(".")])
    return [tok for tok in split if tok]


def _is_suffix(raw: str) -> bool:
    return _key(raw) in SUFFIXES or (_key(raw) in DOTTED_SUFFIXES and "." in raw)


def _is_affix(raw: str) -> bool:  # a part after a comma that is no name: ", PhD", ", General Manager"
    return _is_suffix(raw) or _key(raw) in TITLES or _key(raw) in JOB_WORDS or _key(raw) in ROLE_WORDS


def _is_particle(raw: str) -> bool:
    if raw in ("y", "e", "i"):  # connectors of Iberian/Catalan surnames, lower case only ("Ortega y Gasset")
        return True
    return raw in ("Ó", "ó") if _key(raw) == "o" else _key(raw) in PARTICLES  # Irish Ó, never the initial O


def _iberian(keys: list[str], country: str | None) -> bool:
    second = keys[-2]
    return country in IBERIAN_COUNTRIES or second in IBERIAN_SURNAMES or (len(second) >= 5 and second[-2:] == "ez")


def _western(tokens: list[str], country: str | None) -> tuple[list[str], list[str]]:
    """Given names first: the surname is the last word with the particles before it; two words in Iberian names."""
    core = [i for i, tok in enumerate(tokens) if i == 0 or not _is_particle(tok)]
    if len(core) < 2:
        return tokens, []
    keys = [_key(tokens[i]) for i in core]
    start = core[-1]
    if (len(core) >= 4 or (len(core) == 3 and keys[1] not in GIVEN_NAMES)) and _iberian(keys, country):
        start = core[-2]
    while start > 1 and _is_particle(tokens[start - 1]):
        start -= 1
    return tokens[:start], tokens[start:]


def _family_first(tokens: list[str], script: Script, country: str | None, notes: list[str]) -> bool:
    if len(tokens) < 2:
        return False
    keys = [_key(tok) for tok in tokens]
    viet = _VIET_LETTERS.search(" ".join(tokens)) or country == "VN" or keys[0] in VIET_STRONG
    if script == "latin" and keys[0] in VIET_SURNAMES and viet and not _is_particle(tokens[-1]):
        notes.append("family_name_first")
        return True
    if len(tokens) == 3 and _PATRONYMIC.search(_render(tokens[2], script)):
        notes.append("patronymic")
        return True
    return country == "HU" and len(tokens) == 2


def _split_cjk(text: str, country: str | None, notes: list[str]) -> tuple[list[str], list[str]] | None:
    """One CJK string is family name first: a compound surname, else its first character. Kanji -> None for Japan
    (read as Mandarin, a Japanese name gives wrong addresses); kana is read, but cannot be split when unspaced."""
    parts = text.split()
    notes.append("family_name_first")
    if len(parts) >= 2 and (_HANGUL.search(text) or _KANA.search(text)):
        return parts[1:], parts[:1]
    if _KANA.search(text):
        return parts, []
    compound = text[:2] in COMPOUND_SURNAMES
    if not _HANGUL.search(text) and (country == "JP" or len(parts) >= 2 or (len(text) >= 4 and not compound)):
        return None
    word = "".join(parts)
    size = 2 if word[:2] in COMPOUND_SURNAMES and len(word) > 2 else 1
    return [word[size:]], [word[:size]]


def _caps_block(tokens: list[str]) -> tuple[list[str], list[str]] | None:
    """ "DUPONT Jean", "Ana GARCÍA LÓPEZ": the upper-case words are the surname when the others are not."""
    caps = [len(tok) > 1 and tok.isupper() for tok in tokens]
    if not any(caps) or all(caps) or not any(len(tok) > 1 for tok, cap in zip(tokens, caps, strict=True) if not cap):
        return None
    flips = sum(a != b for a, b in itertools.pairwise(caps))
    if flips != 1:
        return None
    cut = caps.index(not caps[0])
    return (tokens[cut:], tokens[:cut]) if caps[0] else (tokens[:cut], tokens[cut:])


def _parse(text: str, country: str | None, notes: list[str]) -> tuple[list[str], list[str]] | None:
    parts = [p for p in text.split(",") if p.strip() and not all(_is_affix(w) for w in p.split())]
    if len(parts) >= 2:
        notes.append("comma_order")
        return _tokens(parts[1], notes), _tokens(parts[0], notes)
    tokens = _tokens(parts[0] if parts else "", notes)
    if len(tokens) == 1 and "title_removed" in notes:  # "Mr Smith", "Frau Müller"
        return [], tokens
    script = _script_of(text)
    if script == "cjk":
        return _split_cjk(" ".join(tokens), country, notes)
    if _family_first(tokens, script, country, notes):
        viet = "family_name_first" in notes
        return ([tokens[-1], *tokens[1:-1]] if viet else tokens[1:]), tokens[:1]
    if len(tokens) > 1 and (caps := _caps_block(tokens)):
        notes.append("caps_surname")
        return caps
    return _western(tokens, country)


def _given_forms(given: list[str], script: Script, digraph: bool) -> tuple[str, list[str], tuple[str, ...], list[str]]:
    """(first, its variants, its parts, middle names): "Anne-Marie" -> annemarie, [anne-marie, anne]."""
    names = [r for r in (_render(tok, script, digraph=digraph) for tok in given) if r]
    if not names:
        return "", [], (), []
    joined = len(names) >= 2 and names[0] in ("abdul", "abdel", "abd", "abu", "abou")  # "Abdul Rahman": one name
    if joined:
        names = [f"{names[0]}-{names[1]}", *names[2:]]
    head = names[0]
    variants = [head, *([] if joined else [head.split("-")[0]])] if "-" in head else []
    if len(names) >= 2 and names[1].replace("-", "") in GIVEN_NAMES:  # "María José": also mariajose
        variants.append(head.replace("-", "") + names[1].replace("-", ""))
    if script == "cjk" and len(given[0]) == 2 and _HANGUL.search(given[0]):  # 민준: minjun, min-jun
        variants.append("-".join(_render(ch, script) for ch in given[0]))
    return head.replace("-", ""), variants, tuple(head.split("-")), [n.replace("-", "") for n in names[1:]]


def _family_forms(
    family: list[str], script: Script, country: str | None, digraph: bool, luso: bool
) -> tuple[str, list[str], tuple[str, ...], tuple[str, ...]]:
    """(last, its variants, its parts, particles): "de Vries" -> devries, [vries]; "García Márquez" -> garcia, [...]."""
    words: list[tuple[str, bool]] = []  # (rendered, is a particle)
    variants: list[str] = []
    for raw in family:
        rendered = _render(raw, script, digraph=digraph)
        if script == "cjk" and raw in KOREAN:
            rendered, variants = KOREAN[raw], [rendered]
        head, sep, rest = rendered.partition("-")
        if sep and rest and head in ("al", "el"):  # "Al-Rashid": alrashid, rashid, al-rashid
            words += [(head, True), (rest, False)]
            variants.append(rendered)
        elif raw[:2] in ("d'", "l'") and len(rendered) > 2:  # "d'Estaing": destaing, estaing (D'Angelo stays one)
            words += [(rendered[0], True), (rendered[1:], False)]
        elif rendered:
            words.append((rendered, _is_particle(raw)))
    if words and all(particle for _, particle in words):  # "Van" alone is the surname itself
        words = [(w, False) for w, _ in words]
    core = [w for w, particle in words if not particle]
    if not core:
        return "", [], (), ()
    particles = tuple(w for w, particle in words if particle)
    drop = DROP_PARTICLES if luso else CONNECTORS
    plain = [c.replace("-", "") for c in core]
    if len(core) >= 2 and _iberian(plain, country):  # paternal surname first; Portuguese names end with it
        main, other = (len(core) - 1, 0) if luso else (0, len(core) - 1)
        before = [w for w, p in words[: words.index((core[main], False))] if p]
        kept = "".join(p for p in before[-2:] if p not in drop)
        last = kept + plain[main]
        variants += [plain[main], "".join(plain), "-".join(plain), plain[other]]
    else:
        kept = "".join(p for p in particles if p not in drop)
        last = kept + "".join(plain)
        if particles:
            variants += ["".join(plain), "".join(particles) + "".join(plain)]
        if len(core) > 1 or "-" in core[0]:
            variants += ["-".join(core), (core[0].split("-"))[0], (core[-1].split("-"))[-1]]
    parts = tuple(part for c in core for part in c.split("-") if part)
    return last, [v for v in variants if v and v != last], parts, particles


def _unique(items: list[str], *exclude: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i and i not in exclude))


def _build(given: list[str], family: list[str], text: str, country: str | None, notes: list[str]) -> PersonName | None:
    keys = [k for k in (_key(tok) for tok in given + family) if k]
    if " ".join(keys) in PLACEHOLDERS or any(k in COMPANY_WORDS for k in keys):
        return None
    if keys and all(k in ROLE_WORDS or k in JOB_WORDS or k in PARTICLES for k in keys):  # "Front Office", "Sales"
        return None
    script = _script_of(text)
    umlaut = script == "latin" and bool(re.search("[äöüøåÄÖÜØÅ]", text)) and not _NO_DIGRAPH.search(text)
    digraph = umlaut and country in DIGRAPH_MAIN
    luso = country in LUSO_COUNTRIES or bool(re.search("[ãõÃÕ]", text))
    spanish = IBERIAN_SURNAMES - PT_SURNAMES
    luso |= any(k in PT_SURNAMES for k in keys) and not any(k in spanish for k in keys)
    first, first_variants, first_parts, middle = _given_forms(given, script, digraph)
    last, last_variants, last_parts, particles = _family_forms(family, script, country, digraph, luso)
    if max(len(first), len(last)) < 2:
        return None
    alternate = None
    if umlaut and (country is None or country in DIGRAPH_ALT):
        alt_first, alt_first_variants, _, _ = _given_forms(given, script, not digraph)
        alt_last, alt_last_variants, _, _ = _family_forms(family, script, country, not digraph, luso)
        alternate = (alt_first, alt_last) if (alt_first, alt_last) != (first, last) else None
        first_variants += [alt_first, *alt_first_variants]
        last_variants += [alt_last, *alt_last_variants]
    low = [note for note, bad in (
        ("one_word", not last and not given[1:]), ("no_first_name", not first), ("first_initial", len(first) == 1),
        ("last_initial", len(last) == 1), (f"script_{script}", script in ("arabic", "hebrew", "other")),
        ("cjk_single_string", script == "cjk" and "parts_given" not in notes),
    ) if bad]  # fmt: skip
    return PersonName(
        first=first, last=last, first_parts=first_parts, last_parts=last_parts, particles=particles,
        middle=tuple(middle), first_variants=_unique(first_variants, first), last_variants=_unique(last_variants, last),
        alternate=alternate, script=script, confidence="low" if low else "high", notes=_unique(notes + low),
    )  # fmt: skip


def normalize_person(
    full_name: str | None, first: str | None = None, last: str | None = None, *, country: str | None = None
) -> PersonName | None:
    """The address tokens of a person's name; `first`/`last` win when both are given (CJK, family-first names), and
    `country` (ISO 3166 alpha-2 of the person or the hotel) settles umlaut spelling and double surnames."""
    cc = country.strip().upper() if country and len(country.strip()) == 2 else None
    notes: list[str] = []
    given_text, family_text, full_text = _clean(first), _clean(last), _clean(full_name)
    if given_text and family_text:
        text = f"{given_text} {family_text}"
        if cc == "JP" and _script_of(text) == "cjk" and not _KANA.search(text):
            return None  # kanji read as Mandarin would give wrong addresses
        notes.append("parts_given")
        given = [tok for tok in _tokens(given_text, notes) if _key(tok) not in TITLES]
        return _build(given, _tokens(family_text, notes), text, cc, notes)
    if family_text and not full_text:
        return _build([], _tokens(family_text, notes), family_text, cc, notes)
    text = full_text or given_text
    parsed = _parse(text, cc, notes) if text else None
    return _build(*parsed, text, cc, notes) if parsed else None
