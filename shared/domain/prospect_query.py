"""What a prospect list request asks for: filters, full-text query, sort, page size and cursor position.

Pure and validated; the D1 adapter turns it into SQL from fixed fragments.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.domain.errors import ValidationFailed
from shared.domain.normalize import SORT_NAME_CHARS, fold, sort_name, strip_controls
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.domain.prospects import EmailStatus, Prospect, Stage, Tier

MAX_PAGE = 500
MAX_VALUES_PER_FILTER = 20
MAX_SEARCH_TERMS = 8


class SortKey(StrEnum):
    SCORE_DESC = "-score"
    SCORE_ASC = "score"
    NAME_ASC = "name"
    NAME_DESC = "-name"
    CREATED_DESC = "-created_at"
    CREATED_ASC = "created_at"
    CONTACTED_DESC = "-last_contacted_at"
    CONTACTED_ASC = "last_contacted_at"

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")

    def key_of(self, prospect: Prospect) -> Any:
        """The sort value of a row, as stored (what a cursor remembers)."""
        field = self.value.lstrip("-")
        if field == "score":
            return prospect.score
        if field == "name":
            return sort_name_of(prospect)
        value = getattr(prospect, field)
        return value.isoformat() if value is not None else ""


def sort_name_of(prospect: Prospect) -> str:
    return sort_name(prospect.contact_name or prospect.company_name)


@dataclass(frozen=True, slots=True)
class ProspectQuery:
    stages: tuple[Stage, ...] = ()
    tiers: tuple[Tier, ...] = ()
    countries: tuple[str, ...] = ()
    email_statuses: tuple[EmailStatus, ...] = ()
    tag: str | None = None
    archived: bool | None = False  # None: both
    has_email: bool | None = None
    campaign: str | None = None
    search_terms: tuple[str, ...] = ()
    sort: SortKey = SortKey.SCORE_DESC
    limit: int = 50
    after: tuple[Any, str] | None = None  # (sort value, id) of the last row of the previous page

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}")
        for name in ("stages", "tiers", "countries", "email_statuses"):
            if len(getattr(self, name)) > MAX_VALUES_PER_FILTER:
                raise ValidationFailed(f"at most {MAX_VALUES_PER_FILTER} values for {name}")

    def next_cursor(self, page: list[Prospect]) -> str:
        last = page[-1]
        return encode_cursor([self.sort.value, self.sort.key_of(last), last.id])


def search_terms(q: str | None) -> tuple[str, ...]:
    """The space-separated terms of a free-text query, folded like the index (normalize.search_text), for prefix
    matching; the FTS tokenizer splits each the way it split the stored text, so Python's idea of a word (another
    Unicode version) never decides. Terms without a letter or digit are dropped; a query with none is a client
    error."""
    if q is None:
        return ()
    pieces = fold(strip_controls(q)).split()
    terms = tuple(dict.fromkeys(t for t in pieces if any(ch.isalnum() for ch in t)))[:MAX_SEARCH_TERMS]
    if not terms:
        raise ValidationFailed("q has no searchable words")
    return terms


def cursor_position(cursor: str | None, sort: SortKey) -> tuple[Any, str] | None:
    if cursor is None:
        return None
    sort_value, value, prospect_id = decode_cursor(cursor, arity=3)
    if sort_value != sort.value:
        raise ValidationFailed("cursor belongs to a different sort order")
    numeric = sort.value.lstrip("-") == "score"
    valid_value = (
        (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100)
        if numeric
        else (isinstance(value, str) and len(value) <= SORT_NAME_CHARS)
    )
    if not valid_value or not isinstance(prospect_id, str) or not 0 < len(prospect_id) <= 64:
        raise ValidationFailed("invalid cursor")
    return value, prospect_id
