"""The solver that plays a sample: scripted or control turns, or adaptive pressure."""

from __future__ import annotations

from inspect_ai.solver import Generate, Solver, TaskState, solver

from pressure_sense.conversation._adaptive import GiveInCheck, play_adaptive
from pressure_sense.conversation._beliefs import StanceCheck, probe_beliefs, record_beliefs
from pressure_sense.conversation._turn import (
    ScenarioIndex,
    play_turn,
    sample_scenario,
    scripted_turn,
    start_conversation,
)


@solver
def pressure_conversation(
    max_turns: int | None = None,
    scenarios: ScenarioIndex | None = None,
    gave_in: GiveInCheck | None = None,
    stance: StanceCheck | None = None,
) -> Solver:
    """Play one sample's conversation according to its variant.

    - scripted / control: the scenario's turns (or their neutral versions) in order;
    - adaptive: a pressurer model writes escalating turns until the target gives in or holds;
    - a scenario with factual questions first asks each question neutrally (the model's belief)
      and then compares the answer to turn N with the belief of question N.
    The target keeps its own full messages (scratchpad included) in its history. `scenarios` is the
    task's scenarios by id (validated once); `gave_in` judges adaptive replies (required for them); `stance`
    reads the belief answers the rules leave unclear (None: they stay unclear).
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        scenario, variant = sample_scenario(state, scenarios)
        if variant.condition == "adaptive":
            if gave_in is None:
                raise ValueError("adaptive variants need a give-in check: build the task with pressure_study")
            start_conversation(state, scenario, variant)
            await play_adaptive(state, generate, scenario, variant, max_turns, gave_in)
            return state
        beliefs = await probe_beliefs(scenario, variant, stance) if scenario.questions else []
        start_conversation(state, scenario, variant)
        turns = []
        for index, turn in enumerate(scenario.turns[:max_turns]):
            user_text, kinds, intensity, source = scripted_turn(turn, variant.condition == "control")
            turns.append(
                await play_turn(
                    state, generate, scenario, variant,
                    index=index, user_text=user_text, pressure_types=kinds, intensity=intensity, source=source,
                )
            )
        if beliefs:
            await record_beliefs(state, scenario, beliefs, turns, stance)
        return state

    return solve
