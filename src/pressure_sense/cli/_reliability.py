"""The judges' measured reliability, printed under every table of scores."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from pressure_sense.judge import reliability_lines
from pressure_sense.store import reliability_records


def print_reliability(console: Console, db: Path, run: str | None = None, heading: str = "Judge reliability") -> None:
    """One line per judge: its agreement with hand labels per dimension and how it was measured, or
    'not validated' (scores from a judge nobody checked are not evidence)."""
    for label, record in reliability_records(db, run).items():
        lines = reliability_lines(record)
        if not lines:
            console.print(Text(f"{heading} ({label}): not validated; check it with `pressure-sense judge-check`."))
            continue
        figures = "; ".join(f"{dimension} {text}" for dimension, text in lines.items())
        console.print(Text(f"{heading} ({label}, {record['source']}): {figures}"))
