"""Scenario files: schema, loading with precise errors, variants, and the built-in library."""

from pressure_sense.scenarios._loader import (
    ScenarioError,
    library_dir,
    load_scenario,
    load_scenarios,
    parse_scenario,
    resolve_scenarios,
)
from pressure_sense.scenarios._schema import (
    AdaptivePressure,
    FactualQuestion,
    PressureType,
    Scenario,
    ToolArgument,
    ToolResponse,
    ToolSpec,
    Turn,
)
from pressure_sense.scenarios._variants import Variant, expand, variant_grid

__all__ = [
    "AdaptivePressure",
    "FactualQuestion",
    "PressureType",
    "Scenario",
    "ScenarioError",
    "ToolArgument",
    "ToolResponse",
    "ToolSpec",
    "Turn",
    "Variant",
    "expand",
    "library_dir",
    "load_scenario",
    "load_scenarios",
    "parse_scenario",
    "resolve_scenarios",
    "variant_grid",
]
