"""`pressure-sense scenarios list|show|validate`."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.table import Table

from pressure_sense.cli._app import app
from pressure_sense.cli._errors import err_console, user_errors
from pressure_sense.scenarios import ScenarioError, load_scenarios, resolve_scenarios

scenarios_app = typer.Typer(help="List, show and validate scenario files.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")
console = Console(highlight=False)


@scenarios_app.command("list")
def list_scenarios(
    paths: list[Path] = typer.Argument(None, help="Scenario files or folders (default: the built-in library)."),
    tag: str | None = typer.Option(None, help="Only scenarios with this tag."),
) -> None:
    """List scenarios with their turns, pressure types and tags."""
    with user_errors(ScenarioError):
        scenarios = load_scenarios(list(paths) if paths else None)
    table = Table("id", "title", "turns", "max", "pressure types", "tags")
    for scenario in scenarios:
        if tag and tag not in scenario.tags:
            continue
        row = scenario.summary()
        table.add_row(
            row["id"], row["title"], str(row["turns"]), str(row["max_intensity"]),
            ", ".join(row["pressure_types"]), ", ".join(row["tags"]),
        )
    console.print(table)


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
