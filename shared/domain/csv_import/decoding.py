"""Bytes to text for CSV uploads, incrementally: UTF-8 (with or without BOM), UTF-16/32 with BOM, else Windows-1252.

The encoding is decided once, from the first `SNIFF_BYTES` of the upload (or all of it, if shorter):

* a byte-order mark decides: UTF-8-SIG, UTF-16 (LE/BE) or UTF-32 (LE/BE);
* binary files are refused with CsvFormatError (`code="binary_file"`): known signatures (ZIP, i.e. .xlsx/.ods;
  legacy .xls; PDF; gzip; images) and any NUL byte in the sniffed window (NUL never occurs in a text CSV; it does in
  UTF-16 without BOM, which gets its own message);
* the window is valid UTF-8 -> UTF-8, otherwise Windows-1252 (bytes it leaves undefined, 0x81 0x8D 0x8F 0x90 0x9D,
  decode as Latin-1 code points, which the row cleaner later strips as control characters).

After the window, a byte sequence that is not valid UTF-8 in a "UTF-8" file (an ASCII-only head followed by a
Windows-1252 "Müller" at row 5,000 is common) decodes as Windows-1252 for just those bytes: `fallback_bytes` counts
them so the endpoint can warn. NULs after the window are dropped (counted in `nul_chars_dropped`) rather than failing
an import that is already under way. Nothing here raises after the first text has been returned.

Use `CsvDecoder` for a streamed body (`feed(chunk)` returns text as soon as it is decodable, `finish()` the rest),
`iter_decode(chunks)` for an iterable, `decode_csv(data)` for bytes already in memory.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from functools import cache

from shared.domain.csv_import.errors import CsvFormatError

SNIFF_BYTES = 64 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook?)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Excel .xls (or other Office) file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (  # UTF-32 first: its LE BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ESCAPED = re.compile("[\udc80-\udcff]")
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


@cache
def _escaped_to_cp1252() -> dict[int, str]:
    """surrogateescape's lone surrogates (U+DC80..U+DCFF, one per undecodable byte) -> that byte in Windows-1252."""
    return {
        0xDC00 + byte: chr(byte) if byte in _CP1252_UNDEFINED else bytes([byte]).decode("cp1252")
        for byte in range(0x80, 0x100)
    }


def _binary_reason(head: bytes) -> str | None:
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return what
    if b"\x00" in head:
        sample = head[:512]
        if len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4):
            return 'UTF-16 text without a byte-order mark (save it as "CSV UTF-8" instead)'
        return "a binary file (it contains NUL bytes)"
    return None


class CsvDecoder:
    """Incremental decoder: feed() byte chunks of any size, get text back; finish() at the end of the body."""

    def __init__(self, *, sniff_bytes: int = SNIFF_BYTES) -> None:
        self._sniff_bytes = sniff_bytes
        self._head = bytearray()
        self._decoder: codecs.IncrementalDecoder | None = None
        self._single_byte = False
        self.encoding: str | None = None
        self.fallback_bytes = 0
        self.nul_chars_dropped = 0
        self.bytes_read = 0

    def feed(self, data: bytes) -> str:
        self.bytes_read += len(data)
        if self.encoding is None:
            self._head += data
            if len(self._head) < self._sniff_bytes:
                return ""
            return self._start(final=False)
        return self._decode(data, final=False)

    def finish(self) -> str:
        if self.encoding is None:
            return self._start(final=True)
        return self._decode(b"", final=True)

    def _start(self, *, final: bool) -> str:
        head = bytes(self._head)
        self._head = bytearray()
        encoding = None
        for bom, name in _BOMS:
            if head.startswith(bom):
                encoding = name
                break
        if encoding is None or encoding == "utf-8-sig":
            reason = _binary_reason(head[3:] if encoding else head)
            if reason:
                raise CsvFormatError(f"This is not a CSV text file: it looks like {reason}.", code="binary_file")
        if encoding is None:
            encoding = "utf-8" if _is_utf8(head, final=final) else "cp1252"
        self.encoding = encoding
        if encoding == "cp1252":
            self._single_byte = True
        else:
            errors = "surrogateescape" if encoding.startswith("utf-8") else "replace"
            self._decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
        text = self._decode(head, final=final, check_nul=encoding.startswith(("utf-16", "utf-32")))
        return text

    def _decode(self, data: bytes, *, final: bool, check_nul: bool = False) -> str:
        if self._single_byte:
            text = data.decode("cp1252", "surrogateescape")
            if _ESCAPED.search(text):  # only the five bytes Windows-1252 leaves undefined
                text = text.translate(_escaped_to_cp1252())
        else:
            assert self._decoder is not None
            text = self._decoder.decode(data, final)
            if _ESCAPED.search(text):
                self.fallback_bytes += len(_ESCAPED.findall(text))
                text = text.translate(_escaped_to_cp1252())
        if "\x00" in text:
            if check_nul:
                raise CsvFormatError("This is not a CSV text file: it contains NUL characters.", code="binary_file")
            self.nul_chars_dropped += text.count("\x00")
            text = text.replace("\x00", "")
        return text


def _is_utf8(head: bytes, *, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final)
    except UnicodeDecodeError:
        return False
    return True


def iter_decode(chunks: Iterable[bytes], *, sniff_bytes: int = SNIFF_BYTES) -> Iterator[str]:
    """Text pieces for byte chunks (pieces may be empty strings' worth of nothing: those are skipped)."""
    decoder = CsvDecoder(sniff_bytes=sniff_bytes)
    for chunk in chunks:
        text = decoder.feed(chunk)
        if text:
            yield text
    text = decoder.finish()
    if text:
        yield text


def decode_csv(data: bytes) -> str:
    """The whole upload as text (for small files and tests; stream large ones through CsvDecoder)."""
    decoder = CsvDecoder()
    return decoder.feed(data) + decoder.finish()
