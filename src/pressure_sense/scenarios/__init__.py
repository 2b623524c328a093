"""Scenario files: schema, loading with precise errors, variants, the built-in library, and factorial designs
(requests x tactics x intensity schedules expanded into scenarios)."""

from pressure_sense.scenarios._design_files import (
    load_request,
    load_requests,
    load_tactic,
    load_tactics,
    requests_dir,
    resolve_requests,
    resolve_tactics,
    tactics_dir,
)
from pressure_sense.scenarios._expand import (
    FACTORIAL_TAG,
    MIXED,
    FactorialId,
    Schedule,
    expand_design,
    scenario_yaml,
    write_scenarios,
)
from pressure_sense.scenarios._loader import (
    ScenarioError,
    library_dir,
    load_scenario,
    load_scenarios,
    parse_scenario,
)
from pressure_sense.scenarios._resolve import builtin_factorial, factorial_scenario, resolve_scenarios
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
from pressure_sense.scenarios._requests import Domain, Generation, Request, RequestSlots
from pressure_sense.scenarios._tactics import INTENSITIES, Tactic, TacticLevel
from pressure_sense.scenarios._templates import REQUEST_SLOTS, render, template_problem
from pressure_sense.scenarios._variants import Variant, expand, variant_grid

__all__ = [
    "Domain",
    "FACTORIAL_TAG",
    "FactorialId",
    "Generation",
    "INTENSITIES",
    "MIXED",
    "REQUEST_SLOTS",
    "Request",
    "RequestSlots",
    "Schedule",
    "Tactic",
    "TacticLevel",
    "builtin_factorial",
    "expand_design",
    "factorial_scenario",
    "load_request",
    "load_requests",
    "load_tactic",
    "load_tactics",
    "render",
    "requests_dir",
    "resolve_requests",
    "resolve_tactics",
    "scenario_yaml",
    "tactics_dir",
    "template_problem",
    "write_scenarios",
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
