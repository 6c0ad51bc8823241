"""A real export's frame: every unrecognised strata value reported at once, in its own words."""
import pandas as pd
import pytest

import sampling
from sampling import DataError, load_frame


def _export(n=30):
    sex = ["Male", "Female"] * (n // 2)
    order = ["Community Order", "Licence"] * (n // 2)
    rosh = ["Low", "Medium", "High"] * (n // 3)
    return pd.DataFrame({"CRN": [f"X{i:03d}" for i in range(n)], "Sex": sex, "Order Type": order,
                         "RoSH Level": rosh, "Office": ["North", "South"] * (n // 2)})


def test_three_kinds_of_bad_value_in_three_columns_are_one_error(tmp_path):
    table = _export()
    for i in (1, 5, 9):
        table.loc[i, "Sex"] = "Unknown"
    table.loc[3, "Order Type"] = "Suspended Sentence Order Plus"
    table.loc[[4, 7], "RoSH Level"] = "Not Assessed"
    table.loc[8, "RoSH Level"] = None
    path = tmp_path / "export.csv"
    table.to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        load_frame(path, columns={"CRN": "case_id", "Sex": "gender", "Order Type": "disposal",
                                  "RoSH Level": "rosh"})
    err = info.value
    text = str(err)
    assert "Sex (gender): 'Unknown' × 3, rows 3, 7, 11" in text  # header row 1: case i on row i + 2
    assert "Order Type (disposal): 'Suspended Sentence Order Plus' × 1, row 5" in text
    assert "RoSH Level (rosh): 'Not Assessed' × 2, rows 6, 9; missing rosh (blank) × 1, row 10" in text
    assert err.column is None and err.rows == (3, 5, 6, 7, 9, 10, 11)
    assert "--map 'Sex:Unknown=<category>'" in err.cli_text()


def test_many_rows_are_elided_and_a_single_column_keeps_its_name():
    table = _export()
    table.loc[range(0, 14, 2), "Sex"] = "Unknown"
    table = table.rename(columns={"CRN": "case_id", "Order Type": "disposal", "RoSH Level": "rosh"})
    with pytest.raises(DataError) as info:
        load_frame(table)
    text = str(info.value)
    assert "'Unknown' × 7, rows 0, 2, 4, 6, 8, …" in text
    assert info.value.column == "gender" and len(info.value.rows) == 7


def test_mapping_by_the_exports_own_header():
    """mapping= (and --map) accept the export's header, as the error's advice says."""
    frame = sampling.synthetic_frame(60, rng=2).rename(columns={"gender": "Sex"})
    frame.loc[[1, 4], "Sex"] = "Unknown"
    by_header = sampling.load_frame(frame, mapping={"Sex": {"Unknown": "female"}})
    by_ours = sampling.load_frame(frame, mapping={"gender": {"Unknown": "female"}})
    assert by_header.data["gender"].tolist() == by_ours.data["gender"].tolist()
    assert (by_header.data["gender"] == "female").sum() == (frame["Sex"].isin(["female", "Unknown"])).sum()
