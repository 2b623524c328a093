"""The typer application every command module registers on."""

import typer

app = typer.Typer(
    name="pressure-sense",
    help="Measure how language models behave under conversational pressure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
