"""The visible footer (shared/domain/sending/footer.py): address and opt-out line, languages, idempotency, HTML
escaping."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.sending.footer import OPT_OUT, html_footer, opt_out_sentence, with_footer

URL = "https://jengu-demo.test/u/AQzx3mB8dQk2lq0Zr9t1uVwXyZ_-abcdEFGHijklMNOP"
ARGS: dict[str, str | None] = {
    "sender_name": "Anna Berg",
    "postal_address": "Hotel Tech Ltd\n1 Analytical Row\n\nLondon EC1 2AB",
    "unsubscribe_url": URL,
    "language": None,
}


def _args(changes: dict[str, str | None]) -> tuple[str, str, str, str | None]:
    args = {**ARGS, **changes}
    return str(args["sender_name"]), str(args["postal_address"]), str(args["unsubscribe_url"]), args["language"]


def plain(text: str, **changes: str | None) -> str:
    name, address, url, language = _args(changes)
    return with_footer(text, sender_name=name, postal_address=address, unsubscribe_url=url, language=language)


def rich(html: str, **changes: str | None) -> str:
    name, address, url, language = _args(changes)
    return html_footer(html, sender_name=name, postal_address=address, unsubscribe_url=url, language=language)


def test_plain_footer_shape() -> None:
    out = plain("Hi Bob,\n\nA short note.\n\nBest regards,\nAnna\n\n\n")
    assert out == (
        "Hi Bob,\n\nA short note.\n\nBest regards,\nAnna\n\n"
        "Anna Berg · Hotel Tech Ltd, 1 Analytical Row, London EC1 2AB\n"
        f"If you'd rather not hear from me again, you can unsubscribe here: {URL}\n"
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (None, "rather not hear from me again"),
        ("en", "rather not hear from me again"),
        ("de", "hier abmelden"),
        ("de-AT", "hier abmelden"),
        ("fr", "vous désabonner ici"),
        ("es", "darse de baja"),
        ("it", "annullare l'iscrizione"),
        ("nl", "hier afmelden"),
        ("pt_BR", "cancelar a subscrição"),
        ("PT", "cancelar a subscrição"),
        ("ja", "rather not hear from me again"),  # no sentence for it: English
        ("", "rather not hear from me again"),
    ],
)
def test_opt_out_line_in_each_language(language: str | None, words: str) -> None:
    out = plain("Hallo.", language=language)
    last = out.rstrip("\n").splitlines()[-1]
    assert words in last and last.endswith(f" {URL}")
    assert opt_out_sentence(language) in last


def test_every_language_has_a_plain_sentence_that_ends_before_the_url() -> None:
    assert set(OPT_OUT) == {"en", "de", "fr", "es", "it", "nl", "pt"}
    for sentence in OPT_OUT.values():
        assert sentence.endswith(":") and "http" not in sentence and "!" not in sentence
        assert len(sentence) < 100


def test_without_a_sender_name_the_address_stands_alone() -> None:
    out = plain("Hi.", sender_name="  ")
    assert "\n\nHotel Tech Ltd, 1 Analytical Row, London EC1 2AB\n" in out


@pytest.mark.parametrize("address", ["", "  \n \n"])
def test_a_postal_address_is_required(address: str) -> None:
    with pytest.raises(ValueError, match="postal address"):
        plain("Hi.", postal_address=address)
    with pytest.raises(ValueError, match="postal address"):
        rich("<p>Hi.</p>", postal_address=address)


@pytest.mark.parametrize("url", ["", "https://x.test/u/a b", "https://x.test/u/a\nBcc: x"])
def test_a_url_with_whitespace_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="unsubscribe URL"):
        plain("Hi.", unsubscribe_url=url)


@given(
    text=st.text(max_size=300),
    name=st.text(max_size=40),
    address=st.text(max_size=80).filter(lambda text: any(not char.isspace() for char in text)),
    language=st.sampled_from([None, "en", "de", "fr", "es", "it", "nl", "pt", "xx"]),
)
def test_idempotent_and_the_body_is_kept(text: str, name: str, address: str, language: str | None) -> None:
    args: dict[str, str | None] = {"sender_name": name, "postal_address": address, "language": language}
    once = plain(text, **args)
    assert plain(once, **args) == once
    assert once.startswith(text.rstrip())
    assert once.endswith(f"{opt_out_sentence(language)} {URL}\n")


def test_a_changed_footer_is_added_again() -> None:
    once = plain("Hi.")
    moved = plain(once, postal_address="2 New Street, Leeds")
    assert moved.startswith(once.rstrip()) and moved.endswith(f"{URL}\n") and "2 New Street, Leeds" in moved


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.extend(value or "" for name, value in attrs if name == "href")


def test_html_footer_goes_before_body_end_and_is_escaped() -> None:
    page = "<html><body><p>Hi Bob,</p></BODY></html>"
    out = rich(
        page,
        sender_name='Anna <script>alert("x")</script>',
        postal_address="R&D Ltd\n1 <b>Row</b>",
        unsubscribe_url='https://x.test/u/a"onmouseover="alert(1)',
    )
    assert out.startswith("<html><body><p>Hi Bob,</p>\n<p ") and out.endswith("</p>\n</BODY></html>")
    assert "<script>" not in out and "<b>" not in out and '"onmouseover' not in out
    parsed = _Text()
    parsed.feed(out)
    text = "".join(parsed.text)
    assert 'Anna <script>alert("x")</script> · R&D Ltd, 1 <b>Row</b>' in text
    assert parsed.links == ['https://x.test/u/a"onmouseover="alert(1)']  # the exact URL, as one attribute


def test_html_footer_without_a_body_element_is_appended() -> None:
    out = rich("<p>Hi.</p>")
    assert out.startswith("<p>Hi.</p>\n<p ") and out.endswith("</a></p>\n")
    assert re.search(r"<a href=\"" + re.escape(URL) + r"\">", out)


@given(
    html=st.sampled_from(["", "<p>Hi.</p>", "<html><body>x</body></html>", "<body>a</body><body>b</body>  "]),
    language=st.sampled_from([None, "de", "fr"]),
)
def test_html_footer_is_idempotent(html: str, language: str | None) -> None:
    once = rich(html, language=language)
    assert rich(once, language=language) == once
    assert once.count("<a href=") == 1
