"""The visible footer every email carries (CAN-SPAM: the sender's postal address and a clear opt-out; GDPR Art. 21:
the right to object, offered from the first email on), short and plain:

    <the body>

    Anna Berg · Hotel Tech Ltd, 1 Analytical Row, London
    If you'd rather not hear from me again, you can unsubscribe here: https://…/u/{token}

`with_footer(text, ...)` for the plain-text part, `html_footer(html, ...)` for an HTML part (every value escaped,
inserted before `</body>` when there is one). The opt-out line is in en, de, fr, es, it, nl or pt (a campaign's
`language`, "de-AT" and "pt_BR" read as their base; English otherwise). Both are idempotent: a body that already
ends with this footer comes back unchanged, so a retried send never stacks footers. ValueError for an empty postal
address (an inbox without one cannot send) or a URL with whitespace in it.
"""

from __future__ import annotations

import re

OPT_OUT: dict[str, str] = {
    "en": "If you'd rather not hear from me again, you can unsubscribe here:",
    "de": "Falls Sie nichts mehr von mir hören möchten, können Sie sich hier abmelden:",
    "fr": "Si vous préférez ne plus recevoir de messages de ma part, vous pouvez vous désabonner ici :",
    "es": "Si prefiere no volver a saber de mí, puede darse de baja aquí:",
    "it": "Se preferisce non ricevere più miei messaggi, può annullare l'iscrizione qui:",
    "nl": "Wilt u liever niets meer van mij horen? U kunt zich hier afmelden:",
    "pt": "Se preferir não voltar a receber mensagens minhas, pode cancelar a subscrição aqui:",
}
DEFAULT_LANGUAGE = "en"
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def with_footer(text: str, *, sender_name: str, postal_address: str, unsubscribe_url: str, language: str | None) -> str:
    """The plain-text body with the footer after one blank line (LF line ends, one final newline)."""
    address, opt_out, url = _footer_parts(sender_name, postal_address, unsubscribe_url, language)
    footer = f"{address}\n{opt_out} {url}"
    body = text.rstrip()
    if body.endswith(footer):
        return text
    return f"{body}\n\n{footer}\n" if body else f"{footer}\n"


def html_footer(html: str, *, sender_name: str, postal_address: str, unsubscribe_url: str, language: str | None) -> str:
    """The HTML body with the footer as a small paragraph, before `</body>` when the document has one."""
    from html import escape

    address, opt_out, url = _footer_parts(sender_name, postal_address, unsubscribe_url, language)
    footer = (
        f'<p style="font-size:12px;color:#666666">{escape(address)}<br>'
        f'{escape(opt_out)} <a href="{escape(url)}">{escape(url)}</a></p>'
    )
    ends = list(_BODY_END.finditer(html))
    head, tail = (html[: ends[-1].start()], html[ends[-1].start() :]) if ends else (html, "")
    if head.rstrip().endswith(footer):
        return html
    return f"{head.rstrip()}\n{footer}\n{tail}" if head.strip() else f"{footer}\n{tail}"


def opt_out_sentence(language: str | None) -> str:
    """The opt-out sentence in the language (its base code), English when we have none for it."""
    base = (language or DEFAULT_LANGUAGE).replace("_", "-").split("-")[0].strip().lower()
    return OPT_OUT.get(base, OPT_OUT[DEFAULT_LANGUAGE])


def _footer_parts(sender_name: str, postal_address: str, url: str, language: str | None) -> tuple[str, str, str]:
    address = ", ".join(line for line in (" ".join(part.split()) for part in postal_address.splitlines()) if line)
    if not address:
        raise ValueError("a postal address is required in every email's footer (CAN-SPAM)")
    if not url or any(char.isspace() for char in url):
        raise ValueError(f"unsubscribe URL {url!r} is empty or has whitespace")
    name = " ".join(sender_name.split())
    return (f"{name} · {address}" if name else address), opt_out_sentence(language), url
