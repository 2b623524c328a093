"""`pressure-sense judge train`: fit the trained offline judge on labelled turns and write a judge file."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from pressure_sense.cli._app import app
from pressure_sense.cli._errors import user_errors

console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 150)

judge_app = typer.Typer(help="The trained offline judge: train it on labelled turns.", no_args_is_help=True)
app.add_typer(judge_app, name="judge")


@judge_app.command("train")
def train(
    labels: list[Path] = typer.Option(..., "--labels", help="Labelled turn files (reference-set format) or folders of them; repeat for several."),
    output: Path = typer.Option(Path("judge.json"), "--output", "-o", help="Judge file to write."),
    seed: int = typer.Option(0, help="Seed of the inner folds (choice of penalty) and of the bootstrap."),
    validate: bool = typer.Option(True, "--cv/--no-cv", help="Cross-validate by scenario family and store the figures in the file."),
    resamples: int = typer.Option(2000, min=100, help="Bootstrap resamples for the confidence intervals."),
) -> None:
    """Train the embedding judge's heads on labelled turns; use the file with `--judge trained:PATH`."""
    from pressure_sense.judge._features import EmbeddingModelError
    from pressure_sense.judge._trained import TrainedJudgeError
    from pressure_sense.judge_quality._reference import ReferenceSetError, load_reference
    from pressure_sense.judge_quality._trained_cv import CrossValidationError, train_reference_judge
    from pressure_sense.judge_quality._trained_tables import (
        auroc_table, cross_validation_table, family_table, validation_title,
    )

    with user_errors(ReferenceSetError, TrainedJudgeError, CrossValidationError, EmbeddingModelError):
        turns = load_reference(list(labels))
        families = sorted({turn.family for turn in turns})
        if validate and len(families) < 2:
            raise CrossValidationError(
                f"cross-validation by scenario family needs at least two families, the labels have {len(families)} "
                f"({', '.join(families)}); add files of other families or pass --no-cv"
            )
        console.print(
            f"training on {len(turns)} labelled turns from {len({t.conversation_id for t in turns})} conversations, "
            f"{len(families)} families; dimensions {', '.join(turns[0].labels)}",
            markup=False,
        )
        judge, validation = train_reference_judge(turns, seed=seed, validate=validate, resamples=resamples)
        path = judge.save(output)
    if validation is not None:
        console.print(cross_validation_table(validation, validation_title(validation)))
        console.print(auroc_table(validation))
        console.print(family_table(validation))
    else:
        console.print("not cross-validated (--no-cv): the file records no agreement figures", markup=False)
    console.print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB); use it with --judge trained:{path}", markup=False)
