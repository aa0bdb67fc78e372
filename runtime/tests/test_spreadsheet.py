"""CSV as the office's spreadsheets write and read it: exports open in Excel set to Indonesian as
data (never as a formula), and imports take whatever a spreadsheet saved."""

import codecs
import csv
import io

import pytest

from warta.contracts import InvalidInput
from warta.runtime import spreadsheet


def test_a_cell_a_spreadsheet_would_evaluate_is_written_as_text_and_read_back_as_it_was():
    out = io.StringIO()
    writer = spreadsheet.Writer(out)
    hostile = ['=HYPERLINK("http://x")', "+62 812", "-1+1", "@SUM(A1)", "\tx", "\rx"]
    writer.writerow([*hostile, "Radar Banten", 42, -3.5, ""])
    [row] = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert row[: len(hostile)] == ["'" + value for value in hostile]
    assert row[len(hostile) :] == ["Radar Banten", "42", "-3,5", ""]  # a decimal comma, as Excel in Indonesian
    assert [spreadsheet.uncell(value) for value in row[: len(hostile)]] == hostile
    assert spreadsheet.uncell("'Radar") == "'Radar"  # an apostrophe of the data's own stays


def test_an_export_is_what_excel_in_indonesian_opens_as_columns_in_utf_8():
    out = io.StringIO()
    writer = spreadsheet.Writer(out)
    writer.writerow(["nama", "kota"])
    writer.writerow(["Renée Sari", "Tangerang"])
    data = spreadsheet.document(out.getvalue())
    assert data.startswith(codecs.BOM_UTF8)
    assert data[3:].decode("utf-8") == "nama;kota\r\nRenée Sari;Tangerang\r\n"


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (";", "cp1252"), (",", "utf-8"), (",", "cp1252"), ("\t", "utf-16"), (";", "utf-8")],
)
def test_a_table_saved_by_a_spreadsheet_is_read_whatever_its_separator_and_encoding(delimiter, encoding):
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)  # a spreadsheet's own save: CR LF line ends
    writer.writerow(["contact_name", "email", "outlet"])
    writer.writerow(["Renée Sari", "renee@radar.id", "Radar; Banten, Edisi Pagi"])
    data = out.getvalue().encode(encoding)
    text = spreadsheet.text_of(data)
    assert spreadsheet.fieldnames(text) == ["contact_name", "email", "outlet"]
    assert list(spreadsheet.rows(text)) == [
        {"contact_name": "Renée Sari", "email": "renee@radar.id", "outlet": "Radar; Banten, Edisi Pagi"}
    ]


def test_a_file_in_no_encoding_a_spreadsheet_saves_is_refused_not_guessed():
    with pytest.raises(InvalidInput) as refused:
        spreadsheet.text_of(b"nama\n\x81\x8d\x8f\x90\x9d")  # neither UTF-8 nor Windows-1252
    assert refused.value.fields[0].field == "file"
