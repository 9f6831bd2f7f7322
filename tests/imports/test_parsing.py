"""Reading an uploaded CSV: encodings, delimiters, and files that cannot be read (pure, no database)."""

from __future__ import annotations

import pytest

from app.imports import mapping, parsing
from tests.imports import fixture

ROWS = "deal_id,deal_name,customer_name\nD-1,Zürich rollout – phase 1,Café Müller\nD-2,Seats,Initech\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (ROWS.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + ROWS.encode("utf-8"), "utf-8-sig"),
    (ROWS.encode("cp1252"), "cp1252"),
])
def test_each_encoding_reads_the_same_table(data, encoding):
    table = parsing.read(data)

    assert table.encoding == encoding
    assert table.headers == ("deal_id", "deal_name", "customer_name")  # no BOM left on the first header
    assert table.rows[0] == ("D-1", "Zürich rollout – phase 1", "Café Müller")


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_the_delimiter_is_sniffed(delimiter, name):
    text = ROWS.replace(",", delimiter)
    # A cell holding another candidate does not fool the sniffer: it reads the header line.
    text = text.replace("Seats", "\"Seats, licences; more\"")

    table = parsing.read(text.encode())

    assert table.delimiter == delimiter and parsing.DELIMITERS[table.delimiter] == name
    assert table.rows[1] == ("D-2", "Seats, licences; more", "Initech")


def test_quoted_cells_with_line_breaks_short_rows_and_blank_lines():
    table = parsing.read(b'a,b,c\r\n"1","two\r\nlines","3"\r\n\r\n4,5\r\n')

    assert table.rows == (("1", "two\r\nlines", "3"), ("4", "5", ""))


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"a,b\n", "no rows"),
    (b"a,,c\n1,2,3\n", "Column 2 of the header line has no name"),
    (b"Amount,amount\n1,2\n", "Two columns are called"),
    (b"a,b\n1,2,3\n", "Row 2 has 3 cells"),
    (b"a,b\n\"1,2\n", "not valid CSV"),
    (b"%PDF-1.7\x00\x00binary", "binary"),
    (b"a,b\n" + b"1,2\n" * (parsing.MAX_ROWS + 1), "at most 50,000"),
])
def test_a_file_that_cannot_be_read_says_why(data, words):
    with pytest.raises(parsing.BadFile, match=words):
        parsing.read(data)


@pytest.mark.parametrize(("name", "source"), [
    ("salesforce_opportunities.csv", "salesforce"),
    ("hubspot_deals.csv", "hubspot"),
    ("generic.csv", "generic"),
])
def test_each_fixture_is_recognised_and_mapped_whole(name, source):
    table = parsing.read(fixture(name))
    found, chosen = mapping.recognise(table.headers)

    assert found == source
    assert not mapping.missing(chosen)
    assert chosen["deal_id"] == {"salesforce": "Opportunity ID", "hubspot": "Record ID", "generic": "deal_id"}[source]
    assert chosen["customer_id"] == {"salesforce": "Account ID", "hubspot": "Associated Company IDs",
                                     "generic": "customer_id"}[source]
    assert chosen["promised_date"] == ("promised_date" if source == "generic" else "Close Date")


def test_recognition_ignores_case_and_spacing_and_leaves_unknown_fields_unmapped():
    found, chosen = mapping.recognise(["opportunity  id", "OPPORTUNITY NAME", "Account Name", "Notes"])

    assert found == "salesforce"
    assert chosen["deal_id"] == "opportunity  id" and chosen["deal_name"] == "OPPORTUNITY NAME"
    assert chosen["product"] == "" and mapping.missing(chosen) == ["product", "region", "promised_date"]


def test_a_file_of_another_crm_still_gets_the_headers_any_crm_uses():
    found, chosen = mapping.recognise(["Id", "Close Date", "Deal Name", "Amount"])

    assert found == "other"
    assert chosen["promised_date"] == "Close Date" and chosen["deal_name"] == "Deal Name"


@pytest.mark.parametrize(("samples", "source", "expected"), [
    (["2027-01-31", "2027-02-01 00:00"], "hubspot", "iso"),
    (["1/31/2027", "2/1/2027"], "other", "mdy"),
    (["31/01/2027", "01.02.2027"], "salesforce", "dmy"),
    (["1/2/2027"], "salesforce", "mdy"),  # cannot tell: what the CRM writes by default
    (["1/2/2027"], "other", "dmy"),
])
def test_the_date_format_is_guessed_from_the_values(samples, source, expected):
    assert mapping.guess_date_format(samples, source) == expected
