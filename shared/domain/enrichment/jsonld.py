"""JSON-LD blocks as hotel sites really ship them: parsed with json, tolerating HTML comments, CDATA wrappers, trailing
commas, raw control characters and several objects in one block; lists and @graph flattened into one list of objects.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_OBJECTS = 40
MAX_BLOCK = 500_000
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def jsonld_objects(blocks: list[str]) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for block in blocks:
        for value in _json_values(block):
            _flatten(value, objects, 0)
            if len(objects) >= MAX_OBJECTS:
                return objects[:MAX_OBJECTS]
    return objects


def _json_values(block: str) -> list[Any]:
    """Every JSON value in a block, tolerating comments, CDATA, trailing commas and concatenated objects."""
    text = block[:MAX_BLOCK].strip()
    for junk in ("<!--", "-->", "<![CDATA[", "]]>", "//<![CDATA[", "//]]>"):
        text = text.replace(junk, " ")
    text = text.strip().rstrip(";")
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        position, values = 0, []
        try:
            while position < len(attempt) and len(values) < MAX_OBJECTS:
                while position < len(attempt) and attempt[position] in " \t\r\n,;":
                    position += 1
                if position >= len(attempt):
                    break
                value, position = decoder.raw_decode(attempt, position)
                values.append(value)
            return values
        except (ValueError, RecursionError):
            continue
    return values


def _flatten(value: Any, out: list[dict[str, Any]], depth: int) -> None:
    if depth > 4 or len(out) >= MAX_OBJECTS:
        return
    if isinstance(value, list):
        for item in value[:MAX_OBJECTS]:
            _flatten(item, out, depth + 1)
    elif isinstance(value, dict):
        graph = value.get("@graph")
        rest = {k: v for k, v in value.items() if k != "@graph"}
        if "@type" in rest or graph is None:
            out.append(rest)
        if graph is not None:
            _flatten(graph, out, depth + 1)
