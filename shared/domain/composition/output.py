"""Reading a model's completion: (subject, body) from a JSON object, JSON inside ``` fences (after or before some
prose), or plain "Subject: ...\\n\\n<body>" text. A reasoning model's <think>...</think> preamble is skipped.
Anything else, truncated JSON included, is an OutputProblem: the gateway then tries the next provider.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*(?:json|JSON|text)?[ \t]*\n?(.*?)```", re.DOTALL)
_SUBJECT_LINE = re.compile(r"^[ \t]*(?:\*\*|__)?subject(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?(.*?)(?:\*\*|__)?[ \t]*$",
                           re.IGNORECASE | re.MULTILINE)  # fmt: skip
_BODY_LABEL = re.compile(r"^[ \t]*(?:\*\*|__)?body(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?[ \t]*\n?", re.IGNORECASE)


class OutputProblem(ValueError):
    """The completion holds no subject and body we can read."""


def _candidates(text: str) -> Iterator[str]:
    yield text
    for match in _FENCE.finditer(text):
        yield match.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        yield text[start : end + 1]


def _from_json(text: str) -> tuple[str, str] | None:
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    fields = {str(key).strip().lower(): value for key, value in data.items()}
    subject, body = fields.get("subject"), fields.get("body")
    if isinstance(subject, str) and isinstance(body, str):
        return subject, body
    return None


def _from_text(text: str) -> tuple[str, str] | None:
    if text.lstrip().startswith(("{", "[")):
        return None  # JSON that did not parse (truncated): never read it as prose
    match = _SUBJECT_LINE.search(text)
    if match is None or text[: match.start()].strip():
        return None
    body = _BODY_LABEL.sub("", text[match.end() :].strip("\n"), count=1)
    return match.group(1).strip(), body.strip()


def parse_completion(text: str) -> tuple[str, str]:
    """(subject, body) as the model wrote them (clean_output tidies them); OutputProblem when neither shape is found
    or either part is empty."""
    cleaned = _THINK.sub("", text).strip()
    if not cleaned:
        raise OutputProblem("the completion is empty")
    for candidate in _candidates(cleaned):
        found = _from_json(candidate) or _from_text(candidate)
        if found is not None:
            subject, body = found
            if not subject.strip() or not body.strip():
                raise OutputProblem("the completion has an empty subject or body")
            return subject, body
    raise OutputProblem('the completion is neither {"subject", "body"} JSON nor "Subject: ..." text')
