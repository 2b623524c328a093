"""`pressure-sense import`, `judge-check` and `judge validate|card|labels` (the offline reader, checked with whole
sources held out, and trained)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pressure_sense.cli._app import app, console, user_errors
from pressure_sense.inspect_plugins import load_inspect_plugins

reader_console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
judge_app = typer.Typer(
    help="The offline reader judge: check it held out by source, train it, show its card.", no_args_is_help=True
)
app.add_typer(judge_app, name="judge")

DEFAULT_IMPORT_DB = Path("pressure-sense-runs") / "imports" / "results.sqlite"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    )


@app.command("import")
def import_command(
    paths: list[Path] = typer.Argument(..., help="Transcript files (.json, .jsonl) or folders of them, in the OpenAI chat format."),
    db: Path = typer.Option(DEFAULT_IMPORT_DB, "--db", help="Results database to store them in."),
    model: str | None = typer.Option(None, help="Model that wrote the answers (default: from the file name or its `model` field)."),
    scenario: str | None = typer.Option(None, help="Scenario id (default: from the file name)."),
    variant: str | None = typer.Option(None, help="Variant, e.g. chat or chat+reasoning (default: from the file name or the answers)."),
    judge: str | None = typer.Option(None, help="Judge the conversations with this model before storing (e.g. embedded)."),
    method: str = typer.Option("auto", help="Judge scoring method: auto, json or logprob."),
    turns: bool = typer.Option(True, help="Also judge every turn (as a run does), not only the whole conversation."),
    concurrency: int = typer.Option(2, min=1, help="Conversations judged at once."),
) -> None:
    """Import finished conversations as a run (source 'import'), so they can be judged and reported like any run.

    Every file is validated first; if any is malformed nothing is stored.
    """
    from pressure_sense.judge_quality import (
        TranscriptError,
        TranscriptLabels,
        import_conversations,
        imported_sample_judge,
        read_transcripts,
    )
    from pressure_sense.store import StoreError

    with user_errors(TranscriptError, StoreError, ValueError):
        conversations = read_transcripts(list(paths), TranscriptLabels(model=model, scenario=scenario, variant=variant))
        sample_judge = imported_sample_judge(judge, method, per_turn=turns) if judge is not None else None
        with _progress() as progress:
            task = progress.add_task("judging", total=len(conversations) if judge else 0, visible=judge is not None)
            result = asyncio.run(
                import_conversations(
                    conversations, db, judge=sample_judge, judge_name=judge, concurrency=concurrency,
                    on_judged=lambda _: progress.advance(task),
                )
            )
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    errors = sum(sample.judge_errors for sample in result.samples)
    judged = f", {sum(s.judgements for s in result.samples)} judgements ({errors} failed)" if judge else ""
    console.print(
        f"Imported {len(result.samples)} conversation(s) from {len(paths)} path(s) as study {result.study_id} "
        f"({len(result.runs)} run(s), one per model{judged}) into {result.db}",
        markup=False,
    )


@app.command("judge-check")
def judge_check(
    judge: list[str] = typer.Option(..., "--judge", "-j", help="Judge model; repeat for a panel (e.g. embedded, openai/gpt-4o)."),
    against: str = typer.Option(
        "reference",
        help="Labelled set: reference (hand-labelled turns, judged turn by turn as a study judges them; default), "
        "calibration or study-2024 (whole conversations), or a path to labelled YAML files.",
    ),
    method: str = typer.Option("auto", help="Scoring method: json, logprob, auto, or both (compares json with logprob)."),
    study_dir: Path | None = typer.Option(None, help="The 2024 study's data folder (default: $PRESSURE_SENSE_STUDY_2024_DIR)."),
    bias: list[str] = typer.Option([], "--bias", help="Bias probe: position, length or self; repeat for several."),
    self_model: str | None = typer.Option(None, help="The judge's own model as named in the set (for --bias self)."),
    limit: int | None = typer.Option(None, min=1, help="Only the first N items (a quick look)."),
    concurrency: int = typer.Option(4, min=1, help="Items judged at once."),
    resamples: int = typer.Option(2000, min=100, help="Bootstrap resamples for the confidence intervals."),
    seed: int = typer.Option(0, help="Bootstrap seed."),
) -> None:
    """Judge a labelled set and print per-dimension agreement with its labels (with 95% bootstrap CIs).

    A full check of a model judge against the reference set is kept as that judge's reliability: studies
    judged by it show those figures beside their scores."""
    from pressure_sense.judge_quality import (
        CalibrationError,
        StudyDataError,
        agreement_table,
        bias_table,
        check_title,
        conversation_judge,
        disagreement_line,
        failure_lines,
        method_comparison_table,
        panel_alpha_table,
        panel_flags_table,
        resolve_labelled,
        run_judge_check,
    )

    probes = [name.strip() for value in bias for name in value.split(",") if name.strip()]
    with user_errors(CalibrationError, StudyDataError, ValueError):
        labelled = resolve_labelled(against, study_dir, limit)
        load_inspect_plugins()
        with _progress() as progress:
            tasks: dict[str, int] = {}

            def done(tag: str, *_: object) -> None:
                if tag not in tasks:
                    tasks[tag] = progress.add_task(f"judging with {tag}", total=len(labelled.items))
                progress.advance(tasks[tag])

            report = asyncio.run(
                run_judge_check(
                    judge, labelled, conversation_judge, method=method, probes=probes, self_model=self_model,
                    concurrency=concurrency, resamples=resamples, seed=seed, on_done=done,
                )
            )
    for result in report.results:
        console.print(agreement_table(result.agreement, check_title(result)))
        _turn_level_lines(result, against, limit, resamples, seed)
        line = disagreement_line(result)
        if line:
            console.print(line, markup=False)
        for failure in failure_lines(result):
            console.print(failure, markup=False)
    if method == "both":
        for name in judge:
            console.print(method_comparison_table([r for r in report.results if r.judge == name]))
    if report.panel is not None:
        console.print(panel_alpha_table(report.panel))
        console.print(agreement_table(report.panel_agreement, f"panel mean against {labelled.name}"))
        console.print(panel_flags_table(report.panel) if report.panel.flags else "No item where the judges differ by 2 or more.")
    if report.bias:
        console.print(bias_table(report.bias, "bias probes (shift = probed minus original score)"))
    for note in report.notes:
        console.print(f"note: {note}", markup=False)


def _turn_level_lines(result, against: str, limit: int | None, resamples: int, seed: int) -> None:
    """For turn-level sets: AUROC for clear passes against clear failures; for a full reference check, the
    record studies show (for the offline reader, its card's out-of-source figures are what studies show)."""
    from pressure_sense.judge import JudgeSeat, judge_reliability, reliability_lines, save_reliability
    from pressure_sense.judge_quality import REFERENCE_SET, clear_case_auroc, reliability_record

    seat = JudgeSeat.parse(result.judge)
    if not any(item.turn_index is not None for item in result.items):
        if seat.trained:
            console.print(
                f"note: {result.judge} scores turns; each conversation's score above is the mean of its turn scores.",
                markup=False,
            )
        return
    estimate = clear_case_auroc(result, resamples=resamples, seed=seed)
    if estimate is not None:
        console.print(f"AUROC of alignment, clear pass vs clear failure: {estimate.format()}", markup=False)
    if against != REFERENCE_SET or limit:
        return
    if seat.trained:
        record = judge_reliability(seat.judge())
        note = (
            f"note: the reference set is this project's own writing (not used to train {result.judge}): the figures "
            "above are in-domain."
        )
        if record:
            note += f" What studies show beside its scores ({record['source']}):"
        console.print(note, markup=False)
        for dimension, text in reliability_lines(record).items():
            console.print(f"  {dimension}: {text}", markup=False)
        return
    method = result.method.split(":")[0]  # "auto: logprob" is kept for the method asked, auto
    saved = save_reliability(result.judge, method, "conversation", reliability_record(result, estimate))
    console.print(f"Kept as the reliability of {result.judge} ({method}): {saved}", markup=False)


@judge_app.command("validate")
def validate(
    output: Path | None = typer.Option(
        None, "--output", "-o",
        help="Also train the reader on every pair and write its weights (.safetensors) and card here.",
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
    log = lambda line: reader_console.print(f"[{time.monotonic() - started:6.0f} s] {line}", markup=False)  # noqa: E731
    with user_errors(ReaderDataError, SyconDataError, EmbeddingModelError):
        data = load_reader_data(questions)
        log(
            f"{len(data.matched)} matched answers, {len(data.sycon)} SYCON answers, "
            f"{len(data.blind)} blind-labelled answers"
        )
        run = CheckRun(data, TrainSettings(epochs=epochs, seed=seed), log=log)
        run.fill()
        folds, source_out = held_out_predictions(run)
        rows = held_out_rows(folds, source_out)
        verdicts = reader_verdicts(rows)
    for table in held_out_tables(rows):
        reader_console.print(table)
    reader_console.print(reliability_table(verdicts))
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
        reader_console.print(
            f"{reader.path}: no card beside it; run `pressure-sense judge validate -o {reader.path}`", markup=False
        )
        raise typer.Exit(1)
    for table in held_out_tables(reader.card["held_out"]):
        reader_console.print(table)
    reader_console.print(reliability_table(reader.card["reliability"]))


@judge_app.command("labels")
def labels(resamples: int = typer.Option(2000, min=100, help="Bootstrap resamples for the intervals.")) -> None:
    """How far the blind labels of real answers hold: two labellers' agreement, and ours against SYCON's `kept`."""
    from rich.table import Table

    from pressure_sense.judge_quality import SyconDataError, blind_agreement

    with user_errors(SyconDataError):
        agreement = blind_agreement(resamples=resamples)
    title = f"Second labeller vs first on {agreement.n} real answers (95% interval resampling source models)"
    table = Table("dimension", "quadratic kappa", "exact", "within one", title=title, title_justify="left")
    for row in agreement.dimensions:
        estimates = (row.kappa, row.exact, row.within_one)
        table.add_row(row.dimension, *(f"{e.value:.2f} [{e.low:.2f}, {e.high:.2f}]" for e in estimates))
    reader_console.print(table)
    reader_console.print(f"gave_way: both labellers agree on {agreement.gave_way:.0%} of the items", markup=False)
    reader_console.print(
        f"against SYCON's own kept label on {agreement.sycon_n} SYCON answers: our gave_way is its opposite on "
        f"{agreement.kept_gave_way:.0%}; our alignment label's AUROC for kept is {agreement.kept_alignment_auroc:.2f}",
        markup=False,
    )
