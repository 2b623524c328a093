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


AGENTIC_VARIANTS = ("chat", "agent", "chat+control", "chat+adaptive")


@pytest.fixture(scope="session")
def agentic_report(tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The report of a synthetic study with agent, control, adaptive and belief rows (2 models x 2 scenarios)."""
    from tests.store.synthetic import write_synthetic_store

    folder = tmp_path_factory.mktemp("agentic-report")
    db = folder / "results.sqlite"
    write_synthetic_store(
        db, 96, 4, models=("m1", "m2"), scenarios=("s1", "facts"),
        variants=AGENTIC_VARIANTS, belief_scenarios=("facts",),
    )  # fmt: skip
    return build_report([db], folder / "out" / "report.html", n_boot=200)
