"""What parsing a CSV yields, one result per data row: a ParsedRow, a RowError, or (after dedupe_in_file) a
DuplicateRow.

Row numbers are what a spreadsheet shows: the header is row 1 in a plain file, the first data row row 2, a quoted
field spanning several lines stays one row, and blank lines count (Excel shows them) but yield nothing. Excel's
"sep=;" line is not a row (Excel hides it). These numbers go into the API's `errors[].row` unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RowWarning:
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A row that can be imported. `fields` is a validated ProspectFields dump (only the fields that have a value);
    the identity keys are precomputed for deduplication, within the file and against the database."""

    row_number: int
    fields: dict[str, Any]
    email_normalized: str | None
    linkedin_normalized: str | None
    person_key: str | None
    domain: str | None
    email_is_role: bool
    warnings: tuple[RowWarning, ...] = field(default=())
    hints: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # keys computed already (prospect_records)

    @property
    def sendable_email(self) -> bool:
        """Has an address we may ever write to (role addresses never are)."""
        return self.email_normalized is not None and not self.email_is_role


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that cannot be imported; the rest of the file goes on. `field` is a ProspectFields name (or
    `full_name` / `location` for the split columns), None for problems with the row as a whole."""

    row_number: int
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The API's `errors[]` item."""
        return {"row": self.row_number, "field": self.field, "message": self.message}


@dataclass(frozen=True, slots=True)
class DuplicateRow:
    """A row repeating an earlier row of the same file (first one wins), by `key`: email, linkedin or person."""

    row_number: int
    duplicate_of: int
    key: str
    row: ParsedRow


RowResult = ParsedRow | RowError
