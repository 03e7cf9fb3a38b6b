"""Message-IDs: "<unique@domain>", generated when the draft is accepted, before any send, so a retried send carries
the same id and a reply can be matched to it. The caller passes a fresh `unique` from its IdFactory."""

from __future__ import annotations

import re

_UNIQUE = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$")  # dot-atom-text of RFC 5322, the safe subset
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MAX_UNIQUE_CHARS = 128


def message_id(unique: str, domain: str) -> str:
    """The Message-ID "<unique@domain>"; the domain IDNA-encoded and lower-case ("Hôtel.Example" ->
    "xn--htel-vqa.example"). ValueError for a `unique` outside [A-Za-z0-9._-] (no leading, trailing or doubled dot)
    or a domain that is not a host name."""
    if not unique or len(unique) > MAX_UNIQUE_CHARS or not _UNIQUE.match(unique):
        raise ValueError(f"{unique!r} cannot be the unique part of a Message-ID")
    host = domain.strip().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError(f"{domain!r} is not a domain") from None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{domain!r} is not a domain")
    return f"<{unique}@{host}>"
