"""An inspection folder: `sampling init`, inspection.toml read strictly, and `sampling plan`
with an inspection (each sample's n from its N)."""
from __future__ import annotations

from pathlib import Path

import pytest

from sampling import DEFAULT_SEED, find_inspection, init_inspection, load_inspection, sample_size
from sampling.cli import main
from sampling.errors import ArgumentError, DataError, OutputError

SEEDS = Path(__file__).resolve().parent.parent / "sampling" / "examples" / "seeds"


def cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def write(tmp_path, body: str) -> Path:
    path = tmp_path / "inspection.toml"
    path.write_text(body, encoding="utf-8")
    return path


MINIMAL = '[inspection]\nprovider = "Northshire CRC"\n'


def test_init_writes_a_commented_file_that_reads_back(tmp_path):
    path = init_inspection(tmp_path / "north", "Northshire Community Rehabilitation Company",
                           short_name="Northshire CRC")
    text = path.read_text(encoding="utf-8")
    assert text.count("#") > 5 and "Kent" not in text and "KSS" not in text
    insp = load_inspection(tmp_path / "north")
    assert insp.provider == "Northshire Community Rehabilitation Company"
    assert insp.short_name == "Northshire CRC" and insp.seed == DEFAULT_SEED
    assert insp.inspectorate == "HM Inspectorate of Probation"
    assert [s.name for s in insp.samples] == ["case_supervision", "unpaid_work", "through_the_gate"]
    assert insp.sample("case_supervision").strata == ("gender", "disposal", "rosh")
    assert insp.sample("unpaid_work").strata == ("gender", "rosh")
    assert insp.sample("through_the_gate").strata == ()
    assert insp.populations == {}
    assert "Northshire CRC" in repr(insp) and "case_supervision" in insp._repr_html_()
    frame = insp.to_frame()
    frame.loc[0, "sample"] = "changed"
    assert insp.to_frame().loc[0, "sample"] == "case_supervision"


def test_init_refuses_to_overwrite_unless_forced(tmp_path):
    init_inspection(tmp_path, "Northshire CRC")
    with pytest.raises(OutputError, match="already exists"):
        init_inspection(tmp_path, "Other CRC")
    init_inspection(tmp_path, "Other CRC", overwrite=True)
    assert load_inspection(tmp_path).provider == "Other CRC"
    with pytest.raises(ArgumentError, match="provider"):
        init_inspection(tmp_path / "x", "  ")


def test_youth_framework_and_the_seed_folder_load(tmp_path):
    from sampling import load_framework

    youth = load_inspection(init_inspection(tmp_path, "Northshire YOT", framework="hmip-youth"))
    assert youth.framework == "hmip-youth"
    assert [s.name for s in youth.samples] == [s.name for s in load_framework("hmip-youth").samples]
    seed = load_inspection(SEEDS)
    assert seed.short_name == "KSS CRC" and seed.framework == "hmip-adult"
    assert seed.confidence_level == 0.8 and seed.margin == 0.05


def test_find_inspection(tmp_path, monkeypatch):
    assert find_inspection(tmp_path) is None
    write(tmp_path, MINIMAL)
    assert find_inspection(tmp_path).provider == "Northshire CRC"
    monkeypatch.chdir(tmp_path)
    assert find_inspection().short_name == "Northshire CRC"  # short name defaults to provider


@pytest.mark.parametrize("body, match", [
    ('[inspection]\nshort_name = "N"\n', "inspection.provider: missing"),
    (MINIMAL + 'provder = "x"\n', "unknown key"),
    (MINIMAL + '[methodology]\nmargin = "0.05"\n', "methodology.margin"),
    (MINIMAL + '[methodology]\nmargin = 5\n', "methodology.margin"),
    (MINIMAL + '[methodology]\nconfidence_level = true\n', "confidence_level"),
    (MINIMAL + 'seed = 1.5\n', "inspection.seed"),
    (MINIMAL + '[samples.case_supervision]\npopulation = 668.5\n', "case_supervision.population"),
    (MINIMAL + '[samples.case_supervision]\npopulation = 0\n', "case_supervision.population"),
    (MINIMAL + '[samples.case_supervision]\nstrata = "gender"\n', "case_supervision.strata"),
    (MINIMAL + '[samples.case_supervision]\nstrat = ["gender"]\n', "unknown key"),
    (MINIMAL + '[samples]\ncase_supervision = 3\n', "must be a table"),
    ('[inspection\nprovider = "x"\n', "not valid TOML"),
    ('inspection = "x"\n', r"\[inspection\] must be a table"),
])
def test_bad_files_are_refused_naming_the_key(tmp_path, body, match):
    path = write(tmp_path, body)
    with pytest.raises(DataError, match=match) as info:
        load_inspection(tmp_path)
    assert str(path) in str(info.value)


def test_missing_folder_names_the_argument(tmp_path, capsys):
    with pytest.raises(ArgumentError, match="sampling init"):
        load_inspection(tmp_path / "none")
    status, out, err = cli(capsys, "plan", "--inspection", str(tmp_path / "none"))
    assert status == 2 and "--inspection" in err and "Traceback" not in err


def test_init_and_plan_from_the_command_line(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "north"
    status, out, _ = cli(capsys, "init", str(folder), "--provider", "Northshire CRC", "--seed", "7")
    assert status == 0 and "wrote" in out and load_inspection(folder).seed == 7
    status, _, err = cli(capsys, "init", str(folder), "--provider", "Northshire CRC")
    assert status == 2 and "already exists" in err
    toml = folder / "inspection.toml"
    toml.write_text(toml.read_text().replace("# population = 0 ", "population = 668", 1), encoding="utf-8")
    status, out, _ = cli(capsys, "plan", "--inspection", str(folder))
    assert status == 0 and "Northshire CRC" in out
    row = next(line for line in out.splitlines() if line.startswith("case_supervision"))
    assert " 668 " in row and f" {sample_size(668)} " in row  # 132, Cochran at 80%, ±5
    assert "unpaid_work: eligible population not known yet" in out
    monkeypatch.chdir(folder)  # the current folder's inspection, and its margin overridden
    status, out, _ = cli(capsys, "plan", "--margin", "0.04")
    row = next(line for line in out.splitlines() if line.startswith("case_supervision"))
    assert f" {sample_size(668, margin=0.04)} " in row
    status, out, _ = cli(capsys, "plan", "--population", "500")  # explicit N: the plain plan
    assert "Plan:" in out and "case_supervision" not in out


def _domain_two_csv(path: Path) -> Path:
    """Case-supervision answers only (the usual state mid-inspection), in a provider's own
    column names."""
    import pandas as pd

    from sampling import synthetic_results

    r = synthetic_results(rng=3)
    answers = r.answers.map(lambda v: "n/a" if pd.isna(v) else ("yes" if v == 1 else "no"))
    frame = pd.concat([r.cases, answers], axis=1).reset_index()
    frame = frame[frame["sample"] == "case_supervision"]
    cols = ["case_id", "gender", "disposal", "rosh"] + [c for c in answers.columns if c.startswith("2.")]
    frame[cols].rename(columns={"case_id": "CRN", "gender": "Sex", "disposal": "Order Type",
                                "rosh": "RoSH Level"}).to_csv(path, index=False)
    return path


def test_analyse_in_an_inspection(tmp_path, capsys):
    """Provider from the inspection, N from inspection.toml (the same intervals as
    --population), one default seed printed and reproducible, a domain-two-only inspection
    rated without extra flags, and a one-line note where N is unknown."""
    import json

    folder = tmp_path / "north"
    init_inspection(folder, "Northshire Community Rehabilitation Company", short_name="Northshire CRC")
    results = _domain_two_csv(tmp_path / "results.csv")
    fast = ["--resamples", "300"]
    status, out, err = cli(capsys, "analyse", str(results), "--inspection", str(folder), *fast)
    assert status == 0, err
    assert out.startswith("Assessment of 'Northshire CRC'") and f"seed {DEFAULT_SEED}" in out
    assert "eligible population N unknown for case_supervision" in out
    assert "overall rating incomplete: 4 of 10 standards rated" in out
    toml = folder / "inspection.toml"
    toml.write_text(toml.read_text().replace("# population = 0 ", "population = 668", 1), encoding="utf-8")
    runs = [json.loads(cli(capsys, "analyse", str(results), "--inspection", str(folder), "--json", *fast, *extra)[1])
            for extra in ([], [], ["--population", "case_supervision=668"])]
    assert runs[0] == runs[1]  # the printed default seed reproduces every figure
    assert runs[0]["seed"] == DEFAULT_SEED
    assert [k["low"] for k in runs[0]["key_questions"]] == [k["low"] for k in runs[2]["key_questions"]]
    assert not any("N unknown" in n for n in runs[0]["notes"])
    assert "Kent" not in json.dumps(runs[0]) and "KSS" not in json.dumps(runs[0])


def test_report_is_about_the_users_provider(tmp_path, capsys):
    """Every output file names the inspection's provider and holds no word of the seed; an
    incomplete inspection's report has no overall chart."""
    import re
    import zipfile

    folder = tmp_path / "north"
    init_inspection(folder, "Northshire Community Rehabilitation Company", short_name="Northshire CRC")
    results = _domain_two_csv(tmp_path / "results.csv")
    out = tmp_path / "report"
    status, _, err = cli(capsys, "report", str(results), "--inspection", str(folder), "--out", str(out),
                         "--quiet", "--resamples", "300")
    assert status == 0, err
    names = {p.name for p in out.iterdir()}
    assert "forest.png" in names and not any(n.startswith("overall.") for n in names)
    text = "\n".join(p.read_text(encoding="utf-8") for p in out.iterdir() if p.suffix in (".md", ".csv", ".svg"))
    with zipfile.ZipFile(out / "report.xlsx") as z:
        text += "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "Inspection results: Northshire CRC" in text
    assert not re.search(r"Kent|Surrey|Sussex|KSS", text)


def test_an_unset_population_reads_unknown(tmp_path):
    import sampling
    path = sampling.init_inspection(tmp_path / "x", "X CRC")
    inspection = sampling.load_inspection(path)
    assert "unknown" in repr(inspection) and "None" not in repr(inspection)
    assert inspection.to_frame()["population"].isna().all()
