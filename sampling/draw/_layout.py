"""The draw workbook's layout, shared by its writer (``_drawfile``) and its readers
(``_drawread``, fieldwork, progress): sheet names, plain headers, text-only manifest keys.
A module of names only, so reading a workbook does not load the writer."""
from __future__ import annotations

__all__ = ["FIELDWORK", "SHEETS", "SUBSTITUTION_COLUMNS", "PLAIN_HEADERS", "TEXT_KEYS"]

#: the sheet the inspectors fill in
FIELDWORK = "fieldwork"
#: the draw workbook's sheets, in order
SHEETS = (FIELDWORK, "cases", "reserves", "allocation", "balance", "manifest", "excluded", "substitutions",
          "glossary")
SUBSTITUTION_COLUMNS = ["replaced_case_id", "reserve_case_id", "cell", "reserve_rank", "reason"]
#: the allocation's columns under the headers a planner reads
PLAIN_HEADERS = {"N_h": "cases in population (N_h)", "n_h": "cases to inspect (n_h)",
                 "share": "proportional share (n·N_h/N)", "reserves": "reserves drawn",
                 "reserves_wanted": "reserves wanted", "target": "allocation's share (before rounding)",
                 "anticipated_p": "anticipated proportion yes (p_h)"}
#: manifest keys always text (never read back as JSON numbers)
TEXT_KEYS = {"provider", "short_name", "sample", "sample_label", "framework", "package", "version",
              "seed_note", "reserves_rule", "frame_source", "frame_sha256", "frame_sha256_method", "selection",
              "allocation_method", "allocation_rule", "cases_sha256", "draw_sha256", "draw_sha256_method",
              "numpy_version", "pandas_version", "python_version",
              "bit_generator"}
