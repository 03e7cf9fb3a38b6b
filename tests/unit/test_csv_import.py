"""CSV import, domain side (shared/domain/csv_import): decoding, dialects, headers, rows, dedup, limits, streaming."""

from __future__ import annotations

import codecs
import csv
import io
import re
import tracemalloc
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.csv_import import (
    CsvBytesParser,
    CsvDecoder,
    CsvFormatError,
    CsvParser,
    DuplicateRow,
    InFileDeduper,
    ParsedRow,
    RowError,
    RowResult,
    check_email,
    decode_csv,
    dedupe_in_file,
    detect_dialect,
    is_role_address,
    map_headers,
    parse_csv_bytes,
    parse_rows,
    split_full_name,
    split_location,
)
from shared.domain.csv_import.dedupe import KeyTable
from shared.domain.csv_import.records import RecordSplitter
from shared.domain.csv_import.rows import LIMITS, parse_rooms
from shared.domain.errors import ValidationFailed
from shared.domain.prospects import EmailStatus, ProspectFields
from tests.samples import CSV_SAMPLES

HEADER = "first_name,last_name,company_name,email,linkedin_url,location,notes"


def results(text: str, **kwargs: object) -> list[RowResult]:
    return list(parse_rows([text], **kwargs))  # type: ignore[arg-type]


def parsed(text: str) -> list[ParsedRow]:
    out = results(text)
    assert all(isinstance(r, ParsedRow) for r in out), out
    return out  # type: ignore[return-value]


def one(text: str) -> RowResult:
    out = results(text)
    assert len(out) == 1, out
    return out[0]


def one_parsed(text: str) -> ParsedRow:
    result = one(text)
    assert isinstance(result, ParsedRow), result
    return result


# ---------------------------------------------------------------------------------------------------- the sample file


def test_sample_file_parses_with_its_one_duplicate() -> None:
    data = (CSV_SAMPLES / "prospects_sample.csv").read_bytes()
    out = list(dedupe_in_file(parse_csv_bytes([data[i : i + 100] for i in range(0, len(data), 100)])))
    errors = [r for r in out if isinstance(r, RowError)]
    duplicates = [r for r in out if isinstance(r, DuplicateRow)]
    rows = [r for r in out if isinstance(r, ParsedRow)]
    assert errors == []
    assert len(rows) == 11
    assert len(duplicates) == 1
    duplicate = duplicates[0]
    assert (duplicate.row_number, duplicate.duplicate_of, duplicate.key) == (11, 2, "email")
    assert duplicate.row.fields["first_name"] == "HANNAH"  # same person, different casing
    assert [r.row_number for r in rows] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13]

    hannah = rows[0]
    assert hannah.fields["city"] == "Munich"
    assert hannah.fields["region"] == "Bavaria"
    assert hannah.fields["country"] == "DE"
    assert hannah.fields["timezone"] == "Europe/Berlin"
    assert hannah.email_normalized == "hannah.fischer@sonnenhof-hotel.example"
    assert hannah.linkedin_normalized == "linkedin.com/in/hannah-fischer-sonnenhof"
    assert hannah.domain == "sonnenhof-hotel.example"
    assert hannah.person_key == "sonnenhof|hannahfischer"

    by_row = {r.row_number: r for r in rows}
    assert by_row[4].email_normalized is None  # Elena: no email, identified by LinkedIn
    assert by_row[4].linkedin_normalized == "linkedin.com/in/elena-garcia-rm"
    assert by_row[9].email_is_role and not by_row[9].sendable_email  # reservations@
    assert by_row[10].fields["country"] == "GB"  # "Chester, England, United Kingdom"
    assert by_row[13].fields["timezone"] == "Asia/Tokyo"
    for row in rows:
        assert row.fields["timezone"]
        ProspectFields(**row.fields)  # always valid create/patch input


# ------------------------------------------------------------------------------------------------------------ headers

ALIAS_MEANINGS = {
    "first name": "first_name",
    "last name": "last_name",
    "full name (split it)": "full_name",
    "job title": "job_title",
    "company": "company_name",
    "website": "website",
    "email": "email",
    "LinkedIn URL": "linkedin_url",
    "location (split into city / region / country)": "location",
    "city / country": None,  # city or country, by the header itself
    "phone": "phone",
}


def documented_aliases() -> list[tuple[str, str]]:
    text = (CSV_SAMPLES / "column_aliases.md").read_text()
    out = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("meaning", "") or set(cells[0]) <= {"-"}:
            continue
        meaning = cells[0]
        assert meaning in ALIAS_MEANINGS, f"column_aliases.md has a new meaning: {meaning!r}"
        for header in cells[1].split(","):
            expected = ALIAS_MEANINGS[meaning] or header.strip().lower()
            out.append((header.strip(), expected))
    return out


def test_aliases_file_is_read() -> None:
    assert len(documented_aliases()) >= 45


@pytest.mark.parametrize(("header", "field"), documented_aliases())
def test_every_documented_alias_maps(header: str, field: str) -> None:
    columns = map_headers([header, "email"])
    assert columns.fields[0] == field


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("email 1", "email"),
        ("Email1", "email"),
        ("Work Email", "email"),
        ("E-Mail Address", "email"),
        ("EMAIL", "email"),
        ("  Email  ", "email"),
        ("\ufeffEmail", "email"),
        ("Phone Number", "phone"),
        ("State", "region"),
        ("Region", "region"),
        ("Province", "region"),
        ("State/Province", "region"),
        ("Country Code", "country"),
        ("Rooms", "rooms"),
        ("# Rooms", "rooms"),
        ("Number of Rooms", "rooms"),
        ("Tags", "tags"),
        ("Notes", "notes"),
        ("Lead Source", "lead_source"),
        ("Source", "lead_source"),
        ("Person Linkedin Url", "linkedin_url"),
        ("Vorname", "first_name"),
        ("Nachname", "last_name"),
        ("Property Name", "property_name"),
        ("Email Status", "email_status"),
        ("Time Zone", "timezone"),
    ],
)
def test_more_aliases(header: str, field: str) -> None:
    assert map_headers([header, "email"]).fields[0] == field


def test_unknown_headers_are_ignored_and_reported() -> None:
    columns = map_headers(["Email", "Stage", "Favourite colour", "", "Company Linkedin Url"])
    assert columns.fields == ("email", None, None, None, None)
    assert columns.unknown == ("Stage", "Favourite colour", "Company Linkedin Url")
    parser = CsvParser()
    out = parser.feed("Email,Stage,Favourite colour\r\na@hotel.example,won,blue\r\n") + parser.finish()
    assert isinstance(out[0], ParsedRow)
    assert out[0].fields == {"email": "a@hotel.example"}
    assert parser.columns is not None and parser.columns.unknown == ("Stage", "Favourite colour")


def test_duplicate_mapped_headers_first_non_empty_wins() -> None:
    text = (
        "Email,Work Email,City,Company City,Company\r\n"
        ",b@hotel.example,,Berlin,X\r\n"
        "a@hotel.example,b@hotel.example,Paris,Berlin,X\r\n"
    )
    first, second = parsed(text)
    assert first.email_normalized == "b@hotel.example"
    assert first.fields["city"] == "Berlin"
    assert second.email_normalized == "a@hotel.example"
    assert second.fields["city"] == "Paris"


@pytest.mark.parametrize(
    "headers",
    [["Company", "City"], ["First Name", "Last Name"], ["Phone", "Notes"], ["a", "b", "c"], ["Company", "Website"]],
)
def test_a_file_without_identity_column_is_refused(headers: list[str]) -> None:
    with pytest.raises(CsvFormatError) as error:
        results(",".join(headers) + "\r\nx,y,z\r\n")
    assert error.value.code == "no_identity_column"
    assert isinstance(error.value, ValidationFailed)
    assert "email" in error.value.message


@pytest.mark.parametrize(
    "headers", [["Email"], ["LinkedIn"], ["Name", "Company"], ["First Name", "Hotel"], ["Last Name", "Property"]]
)
def test_identity_columns(headers: list[str]) -> None:
    assert map_headers(headers)


# ---------------------------------------------------------------------------------------------- delimiters and dialect


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(delimiter: str) -> None:
    location = '"Munich, Bavaria, Germany"' if delimiter == "," else "Munich, Bavaria, Germany"
    lines = [
        ["First Name", "Last Name", "Company", "Email", "Location"],
        ["Hannah", "Fischer", "Hotel Sonnenhof", "hannah@sonnenhof.example", location],
        ["Marco", "Rossi", "Hotel Bellavista", "marco@bellavista.example", "Florence, Italy"],
    ]
    if delimiter == ",":
        lines[2][4] = '"Florence, Italy"'
    text = "".join(delimiter.join(cells) + "\r\n" for cells in lines)
    parser = CsvParser()
    out = parser.feed(text) + parser.finish()
    assert parser.dialect is not None and parser.dialect.delimiter == delimiter
    assert [r.fields["city"] for r in out if isinstance(r, ParsedRow)] == ["Munich", "Florence"]
    assert [r.fields["country"] for r in out if isinstance(r, ParsedRow)] == ["DE", "IT"]


def test_dialect_detection() -> None:
    assert detect_dialect("a;b;c\n1,5;2;3\n4;5,5;6\n").delimiter == ";"  # decimal commas do not fool it
    assert detect_dialect('a,b,c\n"x;y;z;w",2,3\n').delimiter == ","  # quoted semicolons do not count
    assert detect_dialect("email\nx@y.example\n").delimiter == ","  # one column
    assert detect_dialect("a\tb\tc\r\n1\t2\t3\r\n").line_ending == "\r\n"
    assert detect_dialect("a|b\r1|2\r").line_ending == "\r"
    hinted = detect_dialect("sep=;\r\nemail;name\r\nx@y.example;X\r\n")
    assert (hinted.delimiter, hinted.preamble_lines) == (";", 1)


def test_excel_sep_line_is_not_a_row() -> None:
    out = parsed("sep=;\r\nEmail;Name\r\na@hotel.example;Ann Lee\r\n")
    assert out[0].row_number == 2
    assert out[0].fields["first_name"] == "Ann"


def test_forced_delimiter() -> None:
    out = results("Email|Name\na@hotel.example|Ann\n", delimiter="|")
    assert isinstance(out[0], ParsedRow) and out[0].fields["first_name"] == "Ann"


# ----------------------------------------------------------------------------------------------------------- encodings

ENCODED_TEXT = "Email,Name,Company,Notes\r\nm@hotel.example,Jürgen Müller,Hotel Wisła,Preis 120 € – García\r\n"


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", ENCODED_TEXT.encode("utf-8")),
        ("utf-8-sig", codecs.BOM_UTF8 + ENCODED_TEXT.encode("utf-8")),
        ("utf-16", ENCODED_TEXT.encode("utf-16")),  # with BOM (little-endian here)
        ("utf-16", codecs.BOM_UTF16_BE + ENCODED_TEXT.encode("utf-16-be")),
        ("utf-32", ENCODED_TEXT.encode("utf-32")),
    ],
)
def test_unicode_encodings(encoding: str, data: bytes) -> None:
    parser = CsvBytesParser()
    out: list[RowResult] = []
    for i in range(0, len(data), 7):  # odd chunk sizes split multi-byte characters
        out += parser.feed(data[i : i + 7])
    out += parser.finish()
    assert parser.decoder.encoding == encoding
    (row,) = out
    assert isinstance(row, ParsedRow)
    assert row.fields["last_name"] == "Müller"
    assert row.fields["company_name"] == "Hotel Wisła"
    assert row.fields["notes"] == "Preis 120 € – García"


def test_windows_1252() -> None:
    data = "Email,Name,Notes\r\nm@hotel.example,Jürgen Müller,Preis 120 € – García\r\n".encode("cp1252")
    parser = CsvBytesParser()
    out = parser.feed(data) + parser.finish()
    assert parser.decoder.encoding == "cp1252"
    row = out[0]
    assert isinstance(row, ParsedRow)
    assert row.fields["last_name"] == "Müller"
    assert row.fields["notes"] == "Preis 120 € – García"


def test_windows_1252_undefined_bytes_fall_back_to_latin1_and_are_stripped() -> None:
    assert decode_csv(b"a\x81b\x8d,\xe9") == "a\x81b\x8d,é"
    row = one_parsed(decode_csv(b"Email,Name\r\nx@hotel.example,Ann\x81 Lee\r\n"))
    assert row.fields["first_name"] == "Ann"


def test_windows_1252_after_a_utf8_looking_head() -> None:
    decoder = CsvDecoder(sniff_bytes=16)
    text = decoder.feed(b"email,name\r\nabc@x.example,")
    text += decoder.feed(b"J\xfcrgen M\xfcller \xe2\x82\xac\r\n")  # cp1252 ü, then a real UTF-8 €
    text += decoder.finish()
    assert decoder.encoding == "utf-8"
    assert text.endswith("Jürgen Müller €\r\n")
    assert decoder.fallback_bytes == 2


def test_utf8_split_across_chunks() -> None:
    data = "Email,Name\r\nx@hotel.example,Łukasz Żółć €\r\n".encode()
    decoder = CsvDecoder(sniff_bytes=4)
    text = "".join(decoder.feed(data[i : i + 1]) for i in range(len(data))) + decoder.finish()
    assert text == data.decode()
    assert decoder.fallback_bytes == 0


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00", ".xls"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"email,name\nx@y.example,\x00\x01\x02\x03", "NUL"),
        ("email,name\r\nx@y.example,Ann\r\n".encode("utf-16-le"), "UTF-16"),
        (codecs.BOM_UTF16_LE + b"e\x00m\x00\x00\x00", "NUL"),
    ],
)
def test_binary_files_are_refused(data: bytes, says: str) -> None:
    with pytest.raises(CsvFormatError) as error:
        list(parse_csv_bytes([data]))
    assert error.value.code == "binary_file"
    assert says in error.value.message


def test_nul_after_the_sniffed_window_is_dropped_not_fatal() -> None:
    decoder = CsvDecoder(sniff_bytes=8)
    text = decoder.feed(b"email,name\r\n") + decoder.feed(b"x@y.example,A\x00nn\r\n") + decoder.finish()
    assert text == "email,name\r\nx@y.example,Ann\r\n"
    assert decoder.nul_chars_dropped == 1


def test_empty_and_header_only_files() -> None:
    with pytest.raises(CsvFormatError) as error:
        list(parse_csv_bytes([b""]))
    assert error.value.code == "empty_file"
    with pytest.raises(CsvFormatError):
        results("\r\n\r\n  \r\n")
    assert results("Email,Name\r\n") == []
    assert results("\ufeffEmail,Name") == []


# -------------------------------------------------------------------------------------------- line endings and quoting


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_line_endings(ending: str) -> None:
    text = ending.join(["Email,Name", "a@hotel.example,Ann Lee", "", "b@hotel.example,Bob Ray", ""])
    out = parsed(text)
    assert [(r.row_number, r.fields["first_name"]) for r in out] == [(2, "Ann"), (4, "Bob")]


def test_mixed_line_endings_and_no_final_newline() -> None:
    out = parsed("Email,Name\r\na@hotel.example,Ann\nb@hotel.example,Bob\rc@hotel.example,Cy")
    assert [r.row_number for r in out] == [2, 3, 4]


def test_crlf_split_between_chunks_is_one_line_break() -> None:
    pieces = ["Email,Name\r", "\na@hotel.example,Ann\r", "\n", "b@hotel.example,Bob\r", "\r\nc@hotel.example,Cy\r\n"]
    out = list(parse_rows(pieces))
    assert [r.row_number for r in out] == [2, 3, 5]  # "\r" then "\r\n": a blank row 4


def test_quoted_fields_with_delimiters_newlines_and_quotes() -> None:
    text = (
        "Email,Name,Notes,Location\r\n"
        'a@hotel.example,"Lee, Ann","First line\r\nsecond, with ""quotes""\nthird",'
        '"Munich, Bavaria, Germany"\r\n'
        "b@hotel.example,Bob Ray,,Paris\r\n"
    )
    first, second = parsed(text)
    assert first.fields["first_name"] == "Ann" and first.fields["last_name"] == "Lee"
    assert first.fields["notes"] == 'First line\nsecond, with "quotes"\nthird'
    assert first.fields["city"] == "Munich"
    assert (first.row_number, second.row_number) == (2, 3)  # a multi-line cell stays one spreadsheet row


def test_quotes_inside_unquoted_fields_are_literal() -> None:
    row = one_parsed('Email,Name,Company\r\na@hotel.example,James O"Connor,The "Harbour" Inn\r\n')
    assert row.fields["last_name"] == 'O"Connor'
    assert row.fields["company_name"] == 'The "Harbour" Inn'


def test_unclosed_quote_is_one_error() -> None:
    out = results('Email,Notes\r\na@hotel.example,fine\r\nb@hotel.example,"never closed\r\nc@hotel.example,x\r\n')
    assert isinstance(out[0], ParsedRow)
    assert isinstance(out[1], RowError) and out[1].row_number == 3 and "never closed" in out[1].message
    assert len(out) == 2


# --------------------------------------------------------------------------------------------------- names, locations


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Jane Doe", "Jane", "Doe"),
        ("Dr. Jane van der Berg", "Jane", "van der Berg"),
        ("García López, Elena", "Elena", "García López"),
        ("Elena García López", "Elena García", "López"),
        ("Madonna", "Madonna", None),
        ("Mr John Smith", "John", "Smith"),
        ("Mrs. Anna Schmidt", "Anna", "Schmidt"),
        ("Prof. Dr. Hans Müller", "Hans", "Müller"),
        ("Herr Klaus Weber", "Klaus", "Weber"),
        ("John Smith Jr.", "John", "Smith"),
        ("John Smith III", "John", "Smith"),
        ("Jane Doe, MBA", "Jane", "Doe"),
        ("Jane Doe MBA", "Jane", "Doe"),
        ("Doe, Jane, PhD", "Jane", "Doe"),
        ("Smith, Dr. John Jr.", "John", "Smith"),
        ("Pieter de Vries", "Pieter", "de Vries"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("Jean-Luc Picard", "Jean-Luc", "Picard"),
        ('Robert "Bob" Smith', "Robert", "Smith"),
        ("Jane (Janie) Doe", "Jane", "Doe"),
        ("Yo-Yo Ma", "Yo-Yo", "Ma"),
        ("  jane   doe  ", "jane", "doe"),
        ("Dr", "Dr", None),
        ("", None, None),
        (",", None, None),
        ("田中愛子", "田中愛子", None),
    ],
)
def test_split_full_name(full: str, first: str | None, last: str | None) -> None:
    assert split_full_name(full) == (first, last)


@given(st.text())
def test_name_splitting_is_total(text: str) -> None:
    first, last = split_full_name(text)
    assert first is None or (isinstance(first, str) and first)
    assert last is None or (isinstance(last, str) and last)


def test_full_name_column_fills_only_missing_names() -> None:
    text = (
        "Email,First Name,Last Name,Full Name\r\na@h.example,,,Dr. Jane van der Berg\r\nb@h.example,Bob,,Robert Ray\r\n"
    )
    first, second = parsed(text)
    assert (first.fields["first_name"], first.fields["last_name"]) == ("Jane", "van der Berg")
    assert (second.fields["first_name"], second.fields["last_name"]) == ("Bob", "Ray")


@pytest.mark.parametrize(
    ("text", "city", "region", "country"),
    [
        ("Munich, Bavaria, Germany", "Munich", "Bavaria", "DE"),
        ("Cork, Ireland", "Cork", None, "IE"),
        ("Germany", None, None, "DE"),
        ("Munich", "Munich", None, None),
        ("Austin, TX", "Austin", "TX", "US"),
        ("Austin, Texas", "Austin", "Texas", "US"),
        ("Austin, Texas, United States", "Austin", "Texas", "US"),
        ("Chester, England, United Kingdom", "Chester", "England", "GB"),
        ("Chester, England", "Chester", "England", "GB"),
        ("Tenerife, Canary Islands", "Tenerife", "Canary Islands", "ES"),
        ("Adeje, Canary Islands, Spain", "Adeje", "Canary Islands", "ES"),
        ("Atlanta, Georgia", "Atlanta", "Georgia", "US"),
        ("Tbilisi, Georgia", "Tbilisi", None, "GE"),
        ("Los Angeles, CA", "Los Angeles", "CA", "US"),
        ("Perth, WA", "Perth", "WA", "AU"),
        ("Toronto, Ontario, Canada", "Toronto", "Ontario", "CA"),
        ("Washington, DC", "Washington", "DC", "US"),
        ("Seattle, Washington", "Seattle", "Washington", "US"),
        ("London, Ontario, Canada", "London", "Ontario", "CA"),
        ("Greater Munich Area", "Munich", None, None),
        ("Greater Munich Metropolitan Area", "Munich", None, None),
        ("80331 München, Germany", "München", None, "DE"),
        ("Hotel Street 1, 80331 Munich, Bavaria, Germany", "Munich", "Bavaria", "DE"),
        ("Texas", None, "Texas", "US"),
        ("", None, None, None),
        (" , ,", None, None, None),
    ],
)
def test_split_location(text: str, city: str | None, region: str | None, country: str | None) -> None:
    location = split_location(text)
    assert (location.city, location.region, location.country) == (city, region, country)


def test_ambiguous_two_letter_location_is_left_unset() -> None:
    location = split_location("Dover, DE")  # Delaware, or Germany?
    assert (location.city, location.region, location.country, location.ambiguous) == ("Dover", None, None, "DE")
    row = one_parsed('Email,Location\r\na@h.example,"Dover, DE"\r\n')
    assert "country" not in row.fields and "timezone" not in row.fields
    assert any(w.field == "country" for w in row.warnings)


def test_unknown_country_in_location_is_a_warning() -> None:
    row = one_parsed('Email,Location\r\na@h.example,"Somewhere, Some Region, Narnia"\r\n')
    assert row.fields["city"] == "Somewhere" and "country" not in row.fields
    assert [w.field for w in row.warnings] == ["country"]


@pytest.mark.parametrize(
    ("location", "zone"),
    [
        ("Austin, TX", "America/Chicago"),
        ("El Paso, Texas, USA", "America/Denver"),
        ("Adeje, Canary Islands, Spain", "Atlantic/Canary"),
        ("Las Palmas de Gran Canaria, Spain", "Atlantic/Canary"),
        ("Madrid, Spain", "Europe/Madrid"),
        ("Funchal, Madeira, Portugal", "Atlantic/Madeira"),
        ("Sydney, NSW, Australia", "Australia/Sydney"),
        ("Kyoto, Japan", "Asia/Tokyo"),
        ("Springfield, USA", None),
        ("United States", None),
        ("Munich", None),
    ],
)
def test_rows_get_a_timezone_when_it_can_be_told(location: str, zone: str | None) -> None:
    row = one_parsed(f'Email,Location\r\na@h.example,"{location}"\r\n')
    assert row.fields.get("timezone") == zone


def test_explicit_columns_win_over_location() -> None:
    text = 'Email,City,Country,Location,Time Zone\r\na@h.example,Lyon,France,"Munich, Bavaria, Germany",\r\n'
    row = one_parsed(text)
    assert (row.fields["city"], row.fields["region"], row.fields["country"]) == ("Lyon", "Bavaria", "FR")
    row = one_parsed("Email,Country,Time Zone\r\na@h.example,Germany,Europe/Vienna\r\n")
    assert row.fields["timezone"] == "Europe/Vienna"
    row = one_parsed("Email,Country,Time Zone\r\na@h.example,Germany,GMT+1 <script>\r\n")
    assert row.fields["timezone"] == "Europe/Berlin" and row.warnings[0].field == "timezone"


def test_country_column() -> None:
    assert one_parsed("Email,Country\r\na@h.example,NA\r\n").fields["country"] == "NA"  # Namibia, not "n/a"
    row = one_parsed("Email,City,State,Country Code\r\na@h.example,Austin,TX,us\r\n")
    assert (row.fields["country"], row.fields["timezone"]) == ("US", "America/Chicago")
    row = one_parsed("Email,Country\r\na@h.example,Atlantis\r\n")
    assert "country" not in row.fields and row.warnings[0].field == "country"


# -------------------------------------------------------------------------------------------------------------- emails


@pytest.mark.parametrize(
    ("cell", "address"),
    [
        ("jane@hotel.example", "jane@hotel.example"),
        ("Jane.Doe@Hotel.Example", "jane.doe@hotel.example"),
        ("  jane@hotel.example  ", "jane@hotel.example"),
        ("mailto:jane@hotel.example", "jane@hotel.example"),
        ("<jane@hotel.example>", "jane@hotel.example"),
        ("Jane Doe <jane@hotel.example>", "jane@hotel.example"),
        ('"jane@hotel.example"', "jane@hotel.example"),
        ("jane+crm@hotel.example", "jane+crm@hotel.example"),
        ("o'connor@hotel.example", "o'connor@hotel.example"),
        ("jane@hôtel.example", "jane@xn--htel-vqa.example"),
        ("jane@sub.hotel.co.uk", "jane@sub.hotel.co.uk"),
        ("jane@hotel.xn--p1ai", "jane@hotel.xn--p1ai"),
        ("jane@hotel.example.", "jane@hotel.example"),
        ("a" * 64 + "@hotel.example", "a" * 64 + "@hotel.example"),
    ],
)
def test_valid_emails(cell: str, address: str) -> None:
    assert check_email(cell).address == address


@pytest.mark.parametrize(
    "cell",
    [
        "jane",
        "jane@",
        "@hotel.example",
        "jane@hotel",
        "jane@@hotel.example",
        "jane@hotel@example.com",
        "jane doe@hotel.example",
        "jane..doe@hotel.example",
        ".jane@hotel.example",
        "jane.@hotel.example",
        "jane@hotel..example",
        "jane@-hotel.example",
        "jane@hotel-.example",
        "jane@hotel.c",
        "jane@hotel.123",
        "jane@[192.168.0.1]",
        "jané@hotel.example",
        '"jane doe"@hotel.example',
        "a" * 65 + "@hotel.example",
        "jane@" + "a" * 64 + ".example",
        "jane@" + ".".join(["abcdefghij"] * 25) + ".example",
        "jane@hotel.example<script>",
        "n/a@",
    ],
)
def test_invalid_emails(cell: str) -> None:
    check = check_email(cell)
    assert check.address is None
    assert check.problem


def test_several_addresses_in_a_cell() -> None:
    check = check_email("jane@hotel.example; john@hotel.example")
    assert (check.address, check.several) == ("jane@hotel.example", True)
    check = check_email("not-an-address, john@hotel.example")
    assert check.address == "john@hotel.example"
    row = one_parsed("Email\r\njane@hotel.example john@hotel.example\r\n")
    assert row.email_normalized == "jane@hotel.example" and row.warnings[0].field == "email"


def test_invalid_email_without_other_identity_is_a_row_error() -> None:
    out = results("Email,Name\r\nnot-an-email,Ann Lee\r\nb@hotel.example,Bob\r\n")
    assert isinstance(out[0], RowError)
    assert (out[0].row_number, out[0].field) == (2, "email")
    assert "not-an-email" in out[0].message
    assert out[0].as_dict() == {"row": 2, "field": "email", "message": out[0].message}
    assert isinstance(out[1], ParsedRow)


@pytest.mark.parametrize(
    ("header", "cells"),
    [("Email,LinkedIn", "jane@@x,linkedin.com/in/jane"), ("Email,Name,Company", "jane@x,Jane Doe,Hotel X")],
)
def test_invalid_email_with_other_identity_is_dropped_with_a_warning(header: str, cells: str) -> None:
    row = one_parsed(f"{header}\r\n{cells}\r\n")
    assert row.email_normalized is None and "email" not in row.fields
    assert row.warnings[0].field == "email" and "left empty" in row.warnings[0].message


_ROLE_LOCALS = (
    "info reservations reservation sales booking bookings reception frontdesk front.desk contact hello admin office"
    " events marketing hr jobs careers noreply no-reply do-not-reply support enquiries inquiries service team mail"
    " post rezeption empfang reservierung kontakt info2 info.berlin reservations-munich sales+crm INFO"
)
ROLE_LOCALS = _ROLE_LOCALS.split()


@pytest.mark.parametrize("local", ROLE_LOCALS)
def test_role_addresses(local: str) -> None:
    assert is_role_address(f"{local}@hotel.example")


@pytest.mark.parametrize(
    "local", ["jane", "jane.doe", "hannah.fischer", "m.rossi", "post.anna", "hrach", "teamaker", "inform", "j"]
)
def test_personal_addresses(local: str) -> None:
    assert not is_role_address(f"{local}@hotel.example")


def test_role_address_rows_are_kept_but_not_sendable() -> None:
    row = one_parsed("Email\r\nReservations@Hotel.example\r\n")
    assert row.email_is_role and not row.sendable_email
    assert row.fields["email"] == "reservations@hotel.example"


# ------------------------------------------------------------------------------------------------ other fields, safety


def test_linkedin_urls() -> None:
    row = one_parsed("LinkedIn\r\nhttps://www.LinkedIn.com/in/Jane-Doe-123/?trk=x\r\n")
    assert row.linkedin_normalized == "linkedin.com/in/jane-doe-123"
    assert row.fields["linkedin_url"] == "https://www.linkedin.com/in/jane-doe-123"
    row = one_parsed("LinkedIn\r\nhttps://www.linkedin.com/sales/lead/ACwAAA123,NAME_SEARCH,abcd\r\n")
    assert row.linkedin_normalized == "linkedin.com/sales/lead/acwaaa123"
    out = results("LinkedIn,Email\r\nhttps://www.linkedin.com/company/hotel-x,\r\nhttps://example.com/jane,\r\n")
    assert all(isinstance(r, RowError) and r.field == "linkedin_url" for r in out)
    assert "company page" in out[0].message  # type: ignore[union-attr]


def test_website_and_domain() -> None:
    row = one_parsed("Email,Website\r\na@h.example,www.Hotel-X.example/about\r\n")
    assert row.domain == "hotel-x.example"
    assert row.fields["website"] == "https://www.Hotel-X.example/about"
    for bad in ["javascript://hotel.example/%0aalert(1)", "n/a-not-a-site", "ftp://hotel.example"]:
        row = one_parsed(f"Email,Website\r\na@h.example,{bad}\r\n")
        assert "website" not in row.fields and row.domain is None and row.warnings[0].field == "website"


def test_html_and_script_are_kept_as_text_control_characters_are_not() -> None:
    text = (
        "Email,First Name,Last Name,Company,Notes\r\n"
        'a@h.example,<b>Ann</b>,<script>alert(1)</script>,"Hotel\x00 \x07X\u202e\u200b",'
        '"<img src=x onerror=alert(1)>\x1b[31m"\r\n'
    )
    row = one_parsed(text)
    assert row.fields["first_name"] == "<b>Ann</b>"
    assert row.fields["last_name"] == "<script>alert(1)</script>"
    assert row.fields["company_name"] == "Hotel X"
    assert row.fields["notes"] == "<img src=x onerror=alert(1)>[31m"


def test_sql_metacharacters_are_plain_data() -> None:
    row = one_parsed('Email,First Name,Company\r\na@h.example,Robert\'); DROP TABLE prospects;--,"Hotel ""X""; --"\r\n')
    assert row.fields["first_name"] == "Robert'); DROP TABLE prospects;--"
    assert row.fields["company_name"] == 'Hotel "X"; --'


def test_excel_neutralisation_is_undone() -> None:
    row = one_parsed("Email,Phone,Notes\r\na@h.example,'+49 89 123456,'=HYPERLINK(\"x\")\r\n")
    assert row.fields["phone"] == "+49 89 123456"
    assert row.fields["notes"] == '=HYPERLINK("x")'  # kept as data; the export neutralises it again
    row = one_parsed("Email,Name\r\na@h.example,'t Hooft\r\n")
    assert row.fields["first_name"] == "'t"


def test_placeholders_are_empty() -> None:
    row = one_parsed("Email,Phone,Website,Country,Name,Company\r\na@h.example,N/A,-,#N/A,None Null,null\r\n")
    assert set(row.fields) == {"email", "first_name", "last_name"}
    assert (row.fields["first_name"], row.fields["last_name"]) == ("None", "Null")
    assert row.warnings == ()


def test_notes_keep_line_breaks() -> None:
    row = one_parsed('Email,Notes\r\na@h.example,"  one   two \r\n\r\n\r\n\r\nthree\t\tfour "\r\n')
    assert row.fields["notes"] == "one two\n\nthree four"


@pytest.mark.parametrize(
    ("cell", "rooms"),
    [("120", 120), ("1,200", 1200), ("1.200", 1200), ("120 rooms", 120), ("~80", 80), ("120.0", 120), ("0", 0)],
)
def test_rooms(cell: str, rooms: int) -> None:
    assert parse_rooms(cell) == rooms
    assert one_parsed(f'Email,Rooms\r\na@h.example,"{cell}"\r\n').fields["rooms"] == rooms


@pytest.mark.parametrize("cell", ["many", "120-150", "12.5", "1,20", "999999"])
def test_unreadable_rooms_are_a_warning(cell: str) -> None:
    row = one_parsed(f'Email,Rooms\r\na@h.example,"{cell}"\r\n')
    assert "rooms" not in row.fields and row.warnings[0].field == "rooms"


def test_tags_email_status_lead_source() -> None:
    text = 'Email,Tags,Email Status,Source\r\na@h.example,"VIP; #Spa, golf|vip, <b>bad</b>",Verified,Apollo\r\n'
    row = one_parsed(text)
    assert row.fields["tags"] == ["golf", "spa", "vip"]
    assert row.fields["email_status"] is EmailStatus.VALID
    assert row.fields["lead_source"] == "Apollo"
    assert [w.field for w in row.warnings] == ["tags"]
    row = one_parsed("Email,Email Status\r\na@h.example,Undeliverable\r\n")
    assert row.fields["email_status"] is EmailStatus.INVALID
    row = one_parsed("Email,Email Status\r\na@h.example,sort of\r\n")
    assert "email_status" not in row.fields and row.warnings[0].field == "email_status"


def test_rows_without_identity_are_errors_blank_rows_are_skipped() -> None:
    out = results("Email,Name,Company\r\n,Ann Lee,\r\n,,\r\n\r\n , , \r\n,,Hotel X\r\nn/a,n/a,n/a\r\n")
    assert [(r.row_number, r.field) for r in out] == [(2, None), (6, None), (7, None)]  # type: ignore[union-attr]
    assert all(isinstance(r, RowError) for r in out)


def test_short_and_long_rows() -> None:
    out = parsed("Email,Name,Company\r\na@h.example\r\nb@h.example,Bob Ray,Hotel,extra,cells\r\n")
    assert out[0].fields == {"email": "a@h.example"}
    assert out[1].fields["company_name"] == "Hotel"


# ---------------------------------------------------------------------------------------------------------- limits


def test_limits_match_prospect_fields() -> None:
    from pydantic import ValidationError

    for field, limit in LIMITS.items():
        if field not in ProspectFields.model_fields or field in ("rooms", "tags", "email_status"):
            continue
        ProspectFields(**{field: "x" * limit})
        with pytest.raises(ValidationError):
            ProspectFields(**{field: "x" * (limit + 1)})


@pytest.mark.parametrize(("field", "header"), [("first_name", "First Name"), ("notes", "Notes"), ("city", "City")])
def test_a_cell_longer_than_its_field_is_a_row_error(field: str, header: str) -> None:
    size = LIMITS[field] + 1
    out = results(f"Email,{header}\r\na@h.example,{'x' * size}\r\nb@h.example,ok\r\n")
    assert isinstance(out[0], RowError) and out[0].field == field and f"{size:,}" in out[0].message
    assert isinstance(out[1], ParsedRow)


def ten_megabyte_file(*, quoted: bool) -> Iterator[str]:
    """Row 2 fine, row 3 with a 10 MB notes cell (in 64 KB pieces, never in memory at once), row 4 fine."""
    yield "Email,Name,Notes,Company\r\n"
    yield "a@hotel.example,Ann Lee,short,Hotel A\r\n"
    yield "b@hotel.example,Bob Ray," + ('"' if quoted else "")
    piece = 'line, with "" quotes\r\n' * 2979 if quoted else "x" * 65536  # ~64 KB
    for _ in range(160):
        yield piece
    yield ('"' if quoted else "") + ",Hotel B\r\n"
    yield "c@hotel.example,Cy Young,short,Hotel C\r\n"


@pytest.mark.parametrize("quoted", [False, True])
def test_a_ten_megabyte_cell_is_one_row_error_and_the_import_goes_on(quoted: bool) -> None:
    tracemalloc.start()
    try:
        out = list(parse_rows(ten_megabyte_file(quoted=quoted)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r.row_number for r in out] == [2, 3, 4]
    assert isinstance(out[0], ParsedRow) and isinstance(out[2], ParsedRow)
    assert out[2].fields["company_name"] == "Hotel C"
    error = out[1]
    assert isinstance(error, RowError)
    assert error.field == "notes" and "'Notes'" in error.message
    assert peak < 1_500_000  # the 10 MB cell is never held


def test_python_csv_reader_loses_its_place_after_a_field_limit_error() -> None:
    """Why records are split before csv.reader sees them: after csv.Error it restarts at the next physical line, in
    the middle of the quoted field, and reads its rest as rows."""
    old = csv.field_size_limit(20)
    try:
        reader = csv.reader(["a,b\n", 'c,"' + "x" * 30 + "\n", 'fake,row",d\n', "e,f\n"])
        rows: list[object] = []
        while True:
            try:
                rows.append(next(reader))
            except csv.Error:
                rows.append("error")
            except StopIteration:
                break
    finally:
        csv.field_size_limit(old)
    assert rows == [["a", "b"], "error", ["fake", 'row"', "d"], ["e", "f"]]
    # Ours: the same input is one error and the rows around it.
    text = 'Email,Notes\na@h.example,b\nc@h.example,"' + "x" * 30 + '\nfake,row",d\ne@h.example,f\n'
    out = results(text, max_row_chars=24)
    assert [(r.row_number, type(r).__name__) for r in out] == [(2, "ParsedRow"), (3, "RowError"), (4, "ParsedRow")]


def test_the_header_row_must_fit() -> None:
    with pytest.raises(CsvFormatError) as error:
        results("Email," + "x" * 100 + "\r\na@h.example,b\r\n", max_row_chars=50)
    assert error.value.code == "header_too_long"


# --------------------------------------------------------------------------------------------------------------- dedup


def test_in_file_duplicates_by_email_linkedin_and_person() -> None:
    text = (
        "Email,LinkedIn,First Name,Last Name,Company\r\n"
        "ann@h.example,linkedin.com/in/ann,Ann,Lee,Hotel Astoria\r\n"  # 2
        "ANN@H.EXAMPLE,,,,\r\n"  # 3: email
        ",https://www.linkedin.com/in/Ann/,,,\r\n"  # 4: LinkedIn
        ",,ann,LEE,The Astoria Hotel GmbH\r\n"  # 5: company + person
        "bob@h.example,linkedin.com/in/bob,Bob,Ray,Hotel Bristol\r\n"  # 6
        "not-an-email,,,,\r\n"  # 7: error, passes through
        "rob@h.example,linkedin.com/in/bob,,,\r\n"  # 8: LinkedIn -> 6
        "rob@h.example,,,,\r\n"  # 9: rob@ was remembered for the first row, 6
        "cy@h.example,,Cy,Young,Hotel Astoria\r\n"  # 10: new
    )
    out = list(dedupe_in_file(parse_rows([text])))
    summary = [
        (r.row_number, r.duplicate_of, r.key) if isinstance(r, DuplicateRow) else (r.row_number, type(r).__name__)
        for r in out
    ]
    assert summary == [
        (2, "ParsedRow"),
        (3, 2, "email"),
        (4, 2, "linkedin"),
        (5, 2, "person"),
        (6, "ParsedRow"),
        (7, "RowError"),
        (8, 6, "linkedin"),
        (9, 6, "email"),
        (10, "ParsedRow"),
    ]


def test_key_table_holds_many_keys_without_false_duplicates() -> None:
    deduper = InFileDeduper()
    rows = [ParsedRow(i, {}, f"person{i}@hotel{i % 97}.example", None, None, None, False) for i in range(2, 60_002)]
    assert all(deduper.check(row) is row for row in rows)
    assert deduper.keys_held == 60_000
    for i, row in enumerate(rows):
        again = deduper.check(ParsedRow(i + 100_000, {}, row.email_normalized, None, None, None, False))
        assert isinstance(again, DuplicateRow) and again.duplicate_of == row.row_number
    table = KeyTable(capacity=4)
    assert [table.add(d, d) for d in range(1, 1000)] == [None] * 999
    assert table.add(500, 7) == 500 and table.get(1000) is None


# ---------------------------------------------------------------------------------------------------- properties

BODY_TEXT = st.text(alphabet=st.sampled_from(list("ab@.x,;\"\r\n \t|é€\x00<>=+-'")), max_size=300) | st.text(
    max_size=200
)


def record_count_bound(body: str) -> int:
    return len(re.findall(r"\r\n|\r|\n", body)) + 1


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODY_TEXT, cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=6))
def test_parse_rows_never_raises_and_never_yields_more_than_the_rows(body: str, cuts: list[int]) -> None:
    text = "Email,Name,Company,Notes,Location\r\n" + body
    out = results(text)
    assert all(isinstance(r, ParsedRow | RowError) for r in out)
    assert len(out) <= record_count_bound(body)
    numbers = [r.row_number for r in out]
    assert numbers == sorted(set(numbers)) and all(n >= 2 for n in numbers)
    # Chunk boundaries never change the outcome.
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    assert list(parse_rows(pieces)) == out


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_arbitrary_text_yields_results_or_a_format_error(text: str) -> None:
    try:
        out = results(text)
    except CsvFormatError:
        return
    assert all(isinstance(r, ParsedRow | RowError) for r in out)
    assert len(out) <= record_count_bound(text)


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_yield_results_or_a_format_error(data: bytes) -> None:
    try:
        out = list(parse_csv_bytes([b"Email,Name\r\n" + data]))
    except CsvFormatError:
        return
    assert all(isinstance(r, ParsedRow | RowError) for r in out)


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(list('a,"\r\n ;')), max_size=80))
def test_records_agree_with_csv_reader(text: str) -> None:
    splitter = RecordSplitter(",")
    records = splitter.feed(text) + splitter.finish()
    ours = [next(csv.reader([r.text])) if r.text else [] for r in records if r.text is not None]
    theirs = list(csv.reader(io.StringIO(text, newline="")))
    assert ours == theirs


# ----------------------------------------------------------------------------------------------------- streaming


def generated_file(rows: int) -> Iterator[str]:
    yield "first_name,last_name,job_title,company_name,email,location\r\n"
    for i in range(rows):
        yield (
            f"Person{i},Surname{i % 1000},General Manager,Hotel {i},person{i}@hotel{i}.example,"
            f'"{("Munich, Bavaria, Germany", "Austin, TX", "Adeje, Canary Islands, Spain")[i % 3]}"\r\n'
        )


def test_a_hundred_thousand_rows_stream_from_a_generator() -> None:
    count = errors = duplicates = 0
    deduper = InFileDeduper()
    last = 0
    for result in parse_rows(generated_file(100_000)):
        checked = deduper.check(result)
        count += 1
        errors += isinstance(checked, RowError)
        duplicates += isinstance(checked, DuplicateRow)
        assert result.row_number == last + 1 if last else result.row_number == 2
        last = result.row_number
    assert (count, errors, duplicates) == (100_000, 0, 0)
    assert deduper.keys_held == 200_000  # email and company + person for each row
