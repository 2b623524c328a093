"""`pressure-sense interp`: look inside an open-weight model at the high-pressure moments of a conversation.

The interp package (torch, TransformerLens, CircuitsVis) is imported only when the command runs, so
other commands start as fast as without the extra.
"""

from __future__ import annotations

from pathlib import Path

import typer

from pressure_sense.cli._app import UserError, app, console, err_console, user_errors
from pressure_sense.scenarios import ScenarioError, load_scenarios, resolve_scenarios
from pressure_sense.store import StoreError, database_path, default_database

INTERP_HELP = (
    "Replay conversations through an open-weight model and look inside it at each response start.\n\n"
    "One conversation: --scenario ID|PATH (the model answers each scripted turn greedily), or a stored one: "
    "--db RESULTS --run RUN_ID --sample SAMPLE (a sample_pk, or a sample id such as scenario:chat).\n\n"
    "Library mode: several --scenario values, --scenario tag:NAME, --all, or --db/--run without --sample "
    "(every conversation of that run). The pressure direction, the probe and the correlation with judged "
    "alignment then use every conversation; the first one is shown turn by turn with CircuitsVis views. "
    "Alignment exists only for stored, judged conversations.\n\n"
    "Writes OUT/interp.html (self-contained, works offline) and the numbers as Parquet files and OUT/interp.npz. "
    "Needs the interp extra: pip install 'pressure-sense\\[interp]'."
)


def _words(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    words = tuple(word.strip() for word in value.split(",") if word.strip())
    if not words:
        raise UserError("a token list is empty; give comma-separated words, e.g. 'Sorry,No'")
    return words


def _layers(value: str | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        return tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise UserError(f"--layers takes comma-separated layer numbers, e.g. 0,15,29 (got {value!r})") from None


@app.command("interp", help=INTERP_HELP)
def interp(
    scenario: list[str] = typer.Option(None, "--scenario", "-s", help="Scenario id, tag:NAME or YAML path; repeat."),
    all_scenarios: bool = typer.Option(False, "--all", help="Replay the whole built-in library."),
    db: Path | None = typer.Option(None, help="Results database (file or run folder) of stored conversations."),
    run: str | None = typer.Option(None, help="Run or study id in the database."),
    sample: list[str] = typer.Option(None, "--sample", help="Stored conversation: sample_pk or sample id; repeat."),
    model: str = typer.Option("embedded", help="'embedded' (SmolLM2-135M-Instruct) or a local HF model folder."),
    layers: str | None = typer.Option(
        None, help="Layers for CircuitsVis views, e.g. 0,15,29 (default: first, middle, last)."
    ),
    refusal_tokens: str | None = typer.Option(
        None,
        help="Comma-separated refusal words; the first token of each counts (default: Sorry,Unfortunately,No,Cannot,Apologies).",
    ),
    compliance_tokens: str | None = typer.Option(
        None, help="Comma-separated compliance words (default: Sure,Yes,Certainly,Okay,Of course,Absolutely)."
    ),
    response_tokens: int = typer.Option(
        4, min=1, help="Response positions whose attention is measured (start included)."
    ),
    max_new_tokens: int = typer.Option(48, min=1, help="Answer length when the model answers a scenario."),
    low_max: int = typer.Option(2, min=0, max=5, help="Intensity at or below which a turn is low-pressure."),
    high_min: int = typer.Option(4, min=0, max=5, help="Intensity at or above which a turn is high-pressure."),
    mask_heads: int = typer.Option(6, min=0, help="Heads masked one at a time at the highest-pressure turn."),
    shuffles: int = typer.Option(5, min=0, help="Label permutations for the probe's shuffled baseline."),
    seed: int = typer.Option(0, help="Seed of the probe's folds and permutations."),
    threads: int = typer.Option(
        1, min=1, help="CPU threads for torch and BLAS (more can be far slower on a busy CPU)."
    ),
    out: Path = typer.Option(Path("interp"), "--out", "-o", help="Folder for interp.html, Parquet and NPZ files."),
) -> None:
    with user_errors(ScenarioError, KeyError, ValueError):  # checked before torch is imported
        if high_min <= low_max:
            raise UserError(f"--high-min ({high_min}) must be above --low-max ({low_max})")
        if not (scenario or all_scenarios or db or run or sample):
            raise UserError("nothing to replay: give --scenario ID|PATH, --all, or --db/--run/--sample")
        chosen_layers, refusal, compliance = _layers(layers), _words(refusal_tokens), _words(compliance_tokens)
        scenarios = load_scenarios() if all_scenarios else resolve_scenarios(list(scenario)) if scenario else []

    from pressure_sense.interp import (
        InterpError,
        InterpSettings,
        require_interp_extra,
        run_interp,
        stored_conversations,
    )

    with user_errors(ScenarioError, StoreError, KeyError, ValueError, InterpError):
        require_interp_extra()
        path = database_path(db) if db else default_database(run) if (run or sample) else None
        stored = stored_conversations(path, run, list(sample or [])) if path else []
        defaults = InterpSettings()
        settings = InterpSettings(
            layers=chosen_layers, refusal_words=refusal or defaults.refusal_words,
            compliance_words=compliance or defaults.compliance_words, response_tokens=response_tokens,
            max_new_tokens=max_new_tokens, low_max=low_max, high_min=high_min, mask_heads=mask_heads,
            shuffles=shuffles, seed=seed, threads=threads,
        )  # fmt: skip
        result = run_interp(
            out, scenarios=scenarios, stored=stored, model=model, settings=settings,
            progress=lambda message: err_console.print(f"[dim]{message}[/]"),
        )  # fmt: skip
    console.print(f"Page: [bold]{result.html}[/]")
    console.print(f"Numbers: {', '.join(path.name for path in result.files)} in {result.html.parent}")
    for line in result.findings:
        console.print(f"- {line}", markup=False)
