"""``sampling pool`` (issue 22 item 6): a long note printed once under the national table,
not on every row; full provider names in funnel plots while they fit."""
from __future__ import annotations

import dataclasses

import pandas as pd

from sampling import load_results, pool, synthetic_results
from sampling.charts._pool import funnel, label_width, short_labels
from sampling.cli import main
from sampling.cli._pool import national_summary, numbered_notes


def test_numbered_notes():
    markers, notes = numbered_notes(["a long note", "", "a long note", "other", None])
    assert markers == ["[1]", "", "[1]", "[2]", ""] and notes == ["a long note", "other"]


def test_cli_prints_each_note_once(tmp_path, capsys):
    paths = []
    for i, name in enumerate(("northshire", "westmoor", "eastvale")):
        r = synthetic_results(i, n={"case_supervision": 50 + 20 * i, "unpaid_work": 30, "through_the_gate": 20})
        path = tmp_path / f"{name}.csv"
        r.cases.join(r.answers).reset_index().to_csv(path, index=False)
        paths.append(str(path))
    srcs = [f"{p}=case_supervision={N},unpaid_work=100,through_the_gate=60" for p, N in zip(paths, (200, 350, 500))]
    assert main(["pool", *srcs, "--blank-means-na"]) == 0
    text = capsys.readouterr().out
    res = [dataclasses.replace(load_results(p, population={"case_supervision": N, "unpaid_work": 100,
                                                           "through_the_gate": 60}, blank_means_na=True), provider=n)
           for p, N, n in zip(paths, (200, 350, 500), ("northshire", "westmoor", "eastvale"))]
    pooled = pool(res)
    notes = [n for n in dict.fromkeys(pooled.national["note"]) if n]
    assert notes, "the synthetic pool has relevant sub-samples, hence notes"
    table = national_summary(pooled)
    assert set(table["note"]) <= {""} | {f"[{i}]" for i in range(1, len(notes) + 1)}
    assert text.count("[1] ") == 1
    assert max(len(line) for line in text.split("Each provider")[0].splitlines()) < 140


def test_funnel_keeps_full_names_while_they_fit():
    names = ["Northshire Probation Service", "Westmoor and Fen CRC", "Eastvale"]
    assert short_labels(names, width=label_width(3)) == names
    assert short_labels(names, width=label_width(12))[0] == "NPS"
    r = [dataclasses.replace(synthetic_results(i, n={"case_supervision": 40, "unpaid_work": 20,
                                                     "through_the_gate": 15}), provider=n,
                             populations={"case_supervision": 300, "unpaid_work": 100, "through_the_gate": 60})
         for i, n in enumerate(names)]
    pooled = pool(r)
    fig = funnel(pooled, pooled.national["key_question"].iloc[0])
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert all(n in texts for n in names)
    assert isinstance(pooled.national, pd.DataFrame)
