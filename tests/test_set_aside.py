"""Set-aside: cases left out of the eligible population by a column's value, recorded in the
excluded sheet and the manifest, and repeated by verify."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

import sampling
from sampling.cli import main
from sampling.errors import ArgumentError, DataError

from test_fieldwork_draw import cells, cli, manifest_of, provider_table


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("setaside")
    assert main(["init", str(root / "ns"), "--provider", "Northshire CRC"]) == 0
    table = provider_table(600)
    table.loc[::25, "RoSH Level"] = "Not Assessed"  # 24 cases
    table.to_excel(root / "frame.xlsx", index=False)
    return root


def test_python_set_aside_leaves_cases_out_with_their_reason(folder):
    with pytest.raises(DataError, match="RoSH Level \\(rosh\\): 'Not Assessed' × 24"):
        sampling.load_frame(folder / "frame.xlsx")
    frame = sampling.load_frame(folder / "frame.xlsx", set_aside={"RoSH Level": ["not assessed"]})
    assert len(frame) == 576 and len(frame.excluded) == 24
    assert set(frame.excluded["reason"]) == {"set aside: RoSH Level = 'not assessed'"}
    assert frame.excluded["row"].tolist()[:2] == [2, 27]  # spreadsheet rows (header row 1)
    assert frame.filters["set_aside"] == {"RoSH Level": ["not assessed"]}
    same = sampling.load_frame(folder / "frame.xlsx", set_aside={"rosh": "Not Assessed"})
    assert len(same) == 576
    with pytest.raises(ArgumentError, match="not a column"):
        sampling.load_frame(folder / "frame.xlsx", set_aside={"Tier": ["x"]})


def test_draw_with_set_aside_writes_excluded_and_manifest_and_verify_repeats_it(folder, capsys, tmp_path):
    out = tmp_path / "draw.xlsx"
    status, printed, err = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", folder / "ns", "--sample",
                               "case_supervision", "--out", out, "--set-aside", "RoSH Level=Not Assessed")
    assert status == 0, err
    assert "Set aside: 24 cases with RoSH Level = 'Not Assessed'" in printed
    assert "576 eligible cases" in printed
    excluded = cells(out)["excluded"]
    assert len(excluded) == 25 and all(r[-1] == "set aside: RoSH Level = 'Not Assessed'" for r in excluded[1:])
    manifest = manifest_of(out)
    assert json.loads(manifest["frame_filters"])["set_aside"] == {"RoSH Level": ["Not Assessed"]}
    assert json.loads(manifest["frame_rows"]) == 576
    status, printed, err = cli(capsys, "verify", out, folder / "frame.xlsx")
    assert status == 0 and "verified" in printed, err
    assert sampling.verify_draw(out, folder / "frame.xlsx").ok
    # tamper: the manifest now says another value was set aside
    wb = openpyxl.load_workbook(out)
    ws = wb["manifest"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "frame_filters":
            row[1].value = json.dumps({"set_aside": {"RoSH Level": ["High"]}})
    wb.save(out)
    with pytest.raises(DataError, match="Not Assessed"):  # the 24 are no longer set aside
        sampling.verify_draw(out, folder / "frame.xlsx")
    status, printed, err = cli(capsys, "verify", out, folder / "frame.xlsx")
    assert status == 2 and "Traceback" not in err
    for row in ws.iter_rows(min_row=2):  # now one more value is set aside: another population
        if row[0].value == "frame_filters":
            row[1].value = json.dumps({"set_aside": {"RoSH Level": ["Not Assessed", "High"]}})
    wb.save(out)
    check = sampling.verify_draw(out, folder / "frame.xlsx")
    assert not check.ok and not check.frame_matches


def test_bad_set_aside_option_is_one_line(folder, capsys):
    with pytest.raises(SystemExit) as info:  # argparse's own one-line usage error
        cli(capsys, "draw", folder / "frame.xlsx", "--set-aside", "RoSH Level")
    err = capsys.readouterr().err
    assert info.value.code == 2 and "--set-aside expects 'COLUMN=VALUE'" in err and "Traceback" not in err
    status, _, err = cli(capsys, "draw", folder / "frame.xlsx", "--set-aside", "Tier=x")
    assert status == 2 and "Tier" in err and "Traceback" not in err


def test_inspection_toml_frame_set_aside_and_a_stated_population(folder, capsys, tmp_path):
    insp = tmp_path / "ns"
    assert main(["init", str(insp), "--provider", "Northshire CRC"]) == 0
    toml = insp / "inspection.toml"
    text = toml.read_text()
    assert "[frame]" in text and "set_aside = {}" in text
    assert sampling.load_inspection(insp).set_aside == ()
    text = text.replace("set_aside = {}", 'set_aside = { "RoSH Level" = ["Not Assessed"] }')
    text = text.replace("# population = 0 ", "population = 600 ", 1)
    toml.write_text(text)
    assert sampling.load_inspection(insp).set_aside == (("RoSH Level", ("Not Assessed",)),)
    out = tmp_path / "draw.xlsx"
    status, printed, err = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", insp, "--sample",
                               "case_supervision", "--out", out)
    assert status == 0, err
    assert "Set aside: 24 cases" in printed and "576 eligible cases" in printed
    manifest = manifest_of(out)
    assert json.loads(manifest["population_stated"]) == 600 and json.loads(manifest["population_frame"]) == 576
    assert "600" in printed and "576" in printed
    toml.write_text(text.replace('set_aside = { "RoSH Level" = ["Not Assessed"] }', "set_aside = [1]"))
    with pytest.raises(DataError, match="set_aside"):
        sampling.load_inspection(insp)
    toml.write_text(text.replace("[frame]", "[frame]\nsetaside = 1"))
    with pytest.raises(DataError, match="unknown key"):
        sampling.load_inspection(insp)
