"""`pressure-sense run`: play, judge, store and report a pressure study."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.text import Text

from pressure_sense.cli._app import app, console, user_errors
from pressure_sense.cli._summary import SUMMARY_WIDTH, print_reliability, summary_table
from pressure_sense.experiments import Experiment, ExperimentError, plan_study
from pressure_sense.inspect_plugins import load_inspect_plugins
from pressure_sense.models import EmbeddedModelError, RetryBudget
from pressure_sense.scenarios import ScenarioError
from pressure_sense.store import StoreError, results_table
from pressure_sense.study import (
    QUICK_EMBEDDED_MAX_TOKENS,
    QUICK_SCENARIOS,
    QUICK_TURNS,
    SAMPLE_RETRIES,
    StudyResult,
    build_experiment,
    resume_study,
    run_study,
)

PLAN_ROWS_SHOWN = 60
"""Dry runs list each planned conversation up to this many."""


def cache_counts(result: StudyResult) -> tuple[int, int]:
    """(model calls, of which answered from the cache) over the study's logs."""
    calls = [e for log in result.logs for sample in log.samples or [] for e in sample.events if e.event == "model"]
    return len(calls), sum(event.cache == "read" for event in calls)


def _print_summary(result: StudyResult) -> None:
    table = results_table(result.db, run=result.study_id)
    console.print(summary_table(table) if not table.empty else Text("No samples were stored."), width=SUMMARY_WIDTH)
    print_reliability(result.db, result.study_id)
    calls, cached = cache_counts(result)
    if calls:
        console.print(f"Model calls: {calls}, {cached} answered from cache.")
    for log in result.logs:
        status = "[green]success[/]" if log.status == "success" else f"[red]{log.status}[/]"
        console.print(f"{log.eval.model}: {status}  log: {log.location}")
        if log.error:
            console.print(f"  error: {log.error.message}", markup=False)
    for item in result.errored:
        line = f"  errored: {item['model']} {item['sample_id']} epoch {item['epoch']}: {item['error']}"
        console.print(line, markup=False)
    if result.shard_logs or result.failed_shards:
        console.print(f"Shards: {len(result.shard_logs)} succeeded, {len(result.failed_shards)} failed")
    for shard_id, reason in result.failed_shards.items():
        console.print(f"  [red]shard {shard_id} failed[/]: {escape(reason)}")
    console.print(f"Results database: {result.db}")
    console.print(f"Inspect logs: inspect view --log-dir {result.out / 'logs'}")
    if result.report:
        console.print(f"Report: [bold]{result.report}[/]")


def _print_plan(experiment: Experiment) -> None:
    plan = plan_study(experiment)
    if "design" in plan.assumptions:
        console.print(plan.assumptions["design"], markup=False)
    if len(plan.conversations) <= PLAN_ROWS_SHOWN:
        console.print(plan.conversations_table())
    else:
        console.print(f"{len(plan.conversations)} conversations planned (table left out above {PLAN_ROWS_SHOWN}).")
    console.print(plan.summary_table())
    for name, assumption in plan.assumptions.items():
        if name != "design":
            console.print(f"{name}: {assumption}", markup=False)
    console.print("Dry run: no model was called.")


@app.command("run")
def run(
    config: Path | None = typer.Option(None, "--config", "-c", help="Experiment YAML file; flags override it."),
    model: list[str] = typer.Option(None, "--model", "-m", help="Target model(s); repeat for several."),
    judge: str | None = typer.Option(
        None,
        help="Judge: 'trained' (default: the shipped offline judge), 'trained:PATH', a model name such as "
        "'embedded' or 'openai/gpt-4o', or 'none' (no judging).",
    ),
    judge_method: str | None = typer.Option(None, help="auto, json or logprob."),
    judge_sees_labels: bool | None = typer.Option(
        None, "--judge-sees-labels/--blind-judge",
        help="Show the judge the pressure types and intensities (default: blind; recorded in the run config).",
    ),
    scenario: list[str] = typer.Option(None, "--scenario", "-s", help="Scenario id, tag:NAME or YAML path; repeat."),
    all_scenarios: bool = typer.Option(False, "--all", help="Run the whole built-in library."),
    quick: bool = typer.Option(
        False, "--quick",
        help=f"{QUICK_SCENARIOS} core scenarios, {QUICK_TURNS} turns each, embedded answers of at most "
        f"{QUICK_EMBEDDED_MAX_TOKENS} tokens.",
    ),
    reasoning: str | None = typer.Option(None, help="Reasoning scratchpad: on, off or both (default both)."),
    mode: list[str] = typer.Option(None, "--mode", help="chat and/or agent; repeat (default chat)."),
    condition: list[str] = typer.Option(None, "--condition", help="scripted, control and/or adaptive; repeat."),
    pressurer: str | None = typer.Option(None, help="Model that writes adaptive runs' user turns (default: embedded)."),
    simulator: str | None = typer.Option(None, help="Model that simulates tools left to a simulator (default: embedded)."),
    epochs: int | None = typer.Option(None, min=1, help="Times each conversation is played."),
    max_turns: int | None = typer.Option(None, min=1, help="Play at most this many user turns."),
    max_tokens: int | None = typer.Option(None, min=1, help="Most tokens per target answer."),
    temperature: float | None = typer.Option(None, min=0, help="Target sampling temperature."),
    max_connections: int | None = typer.Option(None, min=1, help="Conversations in flight at once."),
    out: Path | None = typer.Option(None, help="The study's folder (default: pressure-sense-runs/STUDY_ID)."),
    report: bool = typer.Option(True, help="Write the HTML report at the end."),
    cache: bool | None = typer.Option(None, help="Reuse cached model answers for identical calls (default on)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the planned conversations, calls and tokens only."),
    resume: str | None = typer.Option(
        None, help="Resume an interrupted study (its folder or id); errored samples run again."
    ),
    allow_errors: bool = typer.Option(
        False, "--allow-errors", help="Exit 0 even when samples ended in an error (they are listed and counted)."
    ),
    design: str | None = typer.Option(
        None, help="scripted (the library's scenarios) or factorial (requests x pressure types; -s picks requests)."
    ),
    pressure_type: list[str] = typer.Option(None, "--type", help="Factorial: a pressure type to play; repeat (default all)."),
    schedule: list[str] = typer.Option(None, "--schedule", help="Factorial: rising, shuffled, fixed:N or fixed; repeat."),
    mixed: bool = typer.Option(False, "--mixed", help="Factorial: cycle the types within each conversation."),
    max_retries: int | None = typer.Option(
        None, min=0, help=f"Retries of one call to a network model (default {RetryBudget().max_retries}); every target and judge."
    ),
    timeout: int | None = typer.Option(
        None, min=1, help=f"Seconds after a call's first try past which it is not retried (default {RetryBudget().timeout})."
    ),
    attempt_timeout: int | None = typer.Option(
        None, min=1, help=f"Seconds one try of a call may take (default {RetryBudget().attempt_timeout})."
    ),
    executor: str | None = typer.Option(None, help="local (one process, default) or ray (shards on a Ray cluster)."),
    address: str | None = typer.Option(None, help="Ray cluster address for --executor ray (default: start Ray here)."),
) -> None:
    """Run a pressure study (default: the embedded model on the core scenarios, both reasoning variants)."""
    with user_errors(ScenarioError, ExperimentError, EmbeddedModelError, StoreError, KeyError, ValueError):
        if resume:
            load_inspect_plugins()
            result = resume_study(resume, report=report)
        else:
            experiment = build_experiment(
                config, quick, all_scenarios, max_tokens, temperature,
                targets=model or None, judge=judge, judge_method=judge_method, judge_sees_labels=judge_sees_labels,
                scenarios=scenario or None,
                reasoning=reasoning, modes=mode or None, conditions=condition or None,
                pressurer=pressurer, simulator=simulator, epochs=epochs,
                max_turns=max_turns, concurrency=max_connections, cache=cache,
                design=design, types=pressure_type or None, schedules=schedule or None, mixed=mixed,
                executor=executor, address=address,
                max_retries=max_retries, timeout=timeout, attempt_timeout=attempt_timeout,
            )
            if dry_run:
                _print_plan(experiment)
                return
            load_inspect_plugins()
            result = run_study(experiment, out=out, report=report)
    _print_summary(result)
    if result.errored:
        folder = result.out
        console.print(
            f"[red]{len(result.errored)} of {result.n_samples} samples ended in an error[/] (after "
            f"{SAMPLE_RETRIES} retries each); they have no scores and are left out of every table. "
            f"Run them again with `pressure-sense run --resume {folder}`"
            + (", or keep them as errors (--allow-errors)." if not allow_errors else "; --allow-errors: exit 0."),
        )
    if result.failing:
        console.print("[red]Failing models[/] (what finished is stored; `--resume` runs the rest):")
        for line in result.failing:
            console.print(f"  {line}", markup=False, soft_wrap=True)
    if not result.ok or result.stopped or (result.errored and not allow_errors):
        raise typer.Exit(code=1)
