"""Which delimiter and line ending a CSV uses, decided from its first lines.

csv.Sniffer guesses from character frequencies and is easily fooled (a semicolon file whose locations contain commas).
Here: the first non-blank line is the header; a candidate delimiter (`,` `;` tab `|`) must occur in it, and among those
the winner is the one whose count per line agrees with the header's on most of the following lines (then the one
occurring most often in the header, then the order listed). Quoted text is removed first, so delimiters inside
quotes (and quoted line breaks) do not count. A file whose header holds none of them is a one-column file: `,`.

Excel's `sep=;` first line is honoured and reported as `preamble_lines`, so the caller skips it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_LINES = 50

_QUOTED = re.compile(r'"[^"]*+(?:""[^"]*+)*+"')  # unrolled and possessive: no backtracking state per character
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEP_HINT = re.compile(r"^sep=(.)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Dialect:
    delimiter: str
    line_ending: str  # "\r\n", "\n" or "\r"; "\n" when the sample has no line break
    preamble_lines: int = 0  # 1 when the file starts with Excel's "sep=X" line


def detect_line_ending(sample: str) -> str:
    match = _LINE_BREAK.search(_QUOTED.sub("", sample))
    return match.group() if match else "\n"


def detect_dialect(sample: str) -> Dialect:
    """The dialect of a file, from its beginning (a few kilobytes: at least the header and some rows)."""
    line_ending = detect_line_ending(sample)
    first, _, _ = sample.lstrip("\ufeff").partition(line_ending)
    hint = _SEP_HINT.match(first.strip())
    if hint:
        return Dialect(hint.group(1), line_ending, preamble_lines=1)
    lines = [line for line in _LINE_BREAK.split(_QUOTED.sub("", sample.lstrip("\ufeff"))) if line.strip()]
    if not lines:
        return Dialect(",", line_ending)
    header, rows = lines[0], lines[1:SAMPLE_LINES]
    best: tuple[float, int, int] | None = None
    chosen = ","
    for rank, delimiter in enumerate(DELIMITERS):
        in_header = header.count(delimiter)
        if not in_header:
            continue
        agreeing = sum(1 for row in rows if row.count(delimiter) == in_header)
        score = (agreeing / len(rows) if rows else 1.0, in_header, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return Dialect(chosen, line_ending)
