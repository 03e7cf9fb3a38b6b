"""The CSV row builder hands `new_record` the keys it computed already (email, LinkedIn, company + person); a hint
only saves work: the record is the same with and without hints, for every row of the samples and tricky cells."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.csv_import import ParsedRow, parse_csv_bytes
from shared.domain.prospect_records import new_record
from shared.domain.prospects import ProspectCreate
from tests.samples import CSV_SAMPLES

NOW = datetime(2026, 1, 5, tzinfo=UTC)
TRICKY = (
    "email,first_name,last_name,company,property,linkedin\r\n"
    "  Anna.Keller@Hotel-Alpen.EXAMPLE ,  Anna , Keller ,Hotel Alpen GmbH,,https://LinkedIn.com/in/Anna-K/?trk=1\r\n"
    "info@grand.example,,,Grand,,http://www.linkedin.com/sales/lead/ACwAA,NAME_SEARCH\r\n"
    '"jörg@müller.example, x@y.example",Jörg,Müller-Lüdenscheidt,,Hotel Müller,\r\n'
    ",Zoë,Weiß,Ｈｏｔｅｌ Ｆｕｌｌ,,linkedin.com/in/zoe-weiss\r\n"
    ",ﬁona,O'Brien,Café ﬂora,,\r\n"
).encode()


def rows_of(data: bytes) -> list[ParsedRow]:
    return [r for r in parse_csv_bytes([data]) if isinstance(r, ParsedRow)]


@pytest.mark.parametrize(
    "data", [(CSV_SAMPLES / "prospects_sample.csv").read_bytes(), TRICKY], ids=["sample", "tricky"]
)
def test_hinted_records_equal_unhinted(data: bytes) -> None:
    rows = rows_of(data)
    assert rows and any(row.hints for row in rows)
    for row in rows:
        create = ProspectCreate.model_validate({"lead_source": "csv_import", **row.fields})
        plain = new_record(create, prospect_id="p", now=NOW)
        hinted = new_record(create, prospect_id="p", now=NOW, hints=row.hints)
        assert hinted == plain, row.row_number


def test_a_hint_for_another_input_is_ignored() -> None:
    create = ProspectCreate.model_validate({"email": "anna@hotel.example", "company_name": "Hotel"})
    wrong = {"email": ("someone@else.example", "someone@else.example"), "person_key": (("X", None, None), "x|y")}
    assert new_record(create, prospect_id="p", now=NOW, hints=wrong) == new_record(create, prospect_id="p", now=NOW)


@pytest.mark.parametrize(
    "data", [(CSV_SAMPLES / "prospects_sample.csv").read_bytes(), TRICKY], ids=["sample", "tricky"]
)
def test_constructing_from_validated_row_fields_equals_validating_them_again(data: bytes) -> None:
    for row in rows_of(data):
        values = {"lead_source": "csv_import", **row.fields}
        validated = new_record(ProspectCreate.model_validate(values), prospect_id="p", now=NOW)
        constructed = new_record(ProspectCreate.model_construct(**values), prospect_id="p", now=NOW, hints=row.hints)
        assert constructed == validated, row.row_number
