"""Frames: reading, vocabulary, checks and eligibility filters."""
import numpy as np
import pandas as pd
import pytest

from sampling import ArgumentError, DataError
from sampling.examples import SYNTHETIC_OFFICES, synthetic_frame
from sampling.draw._frame import VOCABULARY, Frame, frame_fingerprint, load_frame


def _df(**over):
    base = {
        "case_id": ["A3", "A1", "A2", "A4"],
        "gender": ["M", "female", " Male ", "F"],
        "disposal": ["CO", "suspended sentence order", "LIC", "post-sentence supervision"],
        "rosh": ["L", "M", "high", "VH"],
        "office": ["Maidstone", "Brighton", "Woking", "Crawley"],
    }
    base.update(over)
    return pd.DataFrame(base)


def test_spellings_are_normalised_per_column_and_rows_sorted_by_case_id():
    df = _df()
    frame = load_frame(df)
    d = frame.data
    assert d["case_id"].tolist() == ["A1", "A2", "A3", "A4"]
    assert d["gender"].astype(str).tolist() == ["female", "male", "male", "female"]
    # "M" is male for gender but medium for rosh
    assert d["rosh"].astype(str).tolist() == ["medium", "high", "low", "very high"]
    assert d["disposal"].astype(str).tolist() == ["suspended sentence order", "licence", "community order",
                                                  "post-sentence supervision"]
    assert d["office"].tolist() == ["Brighton", "Woking", "Maidstone", "Crawley"]  # carried through
    assert list(d["gender"].cat.categories) == list(VOCABULARY["gender"])
    assert df["gender"].tolist() == ["M", "female", " Male ", "F"]  # input untouched
    assert isinstance(frame, Frame) and len(frame) == 4
    assert "Frame: 4 eligible cases" in repr(frame) and "<table" in frame._repr_html_()


@pytest.mark.parametrize("spelling,column,expected", [
    ("Community Order", "disposal", "community order"), ("sso", "disposal", "suspended sentence order"),
    ("license", "disposal", "licence"), ("PSS", "disposal", "post-sentence supervision"),
    ("Post Sentence Supervision", "disposal", "post-sentence supervision"),
    ("very_high", "rosh", "very high"), ("Medium", "rosh", "medium"), ("h", "rosh", "high"),
    ("MALE", "gender", "male"), ("f", "gender", "female"),
])
def test_accepted_spellings(spelling, column, expected):
    df = _df()
    df.loc[0, column] = spelling
    frame = load_frame(df)
    assert frame.data.set_index("case_id").loc["A3", column] == expected


def test_columns_matched_case_insensitively_with_aliases_and_mapping():
    df = _df().rename(columns={"case_id": "Case ID", "gender": "SEX", "rosh": "RoSH level", "disposal": "Sentence"})
    frame = load_frame(df, columns={"Sentence": "disposal"})
    assert {"case_id", "gender", "disposal", "rosh"} <= set(frame.data.columns)


def test_user_mapping_extends_vocabulary():
    df = _df(gender=["X", "female", "male", "Unknown"])
    frame = load_frame(df, mapping={"gender": {"X": "female", "unknown": "not recorded"}})
    d = frame.data.set_index("case_id")
    assert d.loc["A3", "gender"] == "female"
    assert d.loc["A4", "gender"] == "not recorded"
    assert frame.vocabulary["gender"]["x"] == "female"


def test_unknown_category_lists_rows_values_and_suggests_mapping_dataframe():
    df = _df(gender=["M", "X", "F", "X"])
    df.index = [10, 11, 12, 13]
    with pytest.raises(DataError) as info:
        load_frame(df)
    err = info.value
    assert err.column == "gender" and err.rows == (11, 13) and err.values == ("X", "X")
    assert "mapping=" in str(err) and "'X'" in str(err)


def test_unknown_category_in_csv_reports_the_spreadsheet_row(tmp_path):
    """The third case sits on spreadsheet row 4 (the header is row 1)."""
    path = tmp_path / "frame.csv"
    _df(rosh=["L", "M", "severe", "H"]).to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        load_frame(path)
    assert info.value.rows == (4,) and info.value.column == "rosh" and "severe" in str(info.value)


def test_title_rows_and_a_notes_sheet_first_are_skipped(tmp_path):
    """A real export: a notes sheet first, then a sheet with two title lines above the
    header. The header is found; error rows are the spreadsheet's; --sheet/--header-row
    name them explicitly."""
    path = tmp_path / "export.xlsx"
    body = _df(rosh=["L", "M", "severe", "H"])
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"About": ["exported from the case system"]}).to_excel(w, sheet_name="notes", index=False)
        pd.DataFrame([["Caseload report"], ["1 February 2019"]]).to_excel(w, sheet_name="cases", index=False,
                                                                          header=False)
        body.to_excel(w, sheet_name="cases", index=False, startrow=3)
    with pytest.raises(DataError) as info:
        load_frame(path)
    assert info.value.rows == (7,) and info.value.column == "rosh"  # header on row 4, third case row 7
    body.loc[2, "rosh"] = "H"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"About": ["x"]}).to_excel(w, sheet_name="notes", index=False)
        body.to_excel(w, sheet_name="cases", index=False, startrow=3)
    assert len(load_frame(path)) == 4
    assert len(load_frame(path, sheet="cases", header_row=4)) == 4
    with pytest.raises(ArgumentError, match="sheet"):
        load_frame(path, sheet="nowhere")


def test_missing_category_is_an_error():
    with pytest.raises(DataError, match="missing disposal") as info:
        load_frame(_df(disposal=["CO", None, "LIC", "PSS"]))
    assert info.value.rows == (1,)


def test_missing_required_column():
    with pytest.raises(DataError, match="lacks required column") as info:
        load_frame(_df().drop(columns="rosh"))
    assert info.value.column == "rosh"


@pytest.mark.parametrize("ids,message", [(["A1", "A1", "A2", "A3"], "duplicate"),
                                         (["A1", " ", "A2", "A3"], "blank"),
                                         (["A1", None, "A2", "A3"], "blank"),
                                         (["A1", "A2 ", "A2", "A3"], "duplicate")])
def test_case_id_must_be_unique_and_non_blank(ids, message):
    with pytest.raises(DataError, match=message):
        load_frame(_df(case_id=ids))


def test_numeric_case_ids_become_text():
    frame = load_frame(_df(case_id=[3.0, 1.0, 2.0, 10.0]))
    assert frame.data["case_id"].tolist() == ["1", "10", "2", "3"]


def test_empty_frame_and_bad_files(tmp_path):
    with pytest.raises(DataError, match="no cases"):
        load_frame(_df().iloc[:0])
    header_only = tmp_path / "empty.csv"
    header_only.write_text("case_id,gender,disposal,rosh\n")
    with pytest.raises(DataError, match="no cases"):
        load_frame(header_only)
    (tmp_path / "blank.csv").write_text("")
    with pytest.raises(DataError, match="empty"):
        load_frame(tmp_path / "blank.csv")
    (tmp_path / "frame.txt").write_text("x")
    with pytest.raises(DataError, match=".csv or .xlsx"):
        load_frame(tmp_path / "frame.txt")
    with pytest.raises(ArgumentError, match="does not exist"):  # the path argument is wrong
        load_frame(tmp_path / "nope.csv")
    with pytest.raises(ArgumentError):
        load_frame(42)


def test_xlsx_and_csv_give_the_same_frame(tmp_path):
    df = synthetic_frame(300, rng=1)
    df.to_csv(tmp_path / "f.csv", index=False)
    df.to_excel(tmp_path / "f.xlsx", index=False)
    a, b, c = load_frame(df), load_frame(tmp_path / "f.csv"), load_frame(tmp_path / "f.xlsx")
    assert frame_fingerprint(a) == frame_fingerprint(b) == frame_fingerprint(c)
    assert b.data["case_id"].tolist() == a.data["case_id"].tolist()


def test_fingerprint_ignores_row_order():
    df = synthetic_frame(500, rng=3)
    shuffled = df.sample(frac=1, random_state=9)
    assert frame_fingerprint(load_frame(df)) == frame_fingerprint(load_frame(shuffled))
    changed = df.copy()
    changed.loc[0, "rosh"] = "high" if changed.loc[0, "rosh"] != "high" else "low"
    assert frame_fingerprint(load_frame(changed)) != frame_fingerprint(load_frame(df))


def test_months_since_start_filter_lists_excluded_rows_with_reasons():
    df = _df(start_date=["2018-08-01", "2018-07-15", "2017-01-01", ""])
    frame = load_frame(df, months_since_start=(6, 7), as_of="2019-02-01")
    assert frame.data["case_id"].tolist() == ["A1", "A3"]
    ex = frame.excluded.set_index("case_id")
    assert set(ex.index) == {"A2", "A4"}
    assert "over 7 months" in ex.loc["A2", "reason"] and "no start_date" in ex.loc["A4", "reason"]
    assert frame.filters == {"months_since_start": (6.0, 7.0), "as_of": "2019-02-01", "start_column": "start_date"}
    assert "excluded: 1 × " in repr(frame)


def test_filters_errors():
    df = _df(start_date=["2018-08-01", "not a date", "2018-08-01", "2018-08-01"])
    with pytest.raises(DataError, match="unreadable start dates") as info:
        load_frame(df, months_since_start=(6, 7), as_of="2019-02-01")
    assert info.value.rows == (1,)
    with pytest.raises(DataError, match="no eligible case"):
        load_frame(_df(start_date=["2010-01-01"] * 4), months_since_start=(6, 7), as_of="2019-02-01")
    with pytest.raises(DataError, match="start_date"):
        load_frame(_df(), months_since_start=(6, 7), as_of="2019-02-01")
    with pytest.raises(ArgumentError):
        load_frame(_df(start_date=["2018-08-01"] * 4), months_since_start=(7, 6))


def test_disposal_filter():
    frame = load_frame(_df(), disposals=["licence", "PSS"])
    assert frame.data["case_id"].tolist() == ["A2", "A4"]
    assert len(frame.excluded) == 2
    with pytest.raises(ArgumentError):
        load_frame(_df(), disposals=["parole"])


def test_synthetic_frame_shares_and_reproducibility():
    a = synthetic_frame(20_000, rng=5)
    assert a.equals(synthetic_frame(20_000, rng=5))
    assert not a.equals(synthetic_frame(20_000, rng=6))
    assert a["case_id"].is_unique and len(a) == 20_000
    assert set(a["office"]) == set(SYNTHETIC_OFFICES) and len(SYNTHETIC_OFFICES) == 14
    shares = a["gender"].value_counts(normalize=True)
    assert 0.85 <= shares["male"] <= 0.89
    d = a["disposal"].value_counts(normalize=True)
    assert abs(d["community order"] - 0.45) < 0.02 and abs(d["post-sentence supervision"] - 0.10) < 0.02
    r = a["rosh"].value_counts(normalize=True)
    assert r["medium"] > r["low"] > r["high"] > 0
    assert set(a["officer_grade"]) == {"PO", "PSO"}
    load_frame(a)  # loads without a mapping
    assert len(synthetic_frame(50, rng=1, offices=20)["office"].unique()) <= 20


def test_months_since_start_counts_calendar_months():
    """6 to 7 calendar months before 1 February 2019: a start on 1 July 2018 is 7.0 months
    and kept (30.44-day months made it 7.03 and excluded it); 30 June is 7.07 and excluded;
    1 August is 6.0 and kept; 2 August is 5.97 and excluded; 31 August to 28 February
    clips to the month's end."""
    from sampling.draw._months import calendar_months

    starts = ["2018-07-01", "2018-07-02", "2018-06-30", "2018-08-01", "2018-08-02"]
    frame = pd.DataFrame({"case_id": [f"c{i}" for i in range(5)], "gender": "male",
                          "disposal": "community order", "rosh": "low", "start_date": starts})
    f = load_frame(frame, months_since_start=(6, 7), as_of="2019-02-01")
    assert sorted(f.data["case_id"]) == ["c0", "c1", "c3"]
    assert set(f.excluded["case_id"]) == {"c2", "c4"}
    assert "over 7 months" in f.excluded.set_index("case_id").at["c2", "reason"]
    months = calendar_months(np.array(["2018-08-31", "2019-01-31"], dtype="datetime64[D]"),
                             np.datetime64("2019-02-28"))
    np.testing.assert_allclose(months, [6.0, 1.0])  # 31 August + 6 months = 28 February
