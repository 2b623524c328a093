"""The conversation engine: solvers that apply pressure turn by turn, and the records of the turns played."""

from pressure_sense.conversation._beliefs import (
    BELIEFS_KEY,
    BeliefResult,
    Stance,
    StanceCheck,
    answer_stance,
    compare_beliefs,
)
from pressure_sense.conversation._records import (
    TARGET_ERROR_KINDS,
    TURNS_KEY,
    ToolEvent,
    TurnRecord,
    append_turn,
    read_turns,
    target_error_kind,
)
from pressure_sense.conversation._scratchpad import split_scratchpad, system_prompt
from pressure_sense.conversation._solver import (
    ADAPTIVE_KEY,
    AdaptiveOutcome,
    GiveInCheck,
    intensity_schedule,
    pressure_conversation,
)
from pressure_sense.conversation._turn import ScenarioIndex, sample_scenario

__all__ = [
    "ADAPTIVE_KEY", "AdaptiveOutcome", "answer_stance", "append_turn", "BeliefResult", "BELIEFS_KEY",
    "compare_beliefs", "GiveInCheck", "intensity_schedule", "pressure_conversation", "read_turns", "sample_scenario",
    "ScenarioIndex", "split_scratchpad", "Stance", "StanceCheck", "system_prompt", "target_error_kind",
    "TARGET_ERROR_KINDS", "ToolEvent", "TurnRecord", "TURNS_KEY",
]
