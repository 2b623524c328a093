"""`pressure-sense run`: play, judge, store and report a pressure study."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer
from rich.console import Console

from pressure_sense.cli._app import app
from pressure_sense.cli._errors import user_errors
from pressure_sense.scenarios import ScenarioError, variant_grid
from pressure_sense.study import QUICK_SCENARIOS, QUICK_TURNS, StudyConfig, StudyResult, run_study

console = Console(highlight=False)


def _variants(reasoning: str) -> list[str]:
    if reasoning not in ("on", "off", "both"):
        raise ValueError(f"--reasoning must be on, off or both, not {reasoning!r}")
    return [variant.name for variant in variant_grid(reasoning)]  # type: ignore[arg-type]


def _print_summary(result: StudyResult) -> None:
    from pressure_sense.store import results_table

    table = results_table(result.db, run=result.study_id)
    console.print(table.to_string(index=False) if not table.empty else "No samples were stored.", markup=False)
    for log in result.logs:
        status = "[green]success[/]" if log.status == "success" else f"[red]{log.status}[/]"
        console.print(f"{log.eval.model}: {status}  log: {log.location}")
        if log.error:
            console.print(f"  error: {log.error.message}", markup=False)
    console.print(f"Results database: {result.db}")
    console.print(f"Inspect logs: inspect view --log-dir {result.out / 'logs'}")
    if result.report:
        console.print(f"Report: [bold]{result.report}[/]")


@app.command("run")
def run(
    model: list[str] = typer.Option(["embedded"], "--model", "-m", help="Target model(s); repeat for several."),
    judge: str | None = typer.Option(None, help="Judge model (default: the embedded model; 'none' = no judging)."),
    judge_method: str = typer.Option("auto", help="auto, json or logprob."),
    scenario: list[str] = typer.Option(None, "--scenario", "-s", help="Scenario id, tag:NAME or YAML path; repeat."),
    all_scenarios: bool = typer.Option(False, "--all", help="Run the whole built-in library."),
    quick: bool = typer.Option(False, "--quick", help=f"{QUICK_SCENARIOS} core scenarios, {QUICK_TURNS} turns each."),
    reasoning: str = typer.Option("both", help="Reasoning scratchpad: on, off or both."),
    epochs: int = typer.Option(1, min=1, help="Times each conversation is played."),
    max_turns: int | None = typer.Option(None, min=1, help="Play at most this many user turns."),
    max_tokens: int = typer.Option(200, min=1, help="Most tokens per target answer."),
    max_connections: int = typer.Option(16, min=1, help="Conversations in flight at once."),
    out: Path | None = typer.Option(None, help="Output folder (default: pressure-sense-runs/STUDY_ID)."),
    report: bool = typer.Option(True, help="Write the HTML report at the end."),
    cache: bool = typer.Option(True, help="Reuse cached model answers for identical calls."),
) -> None:
    """Run a pressure study (default: the embedded model on the core scenarios, both reasoning variants)."""
    with user_errors(ScenarioError, KeyError, ValueError):
        scenarios = list(scenario or [])
        if all_scenarios:
            scenarios = []
        elif quick and not scenarios:
            from pressure_sense.scenarios import resolve_scenarios

            scenarios = [s.id for s in resolve_scenarios(["tag:core"])[:QUICK_SCENARIOS]]
        config = StudyConfig(
            models=list(model),
            judge=judge,
            judge_method=judge_method,  # type: ignore[arg-type]
            variants=_variants(reasoning),
            epochs=epochs,
            max_turns=QUICK_TURNS if quick and max_turns is None else max_turns,
            max_tokens=max_tokens,
            max_connections=max_connections,
            out=out,
            report=report,
            cache=cache,
            **({"scenarios": scenarios} if scenarios or all_scenarios else {}),
        )
        result = run_study(config)
    _print_summary(result)
    if not result.ok:
        raise typer.Exit(code=1)
