"""Bounded writing (issue 25 item 7): the draw workbook and Sample.to_excel are streamed
(openpyxl's write-only mode) and hold the same cells, formats, drop-downs, print layout and
frozen, filtered headers as the cell-by-cell writer they replace."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

import sampling
from sampling import synthetic_frame
from sampling._utils._io import escape_formulas
from sampling._utils._workbook import format_workbook, make_reproducible, write_workbook
from sampling.draw import _drawfile


def _frame():
    f = synthetic_frame(400, rng=8)
    rng = np.random.default_rng(8)
    f["office"] = rng.choice(["North", "=HYPERLINK(\"x\")", "line\nbreak", "@SUM(1)"], len(f))
    f["start_date"] = pd.Timestamp("2018-06-01") + pd.to_timedelta(rng.integers(0, 60, len(f)), unit="D")
    return sampling.load_frame(f.drop(columns=["officer_grade"]), set_aside={"rosh": ["very high"]})


def _cellwise(sample, path, frame):
    """The draw workbook written as before: pandas cell by cell, then format_workbook."""
    fw = sampling.load_framework("hmip-adult")
    meta = _drawfile.draw_metadata(sample, sample_name="case_supervision", framework=fw, frame=frame)
    sheets = _drawfile._sheets(sample, fw, meta, frame)
    sheets["manifest"] = pd.DataFrame([{"key": k, "value": v if isinstance(v, str) else
                                        __import__("json").dumps(v, default=str)}
                                       for k, v in sheets["manifest"].items()], columns=["key", "value"])
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in sheets.items():
            escape_formulas(table).to_excel(writer, sheet_name=name, index=False)
        format_workbook(writer.book, wrap_headers_at=30)
        ws = writer.book[_drawfile.FIELDWORK]
        _drawfile._add_dropdown(ws, 2 + len(meta["strata"]) + len(meta["carry"]), len(meta["key_questions"]),
                                len(sample.cases))
        _drawfile._print_layout(ws)
    make_reproducible(path)


def _look(path):
    """Everything a reader sees of a workbook: per sheet, the cells (value, number format,
    bold, border, alignment), column widths, header height, frozen pane, filter, drop-downs
    and print layout."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = [[(c.value, c.number_format if c.value is not None else None, c.font.bold,
                   c.border.left.style, c.alignment.horizontal, c.alignment.vertical, c.alignment.wrap_text)
                  for c in row] for row in ws.iter_rows()]
        widths = {k: d.width for k, d in ws.column_dimensions.items() if d.width}
        dvs = [(str(d.sqref), d.type, d.formula1, d.allow_blank, d.showErrorMessage, d.error, d.prompt)
               for d in ws.data_validations.dataValidation]
        out[ws.title] = dict(cells=cells, widths=widths, height=ws.row_dimensions[1].height,
                             freeze=ws.freeze_panes, filter=ws.auto_filter.ref, dvs=dvs,
                             print=(ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight,
                                    ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr
                                    else None, ws.print_title_rows))
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("bounded")
    frame = _frame()
    sample = sampling.draw_sample(frame, 50, rng=2019)
    sample = sample.substitute(sample.cases["case_id"].iloc[0], "=moved")[1]
    old, new = root / "old.xlsx", root / "new.xlsx"
    _cellwise(sample, old, frame)
    sampling.write_draw_workbook(sample, new, sample_name="case_supervision", frame=frame)
    return _look(old), _look(new), new


def test_streamed_draw_workbook_holds_the_same_cells_and_formats(both):
    old, new, _ = both
    assert list(new) == list(old)
    for name in old:
        assert new[name]["cells"] == old[name]["cells"], name
        for key in ("widths", "height", "freeze", "filter", "dvs", "print"):
            assert new[name][key] == old[name][key], (name, key)


def test_the_streamed_workbook_keeps_the_safety_and_layout(both):
    _, new, path = both
    fw = new["fieldwork"]
    header = [c[0] for c in fw["cells"][0]]
    office = [r[header.index("office")][0] for r in fw["cells"][1:]]
    assert all(not str(v).startswith(("=", "@")) for v in office)  # formula guard
    assert {"'=HYPERLINK(\"x\")", "'@SUM(1)"} & set(office)
    assert fw["dvs"][0][2] == '"Yes,No,N/A"' and fw["print"] == ("landscape", 1, 0, True, "$1:$1")
    assert fw["freeze"] == "A2" and all(c[2] for c in fw["cells"][0])  # bold frozen header
    cases = new["cases"]["cells"]
    dates = [c[0] for c in cases[0]].index("start_date")
    assert {r[dates][1] for r in cases[1:]} == {"yyyy-mm-dd"}


def test_sample_to_excel_streams_the_same_cells(tmp_path):
    frame = _frame()
    sample = sampling.draw_sample(frame, 50, rng=7)
    new = sample.to_excel(tmp_path / "new.xlsx")
    old = tmp_path / "old.xlsx"
    with pd.ExcelWriter(old, engine="openpyxl") as writer:
        for name, table in sample._sheets().items():
            table.to_excel(writer, sheet_name=name, index=False)
        format_workbook(writer.book)
    assert _look(new) == _look(old)


def test_write_workbook_matches_format_workbook_on_awkward_values(tmp_path):
    table = pd.DataFrame({"n": [1, 2, None], "share_pct": [12.5, 100.0, np.nan], "p_value": [0.5, 1.0, 0.0123],
                          "x": [1.5, 2.0, float("inf")], "flag": [True, False, None],
                          "when": [pd.Timestamp("2020-01-02"), pd.NaT, pd.Timestamp("2021-03-04 05:06")],
                          "a rather long header that wraps over lines": ["", "multi\nline\ntext", "é"]})
    old = tmp_path / "old.xlsx"
    with pd.ExcelWriter(old, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="t", index=False)
        table.iloc[:0].to_excel(writer, sheet_name="empty", index=False)
        format_workbook(writer.book, wrap_headers_at=20)
    new = write_workbook(tmp_path / "new.xlsx", {"t": table, "empty": table.iloc[:0]}, wrap_headers_at=20)
    assert _look(new) == _look(old)


def test_the_same_draw_gives_the_same_bytes(tmp_path):
    frame = _frame()
    sample = sampling.draw_sample(frame, 50, rng=2019)
    a = sampling.write_draw_workbook(sample, tmp_path / "a.xlsx", sample_name="case_supervision", frame=frame)
    b = sampling.write_draw_workbook(sample, tmp_path / "b.xlsx", sample_name="case_supervision", frame=frame)
    assert a.read_bytes() == b.read_bytes()


def test_nullable_and_numpy_values_write_as_pandas_wrote_them(tmp_path):
    table = pd.DataFrame({"k": pd.array([1, None, 3], dtype="Int64"), "f": np.array([0.5, np.nan, 2.0], "float32"),
                          "o": pd.Series([np.int64(4), pd.NA, np.float64("nan")], dtype=object),
                          "s": pd.array(["a", None, "=b"], dtype="string")})
    old = tmp_path / "old.xlsx"
    with pd.ExcelWriter(old, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="t", index=False)
        format_workbook(writer.book)
    assert _look(write_workbook(tmp_path / "new.xlsx", {"t": table})) == _look(old)
