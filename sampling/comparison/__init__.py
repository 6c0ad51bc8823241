"""One set of results against another: re-inspection (compare), breakdowns by subgroup, national pools."""
