"""CSV and Parquet copies of the analysis tables, written next to the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pressure_sense.analysis import Reliability, StudyAnalysis


def _portable(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as strings so Parquet accepts mixed values."""
    return frame.assign(**{c: frame[c].astype("string") for c in frame.columns if frame[c].dtype == object})


def write_exports(
    analysis: StudyAnalysis, findings: list[str], folder: Path, reliability: Reliability | None = None
) -> list[Path]:
    """Write every analysis table, the findings and the judge's reliability (per dimension, "not validated"
    without a record) as `NAME.csv` and `NAME.parquet`; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    shown = {name: str(value) for name, value in (reliability or {"all dimensions": "not validated"}).items()}
    judge = pd.DataFrame({"dimension": list(shown), "reliability": list(shown.values())})
    for name, frame in {**analysis.tables(), "findings": pd.DataFrame({"finding": findings}), "judge_reliability": judge}.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
        _portable(frame).to_parquet(folder / f"{name}.parquet", index=False)
        written += [folder / f"{name}.csv", folder / f"{name}.parquet"]
    return written
