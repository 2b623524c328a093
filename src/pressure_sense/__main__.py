"""`python -m pressure_sense` runs the command line."""

from pressure_sense.cli import app

app()
