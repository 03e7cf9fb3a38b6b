"""normalize_person on a table of international names, and the shapes of its special cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enrichment.names import normalize_person

# (full name, first, last, country) -> (first token, last token, confidence)
NAMES: list[tuple[str | None, str | None, str | None, str | None, str, str, str]] = [
    # German, Austrian, Swiss
    ("Hannah Fischer", None, None, None, "hannah", "fischer", "high"),
    ("Jürgen Müller", None, None, None, "jurgen", "muller", "high"),
    ("Jürgen Müller", None, None, "DE", "juergen", "mueller", "high"),
    ("Maria Huber", None, None, "AT", "maria", "huber", "high"),
    ("Dr. med. Hans-Peter Schmidt", None, None, "DE", "hanspeter", "schmidt", "high"),
    ("Prof. Dr. Dr. h.c. Klaus Weber", None, None, None, "klaus", "weber", "high"),
    ("Frau Dipl.-Kfm. Sabine Groß", None, None, "DE", "sabine", "gross", "high"),
    ("Richard von Weizsäcker", None, None, "DE", "richard", "vonweizsaecker", "high"),
    ("Müller-Lüdenscheidt, Hans", None, None, None, "hans", "mullerludenscheidt", "high"),
    ("Ursula Schäfer-Brandt", None, None, "CH", "ursula", "schaeferbrandt", "high"),
    # Dutch, Belgian
    ("Pieter de Vries", None, None, "NL", "pieter", "devries", "high"),
    ("Jan van der Berg", None, None, None, "jan", "vanderberg", "high"),
    ("Ludwig van Beethoven", None, None, None, "ludwig", "vanbeethoven", "high"),
    ("de Vries, Pieter", None, None, None, "pieter", "devries", "high"),
    ("Sanne ter Horst", None, None, "NL", "sanne", "terhorst", "high"),
    ("Dhr. Willem-Alexander van den Heuvel", None, None, None, "willemalexander", "vandenheuvel", "high"),
    # French
    ("Camille Laurent", None, None, "FR", "camille", "laurent", "high"),
    ("Anne-Marie Dupont", None, None, None, "annemarie", "dupont", "high"),
    ("DUPONT Jean", None, None, None, "jean", "dupont", "high"),
    ("Valéry Giscard d'Estaing", None, None, None, "valery", "destaing", "high"),
    ("Charles de Gaulle", None, None, None, "charles", "degaulle", "high"),
    ("Mme Hélène Lefèvre", None, None, None, "helene", "lefevre", "high"),
    ("François Pérignon", None, None, None, "francois", "perignon", "high"),
    # Spanish, Portuguese, Latin American
    ("Gabriel García Márquez", None, None, None, "gabriel", "garcia", "high"),
    ("Elena García", None, None, "ES", "elena", "garcia", "high"),
    ("Juan Carlos Pérez García", None, None, None, "juan", "perez", "high"),
    ("María José García", None, None, None, "maria", "garcia", "high"),
    ("José Luis Rodríguez Zapatero", None, None, "ES", "jose", "rodriguez", "high"),
    ("Ana María GARCÍA LÓPEZ", None, None, None, "ana", "garcia", "high"),
    ("Ortega y Gasset, José", None, None, None, "jose", "ortega", "high"),
    ("Maria de la Cruz", None, None, "MX", "maria", "delacruz", "high"),
    ("João da Silva", None, None, None, "joao", "silva", "high"),
    ("João Pedro Silva Santos", None, None, "BR", "joao", "santos", "high"),
    ("Gonçalo Ferreira", None, None, "PT", "goncalo", "ferreira", "high"),
    # Italian
    ("Marco Rossi", None, None, "IT", "marco", "rossi", "high"),
    ("Leonardo da Vinci", None, None, None, "leonardo", "davinci", "high"),
    ("Alessandro Di Stefano", None, None, "IT", "alessandro", "distefano", "high"),
    ("Giulia D'Angelo", None, None, None, "giulia", "dangelo", "high"),
    ("Dott.ssa Francesca Dell'Acqua", None, None, "IT", "francesca", "dellacqua", "high"),
    # Irish, British
    ("Seán O'Connor", None, None, "IE", "sean", "oconnor", "high"),
    ("Siobhán Ní Bhriain", None, None, "IE", "siobhan", "nibhriain", "high"),
    ("Seán Ó Súilleabháin", None, None, None, "sean", "osuilleabhain", "high"),
    ("Mrs. Olivia Brown", None, None, "GB", "olivia", "brown", "high"),
    ("Robert Johnson III, MBA", None, None, None, "robert", "johnson", "high"),
    ("John Smith Jr.", None, None, None, "john", "smith", "high"),
    ('Robert "Bob" Smith', None, None, None, "robert", "smith", "high"),
    ("James McAllister-Hughes", None, None, None, "james", "mcallisterhughes", "high"),
    ("Olivia Brown - General Manager", None, None, None, "olivia", "brown", "high"),
    ("Olivia Brown, General Manager", None, None, None, "olivia", "brown", "high"),
    # Nordic
    ("Lars Nilsen", None, None, "NO", "lars", "nilsen", "high"),
    ("Bjørn Ødegård", None, None, None, "bjorn", "odegard", "high"),
    ("Björn Söderström", None, None, "SE", "bjorn", "soderstrom", "high"),
    ("Guðrún Jónsdóttir", None, None, "IS", "gudrun", "jonsdottir", "high"),
    ("Sven-Göran Eriksson", None, None, None, "svengoran", "eriksson", "high"),
    ("Søren Kierkegaard", None, None, "DK", "soren", "kierkegaard", "high"),
    ("Mika Häkkinen", None, None, "FI", "mika", "hakkinen", "high"),
    # Polish, Czech, Hungarian
    ("Tomasz Nowak", None, None, "PL", "tomasz", "nowak", "high"),
    ("Łukasz Żółć", None, None, None, "lukasz", "zolc", "high"),
    ("Agnieszka Wiśniewska-Kowalczyk", None, None, None, "agnieszka", "wisniewskakowalczyk", "high"),
    ("Jiří Dvořák", None, None, "CZ", "jiri", "dvorak", "high"),
    ("Nagy László", None, None, "HU", "laszlo", "nagy", "high"),
    # Turkish
    ("İsmail Yıldız", None, None, "TR", "ismail", "yildiz", "high"),
    ("Şükrü Öztürk", None, None, None, "sukru", "ozturk", "high"),
    # Greek
    ("Σοφία Παπαδοπούλου", None, None, "GR", "sofia", "papadopoulou", "high"),
    ("Οδυσσέας Ελύτης", None, None, None, "odysseas", "elytis", "high"),
    ("Γιώργος Χατζηδάκης", None, None, None, "giorgos", "chatzidakis", "high"),
    # Russian, Ukrainian
    ("Иван Петров", None, None, None, "ivan", "petrov", "high"),
    ("Петров Иван Сергеевич", None, None, None, "ivan", "petrov", "high"),
    ("Наталья Дьяченко", None, None, None, "natalya", "dyachenko", "high"),
    ("Олександр Шевченко", None, None, "UA", "oleksandr", "shevchenko", "high"),
    # Arabic
    ("محمد بن سلمان", None, None, None, "mohammed", "binsalman", "low"),
    ("Khalid Al-Rashid", None, None, "AE", "khalid", "alrashid", "high"),
    ("Abdul Rahman Al Saud", None, None, None, "abdulrahman", "alsaud", "high"),
    ("Sheikh Mohammed bin Rashid", None, None, None, "mohammed", "binrashid", "high"),
    # Hebrew
    ("דוד בן-גוריון", None, None, None, "david", "bengurion", "low"),
    ("Yael Cohen", None, None, "IL", "yael", "cohen", "high"),
    # Chinese, Japanese, Korean, Vietnamese
    ("王小明", None, None, None, "xiaoming", "wang", "low"),
    ("欧阳修", None, None, None, "xiu", "ouyang", "low"),
    (None, "Xiaoming", "Wang", "CN", "xiaoming", "wang", "high"),
    (None, "小明", "王", None, "xiaoming", "wang", "high"),
    ("やまだ たろう", None, None, "JP", "taro", "yamada", "low"),
    (None, "Taro", "Yamada", "JP", "taro", "yamada", "high"),
    ("김민준", None, None, None, "minjun", "kim", "low"),
    (None, "민준", "이", "KR", "minjun", "lee", "high"),
    ("Nguyễn Văn An", None, None, None, "an", "nguyen", "high"),
    ("Tran Thi Mai", None, None, None, "mai", "tran", "high"),
    # Indian
    ("Rajesh Kumar", None, None, "IN", "rajesh", "kumar", "high"),
    ("Priya Venkataraman", None, None, None, "priya", "venkataraman", "high"),
    ("K. Srinivasan", None, None, None, "k", "srinivasan", "low"),
    ("Shri Amitabh Bachchan", None, None, None, "amitabh", "bachchan", "high"),
    # one word, initials, separate fields, noise
    ("Lars", None, None, None, "lars", "", "low"),
    ("Aiko", None, None, "JP", "aiko", "", "low"),
    ("Mr Smith", None, None, None, "", "smith", "low"),
    (None, None, "Müller", None, "", "muller", "low"),
    (None, "Hannah Fischer", None, None, "hannah", "fischer", "high"),
    (None, "Anne-Marie", "de Vries", None, "annemarie", "devries", "high"),
    ("J. R. Smith", None, None, None, "j", "smith", "low"),
    ("J.R.R. Tolkien", None, None, None, "j", "tolkien", "low"),
    ("Hannah F.", None, None, None, "hannah", "f", "low"),
    ("HANNAH FISCHER", None, None, None, "hannah", "fischer", "high"),
    ("hannah fischer", None, None, None, "hannah", "fischer", "high"),
    ("  Hannah \t  Fischer  ", None, None, None, "hannah", "fischer", "high"),
    ("Hannah 🌸 Fischer ✨", None, None, None, "hannah", "fischer", "high"),
    ("👩‍💼 Ｈａｎｎａｈ Ｆｉｓｃｈｅｒ", None, None, None, "hannah", "fischer", "high"),
    ("Hannah Fischer <hannah.fischer@sonnenhof-hotel.example>", None, None, None, "hannah", "fischer", "high"),
    ("Anna Müller (geb. Schmidt)", None, None, None, "anna", "muller", "high"),
]


@pytest.mark.parametrize(("full", "first", "last", "country", "want_first", "want_last", "confidence"), NAMES)
def test_international_names(
    full: str | None, first: str | None, last: str | None, country: str | None, want_first: str, want_last: str,
    confidence: str,
) -> None:  # fmt: skip
    person = normalize_person(full, first, last, country=country)
    assert person is not None
    assert (person.first, person.last, person.confidence) == (want_first, want_last, confidence)


def test_the_table_covers_enough_names() -> None:
    assert len(NAMES) >= 80


@pytest.mark.parametrize(
    "text",
    ["", "   ", "N/A", "???", "-", "🌸✨🎉", "12345", "Reservations Team", "Front Office", "Hotel Sonnenhof",
     "Sonnenhof GmbH", "info@sonnenhof-hotel.example", "Dr.", "J.", "Unknown", "Sales & Marketing"],
)  # fmt: skip
def test_garbage_companies_and_roles_are_none(text: str) -> None:
    assert normalize_person(text) is None


def test_japanese_kanji_cannot_be_read_and_gives_none() -> None:
    assert normalize_person("山田太郎") is None
    assert normalize_person("山田 太郎") is None
    assert normalize_person(None, "太郎", "山田", country="JP") is None


def test_umlauts_keep_both_spellings() -> None:
    person = normalize_person("Jürgen Müller")
    assert person is not None
    assert person.alternate == ("juergen", "mueller")
    assert "juergen" in person.first_variants and "mueller" in person.last_variants
    german = normalize_person("Jürgen Müller", country="DE")
    assert german is not None and german.alternate == ("jurgen", "muller")
    turkish = normalize_person("Gül Öztürk", country="TR")
    assert turkish is not None and (turkish.last, turkish.alternate) == ("ozturk", None)


def test_particles_hyphens_and_double_surnames_keep_their_other_forms() -> None:
    dutch = normalize_person("Pieter de Vries")
    assert dutch is not None
    assert (dutch.particles, dutch.last_parts, dutch.last_variants) == (("de",), ("vries",), ("vries",))
    french = normalize_person("Anne-Marie Dupont")
    assert french is not None
    assert (french.first_parts, french.first_variants) == (("anne", "marie"), ("anne-marie", "anne"))
    spanish = normalize_person("Gabriel García Márquez")
    assert spanish is not None
    assert spanish.last_parts == ("garcia", "marquez")
    assert spanish.last_variants[:3] == ("garciamarquez", "garcia-marquez", "marquez")
    portuguese = normalize_person("João da Silva")
    assert portuguese is not None and portuguese.last_variants == ("dasilva",)


def test_scripts_and_notes() -> None:
    cases = {"Иван Петров": "cyrillic", "Σοφία Παπαδοπούλου": "greek", "محمد بن سلمان": "arabic",
             "דוד בן-גוריון": "hebrew", "王小明": "cjk", "Nguyễn Văn An": "latin", "नरेंद्र मोदी": "other"}  # fmt: skip
    for text, script in cases.items():
        person = normalize_person(text)
        assert person is not None and person.script == script, text
    korean = normalize_person("김민준")
    assert korean is not None
    assert "family_name_first" in korean.notes and korean.last_variants == ("gim",)
    assert "min-jun" in korean.first_variants
    comma = normalize_person("Müller, Hans")
    assert comma is not None and "comma_order" in comma.notes


@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=30)), st.one_of(st.none(), st.text(max_size=30)))
def test_any_text_gives_none_or_ascii_address_tokens(full: str, first: str | None, last: str | None) -> None:
    person = normalize_person(full, first, last)
    if person is None:
        return
    assert person.first or person.last
    for token in (person.first, person.last, *person.middle):
        assert token == "" or (token.isascii() and token.isalpha() and token.islower()), token
    for token in (*person.first_variants, *person.last_variants):
        assert token and token.isascii() and token.replace("-", "").isalpha(), token
