"""CSV upload bodies, streamed without the thread pool: a raw CSV body, or the `file` field of a multipart form.

Starlette's `request.form()` spools uploads over 1 MB to a temporary file through `run_in_threadpool`, which real
Pyodide cannot do (no threads). So multipart bodies go through python-multipart's push parser
(`MultipartParser`) fed from `request.stream()`: only the `file` part's bytes come out, as they arrive; other
fields are read past and dropped. Used by both import routes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from api.errors import ApiError
from api.openapi import CSV_MEDIA_TYPES as CSV_TYPES

MULTIPART = "multipart/form-data"
FILE_FIELD = "file"


class CsvUpload:
    """The CSV bytes of a request: `chunks()` yields them; `filename` is known once the first chunk is out."""

    def __init__(self, request: Request) -> None:
        media, options = parse_options_header(request.headers.get("content-type", ""))
        self.media_type = media.decode("latin-1").lower()
        self._request = request
        self._boundary = options.get(b"boundary")
        self.filename: str | None = None
        if self.media_type == MULTIPART:
            if not self._boundary:
                raise ApiError(400, "multipart/form-data without a boundary", code="bad_request")
        elif self.media_type not in CSV_TYPES:
            raise ApiError(
                415, f"send CSV as text/csv or multipart/form-data, not {self.media_type or 'no content type'}",
                code="unsupported_media_type", details={"allowed": [*CSV_TYPES, MULTIPART]},
            )  # fmt: skip

    def chunks(self) -> AsyncIterator[bytes]:
        return self._multipart() if self.media_type == MULTIPART else self._raw()

    async def _raw(self) -> AsyncIterator[bytes]:
        async for chunk in self._request.stream():
            if chunk:
                yield chunk

    async def _multipart(self) -> AsyncIterator[bytes]:
        assert self._boundary is not None
        reader = _FilePart()
        try:
            parser = MultipartParser(self._boundary, reader.callbacks())
            async for chunk in self._request.stream():
                parser.write(chunk)
                if reader.data:
                    self.filename = reader.filename
                    yield reader.take()
            parser.finalize()
        except ApiError:
            raise
        except Exception as exc:  # python-multipart's MultipartParseError and friends
            raise ApiError(400, f"the multipart body cannot be read: {exc}", code="bad_request") from exc
        if not reader.seen:
            raise ApiError(400, f"multipart upload needs a file in the field {FILE_FIELD!r}", code="bad_request")
        if reader.data:
            yield reader.take()


class _FilePart:
    """Callbacks collecting the bytes of the first part named `file`."""

    def __init__(self) -> None:
        self.data: list[bytes] = []
        self.seen = False
        self.filename: str | None = None
        self._inside = False
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""

    def take(self) -> bytes:
        data, self.data = b"".join(self.data), []
        return data

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _begin(self) -> None:
        self._headers, self._field, self._value = {}, b"", b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if options.get(b"name") == FILE_FIELD.encode() and not self.seen:
            self.seen = self._inside = True
            filename = options.get(b"filename")
            self.filename = filename.decode("utf-8", "replace")[:255] if filename else None

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._inside:
            self.data.append(bytes(data[start:end]))

    def _part_end(self) -> None:
        self._inside = False
