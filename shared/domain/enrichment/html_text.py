"""What a hotel's page says, read with the stdlib html.parser: title, meta and og:* tags, h1s, JSON-LD objects,
microdata values, <address> blocks, visible text, paragraphs, links, lang, base href, meta refresh and charset.

`read_html(html, url)` never raises and does bounded work: the input, the text kept, the links and the JSON-LD
objects are capped. Visible text leaves out script/style/noscript/template/svg/iframe and cookie/consent banners
(recognised by their id/class: OneTrust, Cookiebot, Usercentrics, Borlabs, Complianz, iubenda, Didomi...), unless
the "banner" turns out to hold most of the page (a wrapper whose class merely mentions cookies).
`sniff_charset(data)` is the HTML prescan for a declared encoding, for the adapter that decodes bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from shared.domain.enrichment.jsonld import jsonld_objects

MAX_INPUT = 3_000_000  # characters parsed; the fetcher's byte budget normally cuts earlier
MAX_TEXT = 200_000  # characters of visible text kept
MAX_LINKS = 400
MAX_JSONLD = 40  # blocks kept

_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "canvas", "select", "math"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer",
    "nav", "aside", "main", "tr", "td", "th", "table", "blockquote", "address", "dd", "dt", "dl", "figcaption",
    "form", "button", "option", "hr", "body", "title", "label",
}  # fmt: skip
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_CHROME = {"nav", "header", "footer", "aside", "form", "button"}  # text, but not a page's paragraphs
_BANNER = re.compile(
    r"cookie|consent|gdpr|onetrust|cookiebot|usercentrics|borlabs|complianz|cmplz|iubenda|didomi|tarteaucitron|"
    r"cc-window|cc-banner|truste|quantcast|klaro|cookieyes|cky-|moove_gdpr|cli-modal|privacy-banner",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_REFRESH = re.compile(r"^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)['\"]?\s*$", re.IGNORECASE)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HtmlDoc:
    url: str = ""  # the page's URL as given to read_html (links resolve against base href, else this)
    title: str = ""
    description: str = ""  # <meta name="description">
    og_title: str = ""
    og_description: str = ""
    og_site_name: str = ""
    h1s: tuple[str, ...] = ()
    jsonld: tuple[dict[str, Any], ...] = ()  # every object, @graph and lists flattened, in document order
    microdata: tuple[tuple[str, str], ...] = ()  # (itemprop, value) in document order
    addresses: tuple[str, ...] = ()  # the text of <address> elements
    text: str = ""  # visible text, one block per line
    paragraphs: tuple[str, ...] = ()  # <p> texts outside nav/header/footer/forms and banners
    links: tuple[str, ...] = ()  # absolute http(s) URLs without fragments, first occurrence order
    link_texts: tuple[str, ...] = ()  # the anchor text of each link (same order as `links`)
    lang: str = ""  # <html lang>, lower-cased
    refresh_url: str = ""  # <meta http-equiv="refresh"> target, absolute
    charset: str = ""  # the declared charset (<meta charset> or http-equiv content-type), lower-cased
    banner_text: str = ""  # what the cookie/consent banners said (kept apart from `text`)
    metas: dict[str, str] = field(default_factory=dict)  # other <meta name/property> values (first wins)


def clean(text: str) -> str:
    """Entities unescaped, whitespace collapsed, ends stripped."""
    return _SPACES.sub(" ", html.unescape(text)).strip()


def sniff_charset(data: bytes) -> str | None:
    """The charset a document declares in its first 1024 bytes (HTML's prescan, simplified), lower-cased."""
    found = _CHARSET.search(data[:1024])
    return found.group(1).decode("ascii", "replace").lower() if found else None


class _Reader(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.base = url
        self.fields: dict[str, str] = {}
        self.metas: dict[str, str] = {}
        self.h1s: list[str] = []
        self.jsonld_blocks: list[str] = []
        self.microdata: list[tuple[str, str]] = []
        self.addresses: list[str] = []
        self.blocks: list[str] = []  # visible text blocks
        self.banner: list[str] = []
        self.paragraphs: list[str] = []
        self.links: dict[str, str] = {}
        self.lang = ""
        self.kept = 0
        self.skip: list[str] = []  # the tag being skipped, nested same-name count below
        self.skip_depth = 0
        self.banner_tag = ""
        self.banner_depth = 0
        self.chrome = 0
        self.line: list[str] = []
        self.captures: list[list[Any]] = []  # [kind, tag, depth, parts, extra]

    # -- structure -------------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if self.skip:
            if tag == self.skip[0]:
                self.skip_depth += 1
            return
        if tag == "script" and a.get("type", "").strip().lower() == "application/ld+json":
            self.captures.append(["jsonld", tag, 1, [], ""])
            self.skip = [tag]
            self.skip_depth = 1
            return
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip = [tag]
                self.skip_depth = 1
            return
        self._head_tags(tag, a)
        if tag in _VOID:
            if tag == "br":
                self._break()
            return
        for capture in self.captures:
            if capture[1] == tag:
                capture[2] += 1
        if self.banner_tag:
            if tag == self.banner_tag:
                self.banner_depth += 1
        elif tag not in {"html", "body", "main"} and _BANNER.search(a.get("id", "") + " " + a.get("class", "")):
            self._break()
            self.banner_tag, self.banner_depth = tag, 1
        if tag in _BLOCK:
            self._break()
            for capture in [c for c in self.captures if c[0] == "p"]:  # a block closes an open <p>
                self.captures.remove(capture)
                self._finish(capture)
        if tag in _CHROME:
            self.chrome += 1
        if tag == "html" and a.get("lang"):
            self.lang = a["lang"].strip().lower()[:20]
        elif tag in {"title", "h1", "p", "address", "a"} and len(self.captures) < 50:
            self.captures.append([tag, tag, 1, [], a.get("href", "")])
        if "itemprop" in a and len(self.microdata) < 200:
            prop = a["itemprop"].strip()[:60]
            value = a.get("content") or (a.get("href") if tag in {"link", "a"} else "")
            if value:
                self.microdata.append((prop, clean(value)[:500]))
            elif len(self.captures) < 50:
                self.captures.append(["itemprop", tag, 1, [], prop])

    def _head_tags(self, tag: str, a: dict[str, str]) -> None:
        if tag == "base" and a.get("href") and self.base == self.url:
            self.base = urljoin(self.url, a["href"].strip())
        elif tag == "meta":
            name = (a.get("name") or a.get("property") or a.get("itemprop") or "").strip().lower()
            content = clean(a.get("content", ""))[:2000]
            equiv = a.get("http-equiv", "").strip().lower()
            if a.get("charset"):
                self.fields.setdefault("charset", a["charset"].strip().lower())
            elif equiv == "content-type" and "charset=" in content.lower():
                self.fields.setdefault("charset", content.lower().split("charset=")[-1].strip(" ;\"'"))
            elif equiv == "refresh":
                found = _REFRESH.match(content)
                if found and found.group(1).strip():
                    self.fields.setdefault("refresh", urljoin(self.base, found.group(1).strip()))
            elif name and content and len(self.metas) < 100:
                self.metas.setdefault(name, content)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[0]:
                self.skip_depth -= 1
                if self.skip_depth <= 0:
                    self.skip = []
                    if self.captures and self.captures[-1][0] == "jsonld":
                        block = "".join(self.captures.pop()[3])
                        if len(self.jsonld_blocks) < MAX_JSONLD:
                            self.jsonld_blocks.append(block)
            return
        if tag in _BLOCK:
            self._break()
        if tag in _CHROME and self.chrome:
            self.chrome -= 1
        for capture in list(self.captures):
            if capture[1] == tag:
                capture[2] -= 1
                if capture[2] <= 0:
                    self.captures.remove(capture)
                    self._finish(capture)
        if self.banner_tag == tag:
            self.banner_depth -= 1
            if self.banner_depth <= 0:
                self._break()
                self.banner_tag = ""

    def _finish(self, capture: list[Any]) -> None:
        kind, extra = capture[0], capture[4]
        lines = [clean(line) for line in "".join(capture[3]).split("\n")]
        text = (", " if kind == "address" else " ").join(line for line in lines if line)
        if kind == "title":
            self.fields.setdefault("title", text[:500])
        elif kind == "h1" and text and len(self.h1s) < 10:
            self.h1s.append(text[:300])
        elif kind == "p" and text and not self.chrome and not self.banner_tag and len(self.paragraphs) < 300:
            self.paragraphs.append(text[:3000])
        elif kind == "address" and text and len(self.addresses) < 10:
            self.addresses.append(text[:500])
        elif kind == "itemprop" and text:
            self.microdata.append((extra, text[:500]))
        elif kind == "a" and extra and len(self.links) < MAX_LINKS:
            href = extra.strip()
            if href.startswith(("mailto:", "tel:", "javascript:", "#", "data:")):
                return
            try:
                absolute = urljoin(self.base, href).split("#", 1)[0]
                scheme = urlsplit(absolute).scheme
            except ValueError:
                return
            if scheme in {"http", "https"} and absolute not in self.links:
                self.links[absolute] = text[:200]

    # -- text ----------------------------------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self.skip:
            if self.captures and self.captures[-1][0] == "jsonld" and sum(map(len, self.captures[-1][3])) < 2**19:
                self.captures[-1][3].append(data)
            return
        in_title = False
        for capture in self.captures:
            in_title = in_title or capture[0] == "title"
            if sum(len(p) for p in capture[3]) < 5000:
                capture[3].append(data)
        if self.kept < MAX_TEXT and not in_title:
            self.line.append(data)
            self.kept += len(data)

    def _break(self) -> None:
        for capture in self.captures:
            if capture[0] != "jsonld":
                capture[3].append("\n")
        if not self.line:
            return
        text = clean("".join(self.line))
        self.line = []
        if text:
            (self.banner if self.banner_tag else self.blocks).append(text)

    def finish(self) -> HtmlDoc:
        self._break()
        for capture in [c for c in self.captures if c[0] != "jsonld"]:  # unclosed elements at the end
            self._finish(capture)
        blocks, banner = self.blocks, self.banner
        if len("".join(banner)) > 2 * len("".join(blocks)) + 2000:  # a "banner" holding the page is a wrapper
            blocks, banner = blocks + banner, []
        get = self.metas.get
        links = list(self.links.items())
        return HtmlDoc(
            url=self.url,
            title=self.fields.get("title", ""),
            description=get("description", ""),
            og_title=get("og:title", ""),
            og_description=get("og:description", ""),
            og_site_name=get("og:site_name", ""),
            h1s=tuple(self.h1s),
            jsonld=tuple(jsonld_objects(self.jsonld_blocks)),
            microdata=tuple(self.microdata),
            addresses=tuple(self.addresses),
            text="\n".join(blocks)[:MAX_TEXT],
            paragraphs=tuple(self.paragraphs),
            links=tuple(u for u, _ in links),
            link_texts=tuple(t for _, t in links),
            lang=self.lang,
            refresh_url=self.fields.get("refresh", ""),
            charset=self.fields.get("charset", "")[:40],
            banner_text="\n".join(banner)[:20_000],
            metas=dict(self.metas),
        )


def read_html(html_text: str, url: str = "") -> HtmlDoc:
    """Read a page; never raises. `url` is the page's own URL (relative links resolve against it)."""
    reader = _Reader(url)
    try:
        reader.feed(html_text[:MAX_INPUT] if isinstance(html_text, str) else "")
        reader.close()
    except Exception:
        pass
    try:
        return reader.finish()
    except Exception:
        return HtmlDoc(url=url)
