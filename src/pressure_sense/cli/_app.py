"""The typer application every command registers on, its consoles, and user mistakes as one clear line, no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(
    name="pressure-sense",
    help="Measure how language models behave under conversational pressure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class UserError(Exception):
    """A mistake the user can fix; its message says how."""


def fail(message: str) -> typer.Exit:
    """Print an error line and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    return typer.Exit(code=2)


@contextmanager
def user_errors(*kinds: type[Exception]) -> Iterator[None]:
    """Report UserError, and the given exception kinds, as one clear line each."""
    try:
        yield
    except (UserError, *kinds) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        raise fail(str(message)) from None
