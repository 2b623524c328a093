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
from pressure_sense.scenarios._loader import ScenarioError, library_dir, load_scenario, load_scenarios, parse_scenario
from pressure_sense.scenarios._requests import Domain, Generation, Request, RequestSlots
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
from pressure_sense.scenarios._tactics import INTENSITIES, Tactic, TacticLevel
from pressure_sense.scenarios._templates import REQUEST_SLOTS, render, template_problem
from pressure_sense.scenarios._variants import Condition, Mode, Variant, expand, variant_grid

__all__ = [
    "AdaptivePressure", "builtin_factorial", "Condition", "Domain", "expand", "expand_design", "factorial_scenario",
    "FACTORIAL_TAG", "FactorialId", "FactualQuestion", "Generation", "INTENSITIES", "library_dir", "load_request",
    "load_requests", "load_scenario", "load_scenarios", "load_tactic", "load_tactics", "MIXED", "Mode",
    "parse_scenario", "PressureType", "render", "Request", "REQUEST_SLOTS", "requests_dir", "RequestSlots",
    "resolve_requests", "resolve_scenarios", "resolve_tactics", "Scenario", "scenario_yaml", "ScenarioError",
    "Schedule", "Tactic", "TacticLevel", "tactics_dir", "template_problem", "ToolArgument", "ToolResponse",
    "ToolSpec", "Turn", "Variant", "variant_grid", "write_scenarios",
]
