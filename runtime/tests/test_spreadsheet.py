"""A CSV export opens in a spreadsheet as data: a cell that would be a formula is text."""

import csv
import io

from warta.runtime import spreadsheet


def test_a_cell_a_spreadsheet_would_evaluate_is_written_as_text_and_read_back_as_it_was():
    out = io.StringIO()
    writer = spreadsheet.Writer(out)
    hostile = ['=HYPERLINK("http://x")', "+62 812", "-1+1", "@SUM(A1)", "\tx", "\rx"]
    writer.writerow([*hostile, "Radar Banten", 42, -3.5, ""])
    [row] = list(csv.reader(io.StringIO(out.getvalue())))
    assert row[: len(hostile)] == ["'" + value for value in hostile]
    assert row[len(hostile) :] == ["Radar Banten", "42", "-3.5", ""]  # plain text and numbers untouched
    assert [spreadsheet.uncell(value) for value in row[: len(hostile)]] == hostile
    assert spreadsheet.uncell("'Radar") == "'Radar"  # an apostrophe of the data's own stays
