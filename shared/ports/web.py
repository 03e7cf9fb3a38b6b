"""Reading a public web page (a hotel's site): one GET with our user agent, redirects followed hop by hop.

The adapter (shared/adapters/web_pages.py) fetches with `redirect="manual"` so every hop is seen (a site that
redirects to a booking portal or a parking page must be recognised), stops reading at a byte budget, and raises
`HttpError`/`HttpTimeout` (shared.ports.http) when no answer comes. Any status is an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class WebPage:
    url: str  # the final URL, after redirects
    status: int
    content_type: str = ""  # the media type, lower-cased, without parameters
    text: str = ""  # the body decoded (charset from the header or the document, else UTF-8 with replacement)
    redirects: tuple[str, ...] = ()  # every URL before the final one, in order
    truncated: bool = False  # the body was longer than the budget and was cut


class PageFetcher(Protocol):
    async def get(self, url: str, *, max_bytes: int, timeout_s: float, max_redirects: int = 5) -> WebPage:
        """Raises HttpError (no answer, too many redirects, a redirect to a non-http(s) URL) or HttpTimeout."""
        ...
