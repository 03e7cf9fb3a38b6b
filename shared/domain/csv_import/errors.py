"""CsvFormatError: the file as a whole cannot be imported (binary, no usable header, empty).

A subclass of ValidationFailed, so it maps to a 4xx. `code` tells the endpoint which one and what to say:
`binary_file` and `unsupported_encoding` mean "this is not a CSV text file" (415); the others (`empty_file`,
`no_header`, `no_identity_column`, `header_too_long`) mean "a CSV, but not one we can import" (400/422).
Problems with single rows are never raised: they come back as RowError results and the import goes on.
"""

from __future__ import annotations

from shared.domain.errors import ValidationFailed


class CsvFormatError(ValidationFailed):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
