"""Report files (markdown, CSV, Excel) and their charts, built from an assessment."""
from __future__ import annotations

from ._report import CHARTS, ReportFiles, report_markdown, report_table, write_report

__all__ = ["ReportFiles", "write_report", "report_table", "report_markdown", "CHARTS"]
