"""``sampling init``: a folder for one inspection, with a commented ``inspection.toml``."""
from __future__ import annotations

import argparse

__all__ = ["run"]


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
