"""Draft validation, output cleaning and the fallback templates (shared/domain/composition/validation.py,
fallback.py): each problem code with a case that has it and one that does not."""

from __future__ import annotations

import pytest

from shared.domain.composition.context import ALLOWED_VARIABLES, TEMPLATE_FIELDS, build_context
from shared.domain.composition.fallback import fallback_template
from shared.domain.composition.prompts import STRATEGIES
from shared.domain.composition.spam_phrases import SPAM_PHRASES, all_phrases
from shared.domain.composition.templates import check_template, render
from shared.domain.composition.validation import clean_output, detect_language, registrable, validate_draft

SENDER = {"display_name": "Ann Lee", "email": "ann@jengu.example"}
CONTEXT = build_context(
    {"first_name": "Maria", "property_name": "Hotel Sonnenhof", "website": "https://sonnenhof.example"},
    SENDER,
    {"name": "Spring"},
)
BODY = (
    "Hi Maria,\n\nI am writing about Hotel Sonnenhof and how your guests book their stays today. "
    "Would a short call next week suit you?\n\nBest regards,\nAnn"
)


def codes(subject: str = "A question about Hotel Sonnenhof", body: str = BODY, **kwargs: object) -> list[str]:
    context = kwargs.pop("context", CONTEXT)
    return [p.code for p in validate_draft(subject, body, context=context, **kwargs)]  # type: ignore[arg-type]


def test_a_good_draft_has_no_problems() -> None:
    assert codes() == []


@pytest.mark.parametrize(("subject", "ok"), [("", False), ("x" * 151, False), ("Two\nlines", False),
                                             ("x" * 150, True), ("Hi", True)])  # fmt: skip
def test_subject_length(subject: str, ok: bool) -> None:
    assert ("subject_length" in codes(subject=subject)) is not ok


@pytest.mark.parametrize(("extra", "ok"), [(0, True), (-1, False), (4000, False)])
def test_body_length(extra: int, ok: bool) -> None:
    body = "Hi Maria, " + "x" * (30 + extra) if extra >= 0 else "Hi Maria"
    body = body if extra != 4000 else "Hi Maria, " + "word " * 800
    assert ("body_length" in codes(body=body)) is not ok


@pytest.mark.parametrize(
    "stand_in",
    ["{{ first_name }}", "{% if x %}", "{first_name}", "{ FirstName }", "[First Name]", "[Your Name]", "[HOTEL]",
     "[insert link]", "<NAME>", "<first name>", "%FIRST_NAME%", "${name}", "[Vorname]"],
)  # fmt: skip
def test_placeholders_are_found(stand_in: str) -> None:
    assert "placeholder" in codes(body=BODY.replace("Maria,", f"Maria, {stand_in}"))


@pytest.mark.parametrize("text", ["[1]", "(see above)", "<ann@jengu.example>", "50% off-season", "[sic]"])
def test_ordinary_brackets_are_not_placeholders(text: str) -> None:
    assert "placeholder" not in codes(body=BODY.replace("today.", f"today {text}."))


def test_braces_apart_from_placeholders() -> None:
    assert "braces" in codes(body=BODY.replace("today.", "today :-}"))
    assert "braces" in codes(subject="Hotel Sonnenhof {")
    assert "braces" not in codes(body=BODY.replace("Maria,", "Maria, {first_name}"))
    assert "braces" not in codes()


@pytest.mark.parametrize(
    "link",
    ["https://calendly.com/ann", "www.other-hotel.example", "see booking.com", "http://bit.ly/x",
     "mail me at ann@gmail.com", "https://sonnenhof.example.evil.com/x"],
)  # fmt: skip
def test_links_not_in_the_input_are_foreign(link: str) -> None:
    assert "foreign_link" in codes(body=BODY.replace("today.", f"today ({link})."))


@pytest.mark.parametrize(
    "link",
    ["https://sonnenhof.example/rooms", "www.sonnenhof.example", "https://book.sonnenhof.example",
     "ann@jengu.example", "e.g. a file.pdf", "v1.2", "St.Moritz", "the end.It was"],
)  # fmt: skip
def test_links_from_the_input_and_non_links_are_fine(link: str) -> None:
    assert "foreign_link" not in codes(body=BODY.replace("today.", f"today ({link})."))


def test_registrable_domains() -> None:
    assert registrable("book.hotel.co.uk") == "hotel.co.uk"
    assert registrable("a.b.hotel.de") == "hotel.de"
    assert registrable("hotel.com.au") == "hotel.com.au"


def test_personalisation_first_name_or_property() -> None:
    assert "missing_personalisation" in codes(body=BODY.replace("Maria", "there").replace("Hotel Sonnenhof", "it"))
    assert "missing_personalisation" not in codes(body=BODY.replace("Maria", "there"))  # the property is named
    assert "missing_personalisation" not in codes(body=BODY.replace("Hotel Sonnenhof", "your hotel"))
    only_email = build_context({"email": "x@y.example"}, SENDER, {})
    assert "missing_personalisation" not in codes(body="Hello there, " + "a" * 50, context=only_email)


def test_personalisation_matches_folded_names_and_distinctive_parts() -> None:
    context = build_context({"first_name": "José", "company_name": "Hotel Sonnenhof GmbH"}, SENDER, {})
    assert codes(body=BODY.replace("Maria", "JOSÉ"), context=context) == []
    assert codes(body=BODY.replace("Maria", "there").replace("Hotel Sonnenhof", "the Sonnenhof"),
                 context=context) == []  # fmt: skip
    assert "missing_personalisation" in codes(body=BODY.replace("Maria", "Josef").replace("Hotel Sonnenhof", "you"),
                                              context=context)  # fmt: skip


def test_personalisation_in_scripts_without_spaces() -> None:
    context = build_context({"first_name": "太郎", "company_name": "山田旅館"}, SENDER, {})
    assert "missing_personalisation" not in codes(body="太郎様、" + "こんにちは。" * 10, context=context)
    assert "missing_personalisation" in codes(body="こんにちは。" * 10, context=context)


def test_required_rules() -> None:
    body = BODY.replace("Maria", "there")
    assert "missing_personalisation" in codes(body=body, required=("first_name",))
    assert "missing_personalisation" not in codes(body=body, required=("property_or_company",))
    assert codes(body=body, required=()) == []
    with pytest.raises(ValueError, match="unknown personalisation rule"):
        codes(required=("shoe_size",))


@pytest.mark.parametrize("phrase", ["Click here", "100% FREE", "risk-free", "Jetzt kaufen", "cliquez ici",
                                    "100% gratis", "clique aqui", "offerta speciale", "klik hier"])  # fmt: skip
def test_spam_phrases(phrase: str) -> None:
    assert "spam_phrase" in codes(body=BODY.replace("today.", f"today. {phrase}!"))


@pytest.mark.parametrize("text", ["feel free to reply", "free up your time", "we guarantee nothing",
                                  "clickhere", "no obligations were met"])  # fmt: skip
def test_ordinary_words_are_not_spam(text: str) -> None:
    assert "spam_phrase" not in codes(body=BODY.replace("today.", f"today, {text}."))


def test_spam_phrases_cover_seven_languages() -> None:
    assert set(SPAM_PHRASES) == {"en", "de", "fr", "es", "it", "nl", "pt"}
    phrases = all_phrases()
    assert len(phrases) == len(set(phrases)) and all(p == p.casefold() for p in phrases)


@pytest.mark.parametrize("html", ["<p>Hi</p>", "<br>", "<a href='x'>", "&nbsp;", "<STRONG>x</STRONG>", "<div class=x>"])
def test_html_in_plain_text(html: str) -> None:
    assert "html" in codes(body=BODY.replace("today.", f"today {html}"))


def test_no_html_in_plain_text() -> None:
    assert "html" not in codes(body=BODY.replace("today.", "today (3 < 5 > 2) & more"))


GERMAN = (
    "Hallo Maria,\n\nich schreibe Ihnen wegen Hotel Sonnenhof, weil wir mit Hotels wie Ihrem arbeiten und "
    "gerne mit Ihnen sprechen würden. Hätten Sie nächste Woche Zeit für ein kurzes Gespräch?\n\nViele Grüße"
)
FRENCH = ("Bonjour Maria,\n\nje vous écris au sujet de Hotel Sonnenhof, car nous travaillons avec des hôtels comme le "
          "vôtre. Seriez-vous disponible pour un court appel la semaine prochaine ?\n\nCordialement")  # fmt: skip


def test_language_is_checked_when_configured() -> None:
    assert "language" in codes(body=GERMAN, language="en")
    assert "language" in codes(body=BODY, language="de-AT")
    assert "language" in codes(body=FRENCH, language="es")
    assert "language" not in codes(body=GERMAN, language="de")
    assert "language" not in codes(body=FRENCH, language="fr")
    assert "language" not in codes(body=GERMAN)  # not configured
    assert "language" not in codes(body=GERMAN, language="ja")  # not a language the detector knows
    assert detect_language(GERMAN)[0] == "de" and detect_language(BODY)[0] == "en"


def test_clean_output() -> None:
    subject, body = clean_output('  Subject: "Hello\n there"  ', "\r\n\r\nSubject: Hello there\r\n\r\nHi Maria,  \r\n"
                                 "\r\n\r\n\r\nline\u200b two\rend\n\n")  # fmt: skip
    assert subject == "Hello there"
    assert body == "Hi Maria,\n\nline two\nend"
    assert clean_output("Hi", "Subject line is fine\nbody") == ("Hi", "Subject line is fine\nbody")


# -- the fallback templates ---------------------------------------------------------------------------------------

NAMES = [
    {"first_name": "María José", "property_name": "Hôtel Belle Époque", "city": "Genève", "country": "CH", "rooms": 42},
    {"first_name": "Zoë", "last_name": "Ødegård", "company_name": "Fjord Hotell AS", "city": "Bergen"},
    {"first_name": "太郎", "last_name": "山田", "company_name": "山田旅館", "city": "京都", "country": "JP"},
    {"first_name": "Đặng", "company_name": "Khách sạn Hà Nội", "country": "VN", "website": "khachsan.example.vn"},
    {"first_name": "Łukasz", "property_name": "Hotel Żółw", "country": "PL"},
    {"email": "info@sonnenhof.example", "company_name": "Hotel Sonnenhof GmbH"},  # only an address and a company
    {"email": "info@sonnenhof.example"},
    {},
]
SENDERS = [SENDER, {}, {"display_name": "Søren Ærø", "signature": "Søren\nwww.jengu.example"}]


@pytest.mark.parametrize("strategy", [*STRATEGIES, None, "no_such_strategy"])
@pytest.mark.parametrize("step", [1, 2, 3, 7])
def test_fallback_templates_check_render_and_validate(strategy: str | None, step: int) -> None:
    subject_tpl, body_tpl = fallback_template(strategy, step)
    for field, source in (("subject", subject_tpl), ("body", body_tpl)):
        check_template(source, allowed=ALLOWED_VARIABLES, field=field, fields=TEMPLATE_FIELDS)
    for prospect in NAMES:
        for sender in SENDERS:
            for campaign in ({}, {"name": "x", "description": "Direct-booking websites. Demo: https://jengu.example"}):
                context = build_context(prospect, sender, campaign)
                subject, body = clean_output(render(subject_tpl, context), render(body_tpl, context))
                assert validate_draft(subject, body, context=context) == [], (prospect, sender, subject, body)
                assert validate_draft(subject, body, context=context, language="en") == []
                known = prospect.get("first_name") or prospect.get("property_name") or prospect.get("company_name")
                if known:
                    assert known in body


def test_fallback_templates_differ_by_strategy_and_step() -> None:
    firsts = {fallback_template(s, 1) for s in STRATEGIES}
    assert len(firsts) == 3
    assert fallback_template(None, 1) == fallback_template("cold_direct", 1)
    assert fallback_template("curiosity_value", 2) != fallback_template("curiosity_value", 3)
    with pytest.raises(ValueError):
        fallback_template("cold_direct", 0)
