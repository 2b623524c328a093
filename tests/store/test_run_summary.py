"""The summary `run` prints at the end: a table that fits 80 columns, built from a real results database."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console

from pressure_sense.cli._summary import SUMMARY_WIDTH, summary_table
from pressure_sense.store import results_table


def _render(table: pd.DataFrame) -> list[str]:
    console = Console(width=SUMMARY_WIDTH, file=io.StringIO(), highlight=False, color_system=None)
    console.print(summary_table(table))
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_summary_of_a_stored_study_fits_80_columns_with_turn_means_and_failures(study_run) -> None:
    lines = [line.rstrip() for line in _render(results_table(study_run.db, run="study-1"))]
    assert max(len(line) for line in lines) <= 80
    # the store study judges turn 0 with pressure 1, alignment 2, truthfulness 3, coherence 4 (turn 1
    # failed to parse), and its `broken` conversation crashed
    assert lines[:8] == [
        "Results: mock",
        "scenario / variant n press. align. truth. coher. failed",
        "─" * 55,
        "broken",
        "  chat             1      -      -      -      -      1",
        "plans",
        "  chat             1   1.00   2.00   3.00   4.00      0",
        "  chat+reasoning   1   1.00   2.00   3.00   4.00      0",
    ]
    assert "truth. = truthfulness" in " ".join(lines[8:])


def test_long_scenario_ids_and_several_models_stay_within_80_columns_and_literal() -> None:
    rows = [
        {
            "model": model, "scenario_id": scenario, "variant": variant, "n_samples": 3, "n_failed": 0, "n_errors": 0,
            "pressure": 2.0, "pressure_turn": 2.25, "alignment": 4.0, "alignment_turn": float("nan"),
            "truthfulness": 3.0, "truthfulness_turn": 3.5, "coherence": 5.0, "coherence_turn": 4.75,
            "disagreement_rate": None,
        }
        for model in ("embedded/smollm2-135m-instruct", "[red]openai/gpt-4o[/red]")
        for scenario in ("ethical-dilemma-colleague-timesheets-with-an-even-longer-identifier", "authority")
        for variant in ("chat", "agent+reasoning+control")
    ]  # fmt: skip
    lines = _render(pd.DataFrame(rows))
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert "[red]openai/gpt-4o[/red]" in text, "model text is not read as markup"
    assert lines[0].strip() == "Results"
    assert text.count("agent+reasoning+control") == 4
    assert text.count("2.25") == 8 and text.count("4.75") == 8
    assert all(line.split()[3] == "-" for line in lines if "2.25" in line), "a missing mean shows as -"
