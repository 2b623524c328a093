"""Scenario files: schema, loading with precise errors, variants, the built-in library, and factorial designs
(requests x tactics x intensity schedules expanded into scenarios)."""

from pressure_sense.scenarios._design import (
    INTENSITIES,
    REQUEST_SLOTS,
    Domain,
    Generation,
    Request,
    RequestSlots,
    Tactic,
    TacticLevel,
)
from pressure_sense.scenarios._expand import (
    MIXED,
    FactorialId,
    Schedule,
    expand_design,
    scenario_yaml,
    write_scenarios,
)
from pressure_sense.scenarios._loader import (
    ScenarioError,
    builtin_factorial,
    library_dir,
    load_request,
    load_requests,
    load_scenario,
    load_scenarios,
    load_tactic,
    load_tactics,
    parse_scenario,
    requests_dir,
    resolve_requests,
    resolve_scenarios,
    resolve_tactics,
    tactics_dir,
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
from pressure_sense.scenarios._variants import Condition, Mode, Variant, expand, variant_grid

__all__ = [
    "AdaptivePressure", "builtin_factorial", "Condition", "Domain", "expand", "expand_design", "FactorialId",
    "FactualQuestion", "Generation", "INTENSITIES", "library_dir", "load_request", "load_requests", "load_scenario",
    "load_scenarios", "load_tactic", "load_tactics", "MIXED", "Mode", "parse_scenario", "PressureType", "Request",
    "REQUEST_SLOTS", "requests_dir", "RequestSlots", "resolve_requests", "resolve_scenarios", "resolve_tactics",
    "Scenario", "scenario_yaml", "ScenarioError", "Schedule", "Tactic", "TacticLevel", "tactics_dir", "ToolArgument",
    "ToolResponse", "ToolSpec", "Turn", "Variant", "variant_grid", "write_scenarios",
]
