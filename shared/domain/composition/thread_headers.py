"""Threading a follow-up under the first email (RFC 5322 §3.6.4): `Re:` subject, In-Reply-To and References.

A reply's In-Reply-To is the parent's Message-ID; its References are the parent's References (or, lacking those,
the parent's In-Reply-To) followed by the parent's Message-ID. References stay under ~900 characters (a header line
may hold 998) by dropping ids from the middle: the first (the thread's root) and the last (the parent) always stay.
"""

from __future__ import annotations

import re

MAX_REFERENCES_CHARS = 900
# Reply prefixes in the languages we write in ("Re", "RE", "Aw" / "AW" (de), "Antw" (nl), "Sv" (sv/da/no),
# "Vs" (fi), "R" / "Rif" (it), "Odp" (pl)), with counters ("Re[2]:", "Re(3):"). Forward prefixes
# ("Fwd:", "WG:", "TR:", "RV:") are kept: "Re: Fwd: X" says what happened.
_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|antw|sv|vs|r|rif|odp)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*", re.IGNORECASE)
_MSG_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")


def reply_subject(subject: str) -> str:
    """The subject "Re: <subject without its reply prefixes>": never "Re: Re:", whatever the case or language of
    the prefix."""
    text = " ".join(subject.split())
    while True:
        stripped = _REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return f"Re: {text}" if text else "Re:"


def _bracketed(message_id: str) -> str:
    text = message_id.strip()
    if not text.startswith("<"):
        text = f"<{text}>"
    if not _MSG_ID.fullmatch(text):
        raise ValueError(f"{message_id!r} is not a Message-ID")
    return text


def thread_references(
    parent_message_id: str, parent_references: str | None, *, parent_in_reply_to: str | None = None
) -> tuple[str, str]:
    """(In-Reply-To, References) for a reply to the parent message; ValueError if the parent's id is not a msg-id."""
    parent = _bracketed(parent_message_id)
    chain = _MSG_ID.findall(parent_references or "") or _MSG_ID.findall(parent_in_reply_to or "")[:1]
    ids: list[str] = []
    for item in [*chain, parent]:
        if item not in ids:
            ids.append(item)
        elif item == parent:  # the parent must be the last id
            ids.remove(item)
            ids.append(item)
    while len(ids) > 2 and len(" ".join(ids)) > MAX_REFERENCES_CHARS:
        del ids[1]  # the oldest after the root: the ids nearest the parent say the most about the thread
    return parent, " ".join(ids)
