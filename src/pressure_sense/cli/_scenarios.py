"""`pressure-sense scenarios list|show|validate`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml
from rich.table import Table

from pressure_sense.cli._app import app, console, err_console, fail, user_errors
from pressure_sense.scenarios import (
    ScenarioError,
    Schedule,
    builtin_factorial,
    expand_design,
    load_requests,
    load_scenarios,
    load_tactics,
    resolve_requests,
    resolve_scenarios,
    resolve_tactics,
    write_scenarios,
)

scenarios_app = typer.Typer(help="List, show and validate scenario files.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")


LIST_FORMATS = ("table", "ids", "json")


@scenarios_app.command("list")
def list_scenarios(
    paths: list[Path] = typer.Argument(None, help="Scenario files or folders (default: the built-in library)."),
    tag: str | None = typer.Option(None, help="Only scenarios with this tag."),
    output: str = typer.Option("table", "--format", help="table, ids (one per line) or json (one object per scenario)."),
    factorial: bool = typer.Option(
        False, "--factorial", help="Also list the built-in factorial design (requests x tactics, rising schedule)."
    ),
) -> None:
    """List scenarios with their turns, pressure types and tags; ids are never shortened."""
    if output not in LIST_FORMATS:
        raise fail(f"unknown format {output!r}; choose one of: {', '.join(LIST_FORMATS)}")
    with user_errors(ScenarioError):
        scenarios = load_scenarios(list(paths) if paths else None)
        if factorial:
            scenarios += builtin_factorial()
    rows = [scenario.summary() for scenario in scenarios if not tag or tag in scenario.tags]
    if output == "ids":
        for row in rows:
            typer.echo(row["id"])
        return
    if output == "json":
        typer.echo(json.dumps(rows, indent=1))
        return
    console.print(_scenario_table(rows, console.width))


_OPTIONAL_COLUMNS = (("pressure types", 22), ("title", 24), ("tags", 14))
"""Columns shown after id, turns and max while the terminal has room, with the width each needs."""


def _scenario_table(rows: list[dict], width: int) -> Table:
    """The listing, ids whole; columns that do not fit the terminal are left out (say so in the title)."""
    id_width = max((len(row["id"]) for row in rows), default=2)
    room = width - id_width - 16  # id, turns, max and the gaps between columns
    shown = []
    for name, needed in _OPTIONAL_COLUMNS:
        if room >= needed:
            shown.append(name)
            room -= needed + 2
    left_out = [name for name, _ in _OPTIONAL_COLUMNS if name not in shown]
    title = f"{len(rows)} scenario(s)" + (f" ({', '.join(left_out)}: widen the terminal or use --format json)" if left_out else "")
    table = Table(title=title, title_justify="left", box=None, pad_edge=False)
    table.add_column("id", no_wrap=True, overflow="ignore", min_width=id_width)
    table.add_column("turns", justify="right")
    table.add_column("max", justify="right")
    for name in shown:
        table.add_column(name, overflow="fold")
    values = {"pressure types": lambda r: ", ".join(r["pressure_types"]), "title": lambda r: r["title"],
              "tags": lambda r: ", ".join(r["tags"])}  # fmt: skip
    for row in rows:
        table.add_row(row["id"], str(row["turns"]), str(row["max_intensity"]), *(values[name](row) for name in shown))
    return table


@scenarios_app.command("show")
def show_scenario(selector: str = typer.Argument(..., help="Scenario id or file path.")) -> None:
    """Print one scenario as YAML."""
    with user_errors(ScenarioError, KeyError):
        (scenario,) = resolve_scenarios([selector])[:1]
    console.print(yaml.safe_dump(scenario.model_dump(mode="json", exclude_defaults=True), sort_keys=False), markup=False)


@scenarios_app.command("validate")
def validate_scenarios(paths: list[Path] = typer.Argument(..., help="Scenario files or folders.")) -> None:
    """Validate scenario files; every problem is reported as file:line: field: message."""
    try:
        scenarios = load_scenarios(list(paths))
    except ScenarioError as exc:
        for problem in exc.problems:
            err_console.print(problem, markup=False)
        raise typer.Exit(code=1) from None
    console.print(f"{len(scenarios)} scenario(s) valid.")


@scenarios_app.command("expand")
def expand_scenarios(
    out: Path = typer.Option(..., "--out", "-o", help="Folder the scenario files are written to."),
    request: list[str] = typer.Option(None, "--request", "-r", help="Request id, tag:NAME (tag or domain) or path; repeat."),
    pressure_type: list[str] = typer.Option(None, "--type", "-t", help="Pressure type of a tactic; repeat (default: all)."),
    schedule: list[str] = typer.Option(
        None, "--schedule", help="rising (default), shuffled, fixed:N or fixed (every level); repeat."
    ),
    mixed: bool = typer.Option(False, "--mixed", help="One scenario per request whose turns cycle through the types."),
    requests_path: list[Path] = typer.Option(None, "--requests", help="Request files or folders (default: built-in)."),
    tactics_path: list[Path] = typer.Option(None, "--tactics", help="Tactic files or folders (default: built-in)."),
    overwrite: bool = typer.Option(False, help="Replace existing files whose content differs."),
) -> None:
    """Expand requests x tactics x intensity schedules into scenario files (the same inputs give the same bytes)."""
    with user_errors(ScenarioError, KeyError, ValueError, FileExistsError):
        requests = resolve_requests(request or None, load_requests(list(requests_path) if requests_path else None))
        tactics = resolve_tactics(pressure_type or None, load_tactics(list(tactics_path) if tactics_path else None))
        schedules = [one for text in (schedule or ["rising"]) for one in Schedule.parse(text)]
        sources = ", ".join(
            [p.name for p in requests_path or []] + [p.name for p in tactics_path or []]
        ) or "the built-in requests and tactics"
        scenarios = expand_design(requests, tactics, schedules, mixed=mixed, sources=sources)
        paths = write_scenarios(scenarios, out, overwrite=overwrite)
        load_scenarios([out])  # every file written must load through the scenario loader
    console.print(
        f"{len(paths)} scenario(s) in {out}: {len(requests)} request(s) x "
        f"{'mixed' if mixed else f'{len(tactics)} type(s)'} x {len(schedules)} schedule(s)."
    )


@scenarios_app.command("generate")
def generate(
    description: str = typer.Argument(..., help="The behaviour to test, in a sentence or two."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the new files (existing files are never overwritten)."),
    model: str = typer.Option("embedded", "--model", "-m", help="The writing model (embedded, openai/..., ...)."),
    count: int = typer.Option(3, min=1, max=20, help="Requests to ask for."),
    tactic: str | None = typer.Option(None, help="Write one tactic for this pressure type instead of requests."),
    threshold: float = typer.Option(
        0.85, min=0.0, max=1.0, help="MiniLM cosine similarity at or above which a request is a duplicate."
    ),
    max_tokens: int = typer.Option(3000, min=1, help="Most tokens per model answer."),
) -> None:
    """Have a model write new requests (or a tactic) in the file format: validated, deduplicated, never overwriting."""
    from pressure_sense.inspect_plugins import load_inspect_plugins
    from pressure_sense.models import EmbeddedModelError
    from pressure_sense.study import generate_requests, generate_tactic

    with user_errors(ScenarioError, KeyError, ValueError, EmbeddedModelError):
        load_inspect_plugins()
        if tactic:
            result = generate_tactic(description, tactic, out, model=model, max_tokens=max_tokens)
        else:
            result = generate_requests(
                description, out, model=model, count=count, threshold=threshold, max_tokens=max_tokens
            )
    for path in result.written:
        console.print(f"wrote {path}", markup=False)
    for reason in result.rejected:
        err_console.print(f"left out: {reason}", markup=False)
    console.print(f"{len(result.written)} file(s) written by {result.model}; {len(result.rejected)} problem(s).")
    if not result.written:
        raise typer.Exit(code=1)
