"""Results read back: case-level and aggregate results, the fieldwork sheet, design weights."""
