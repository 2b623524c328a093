"""The judges' measured reliability as the report shows it, from what each run recorded at its start."""

from __future__ import annotations

from collections.abc import Sequence

from pressure_sense.analysis import NOT_VALIDATED, Reliability
from pressure_sense.judge import reliability_lines
from pressure_sense.report._sources import Source
from pressure_sense.store import reliability_records


def recorded_reliability(sources: Sequence[Source]) -> Reliability:
    """{dimension: figures} for a single judge; {"dimension (judge)": figures} for a panel; a judge that was
    never validated reads "not validated"."""
    records: dict[str, dict | None] = {}
    for source in sources:
        records.update(reliability_records(source.db, source.run))
    shown: dict[str, str] = {}
    for label, record in records.items():
        lines = reliability_lines(record)
        if not lines:
            shown[label] = NOT_VALIDATED
            continue
        suffix = f" ({label})" if len(records) > 1 else ""
        shown.update({f"{dimension}{suffix}": text for dimension, text in lines.items()})
        shown[f"measured by{suffix}"] = record["source"]
    return shown
