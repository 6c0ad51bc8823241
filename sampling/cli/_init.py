"""``sampling init``: a folder for one inspection, with a commented ``inspection.toml``."""
from __future__ import annotations

import argparse

from ._options import groups

__all__ = ["EXAMPLES", "add_arguments", "run"]

EXAMPLES = """\
Example:
  sampling init northshire --provider "Northshire CRC" --short-name Northshire
  (then cd northshire: every command there reads northshire/inspection.toml)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = groups(p, input="the provider inspected", design="the inspection's framework",
               method="how its samples are drawn and resampled", output="the folder written")
    g["output"].add_argument("folder", metavar="DIR", help="the inspection's folder (created if needed)")
    g["input"].add_argument("--provider", required=True, help="the provider's full name, e.g. \"Northshire CRC\"")
    g["input"].add_argument("--short-name", default=None,
                            help="a short name for charts and tables (default: --provider)")
    g["design"].add_argument("--framework", default="hmip-adult", metavar="F",
                             help="the inspection framework: hmip-adult (default) or hmip-youth")
    g["method"].add_argument("--seed", type=int, default=None, metavar="S",
                             help="random seed every command of this inspection uses (default 2019)")
    g["output"].add_argument("--force", action="store_true", help="overwrite an existing inspection.toml")


def run(args: argparse.Namespace) -> int:
    """Write ``DIR/inspection.toml`` for the framework's samples and say what to do next."""
    from ..design._inspection import DEFAULT_SEED, init_inspection, load_inspection

    path = init_inspection(args.folder, args.provider, short_name=args.short_name, framework=args.framework,
                           seed=DEFAULT_SEED if args.seed is None else args.seed, overwrite=args.force)
    inspection = load_inspection(path)
    print(f"wrote {path}")
    print(inspection)
    print("\nNext: edit it (the eligibility wording, strata, and each sample's population once known), "
          f"then run commands inside {str(path.parent)!r} or give --inspection {str(path.parent)!r}.")
    return 0
