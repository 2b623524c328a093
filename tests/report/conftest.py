"""Fixtures of the report tests."""

from __future__ import annotations

import pytest

from pressure_sense.report import ReportResult, build_report
from tests.report.hostile_study import write_hostile_study


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The report of the hostile study (real SQLite file, real charts)."""
    folder = tmp_path_factory.mktemp("report")
    db = write_hostile_study(folder / "results.sqlite")
    return build_report([db], folder / "out" / "report.html", n_boot=200)
