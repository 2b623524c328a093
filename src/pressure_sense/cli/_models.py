"""`pressure-sense models`: which providers are ready here and what key each needs."""

from __future__ import annotations

from rich.table import Table

from pressure_sense.cli._app import app, console
from pressure_sense.models import PROVIDERS_EXTRA, list_models_status


def _yes_no(value: bool | None, required: bool = True) -> str:
    if value is None:
        return "-"
    return "[green]yes[/]" if value else "[red]no[/]" if required else "no (optional)"


@app.command("models")
def models() -> None:
    """List model providers, an example name, the API key variable each needs and whether it is set."""
    table = Table("provider", "example", "key variable", "key set", "SDK installed", "what")
    rows = list_models_status()
    for row in rows:
        table.add_row(row.provider, row.example, row.key_variable, _yes_no(row.key_present, row.key_required),
                      _yes_no(row.sdk_installed), row.description)
    console.print(table)
    console.print("Keys are read from the environment or a .env file in the working folder (values never shown).")
    if not all(row.sdk_installed for row in rows):
        console.print(f"Missing SDKs for anthropic/google: {PROVIDERS_EXTRA}", markup=False)
