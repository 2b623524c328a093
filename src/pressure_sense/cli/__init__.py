"""The `pressure-sense` command line: thin wrappers over library functions."""

from pressure_sense.cli._app import app
from pressure_sense.cli import _interp  # noqa: F401  (registers commands)
from pressure_sense.cli import _judge_quality  # noqa: F401  (registers commands)
from pressure_sense.cli import _models  # noqa: F401  (registers commands)
from pressure_sense.cli import _results  # noqa: F401  (registers commands)
from pressure_sense.cli import _run  # noqa: F401  (registers commands)
from pressure_sense.cli import _scenarios  # noqa: F401  (registers commands)
from pressure_sense.cli import _store  # noqa: F401  (registers commands)

__all__ = ["app"]
