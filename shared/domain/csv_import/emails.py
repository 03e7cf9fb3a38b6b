"""Email syntax checks (a practical subset of RFC 5321/5322) and role-address detection.

Accepted: `local@domain` where the local part is a dot-atom of ASCII letters, digits and ``!#$%&'*+/=?^_`{|}~-`` (no
leading, trailing or doubled dots; at most 64 characters; quoted local parts and non-ASCII local parts are refused:
most mail providers cannot send to them), and the domain has at least two labels of letters, digits and inner
hyphens (1-63 characters each, 253 in all, internationalised names converted with IDNA) ending in an alphabetic TLD
of 2+ letters (or an `xn--` one). IP-literal domains are refused. The whole address is at most 254 characters.

Cells are forgiven their wrapping: "mailto:", angle brackets ("Jane Doe <jane@x.example>"), quotes and surrounding
punctuation go; a cell holding several addresses yields the first valid one, and says so.

Role addresses (info@, reservations@, sales@...) are real mailboxes but not a person: they are imported, flagged
`email_is_role`, and never sendable (Prospect.sendable). The local part is compared without digits and separators
("front.desk", "info2"), and its first segment too ("reservations.munich@"), except for short words that are also
initials or names ("hr", "pr", "it"), which must be the whole local part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.domain.normalize import normalize_email
from shared.domain.roles import is_role_address

__all__ = ["EmailCheck", "check_email", "is_role_address"]

_ATOM_CHARS = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL = re.compile(rf"{_ATOM_CHARS}+(?:\.{_ATOM_CHARS}+)*\Z")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})\Z")
_ANGLE = re.compile(r"<([^<>]*)>")
_LIST_SEPARATORS = re.compile(r"[,;]+")
_SPACES = re.compile(r"\s+")
_SEPARATOR = re.compile(r"[,;\s]")  # where a cell may hold several candidates
_WRAP_LEFT = "\"'([<,;:"
_WRAP_RIGHT = "\"')]>.,;:"  # a trailing dot ends a sentence; a leading one is part of an (invalid) address


@dataclass(frozen=True, slots=True)
class EmailCheck:
    address: str | None  # normalised (lower-case, IDNA domain), or None if nothing valid was found
    problem: str | None  # why the cell was refused, when address is None
    several: bool = False  # the cell held more than one candidate address


def _valid(candidate: str) -> tuple[str | None, str | None]:
    if candidate.count("@") != 1:
        return None, "it needs exactly one @"
    local, domain = candidate.split("@")
    if not local or not domain:
        return None, "the part before or after the @ is empty"
    if len(local) > 64:
        return None, "the part before the @ is longer than 64 characters"
    if not local.isascii() or not _LOCAL.match(local):
        return None, "the part before the @ has characters an address cannot have (spaces, doubled dots...)"
    domain = domain.rstrip(".").lower()
    if domain.startswith("["):
        return None, "IP-address domains are not accepted"
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None, "the domain is not a valid internationalised domain name"
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2:
        return None, "the domain needs a name and a top-level domain (like example.com)"
    if not all(_LABEL.match(label) for label in labels):
        return None, "the domain has an empty label or invalid characters"
    if not _TLD.match(labels[-1]):
        return None, "the top-level domain must be letters (like .com or .de)"
    address = f"{local}@{domain}"
    if len(address) > 254:
        return None, "the address is longer than 254 characters"
    if local[0] != "'":  # nothing for normalize_email to unwrap, and its IDNA step keeps these labels as they are
        return f"{local.lower()}@{domain}", None
    return normalize_email(address), None


def _pieces(text: str) -> list[str]:
    """The candidate addresses a cell holds, before unwrapping."""
    if _SEPARATOR.search(text) is None:
        return [text]  # the usual cell: one bare address
    pieces: list[str] = []
    for part in _LIST_SEPARATORS.split(text):
        words = _SPACES.split(part.strip())
        # "a@x.example b@y.example" is a list; "jane doe@x.example" is one (invalid) address.
        pieces.extend(words if sum("@" in word for word in words) > 1 else [part])
    return pieces


def check_email(value: str) -> EmailCheck:
    text = value.strip()
    if "<" in text:
        inside = _ANGLE.findall(text)
        if inside:
            text = " ".join(inside)
    candidates = [c.strip().lstrip(_WRAP_LEFT).rstrip(_WRAP_RIGHT) for c in _pieces(text)]
    candidates = [c for c in candidates if c]
    candidates = [c[7:] if c[:7].lower() == "mailto:" else c for c in candidates]
    if not candidates:
        return EmailCheck(None, "the cell is empty")
    first_problem: str | None = None
    for candidate in candidates:
        address, problem = _valid(candidate)
        if address:
            return EmailCheck(address, None, several=len(candidates) > 1)
        first_problem = first_problem or problem
    return EmailCheck(None, first_problem, several=len(candidates) > 1)
