"""Intervals over results: analytic and design-weighted intervals, the resampling engine and its limits."""
