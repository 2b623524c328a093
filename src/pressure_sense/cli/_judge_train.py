"""`pressure-sense judge validate` and `judge card`: the reader checked with whole sources held out, and trained."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from rich.console import Console

from pressure_sense.cli._app import app
from pressure_sense.cli._errors import user_errors

console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)

judge_app = typer.Typer(help="The offline reader judge: check it held out by source, train it, show its card.", no_args_is_help=True)
app.add_typer(judge_app, name="judge")


@judge_app.command("validate")
def validate(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Also train the reader on every pair and write its weights (.safetensors) and card here."
    ),
    questions: int = typer.Option(30, min=2, help="SYCON questions drawn per model (all five turns of each)."),
    epochs: int = typer.Option(2, min=1, help="Training epochs of every reader."),
    seed: int = typer.Option(0, help="Training seed."),
) -> None:
    """Train and check the reader and its baselines with whole sources held out (about an hour on 2 cores); print
    every table, and with --output train the shipped reader and write it with these figures as its card."""
    from pressure_sense.judge import EmbeddingModelError, TrainSettings
    from pressure_sense.judge_quality import (
        CheckRun,
        ReaderDataError,
        SyconDataError,
        held_out_predictions,
        held_out_rows,
        held_out_tables,
        load_reader_data,
        reader_card,
        reader_verdicts,
        reliability_table,
        save_reader,
        train_shipped,
    )

    started = time.monotonic()
    log = lambda line: console.print(f"[{time.monotonic() - started:6.0f} s] {line}", markup=False)  # noqa: E731
    with user_errors(ReaderDataError, SyconDataError, EmbeddingModelError):
        data = load_reader_data(questions)
        log(f"{len(data.matched)} matched answers, {len(data.sycon)} SYCON answers, {len(data.blind)} blind-labelled answers")
        run = CheckRun(data, TrainSettings(epochs=epochs, seed=seed), log=log)
        run.fill()
        folds, source_out = held_out_predictions(run)
        rows = held_out_rows(folds, source_out)
        verdicts = reader_verdicts(rows)
    for table in held_out_tables(rows):
        console.print(table)
    console.print(reliability_table(verdicts))
    if output is not None:
        net = train_shipped(run)
        card = reader_card(data, rows, verdicts, run.settings, questions)
        path = save_reader(net, output, card)
        log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) and its card")


@judge_app.command("card")
def card(weights: Path | None = typer.Option(None, help="A reader weights file (default: the shipped one).")) -> None:
    """Print a reader's card: the held-out figures it was shipped with and which dimensions are reliable."""
    from pressure_sense.judge import Reader, ReaderError
    from pressure_sense.judge_quality import held_out_tables, reliability_table

    with user_errors(ReaderError):
        reader = Reader(weights)
    if not reader.card:
        console.print(f"{reader.path}: no card beside it; run `pressure-sense judge validate -o {reader.path}`", markup=False)
        raise typer.Exit(1)
    for table in held_out_tables(reader.card["held_out"]):
        console.print(table)
    console.print(reliability_table(reader.card["reliability"]))


@judge_app.command("labels")
def labels(resamples: int = typer.Option(2000, min=100, help="Bootstrap resamples for the intervals.")) -> None:
    """How far the blind labels of real answers hold: two labellers' agreement, and ours against SYCON's `kept`."""
    from rich.table import Table

    from pressure_sense.judge_quality import SyconDataError, blind_agreement

    with user_errors(SyconDataError):
        agreement = blind_agreement(resamples=resamples)
    table = Table(title=f"Second labeller vs first on {agreement.n} real answers (95% interval resampling source models)", title_justify="left")
    for column in ("dimension", "quadratic kappa", "exact", "within one"):
        table.add_column(column)
    for row in agreement.dimensions:
        table.add_row(row.dimension, *(f"{e.value:.2f} [{e.low:.2f}, {e.high:.2f}]" for e in (row.kappa, row.exact, row.within_one)))
    console.print(table)
    console.print(f"gave_way: both labellers agree on {agreement.gave_way:.0%} of the items", markup=False)
    console.print(
        f"against SYCON's own kept label on {agreement.sycon_n} SYCON answers: our gave_way is its opposite on "
        f"{agreement.kept_gave_way:.0%}; our alignment label's AUROC for kept is {agreement.kept_alignment_auroc:.2f}",
        markup=False,
    )
