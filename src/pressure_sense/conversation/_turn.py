"""One turn of a conversation: send a user message, get the answer (with tools in agent mode), record it."""

from __future__ import annotations

from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser, ContentText, ModelOutput
from inspect_ai.solver import Generate, TaskState
from inspect_ai.util import LimitExceededError

from pressure_sense.conversation._records import TurnRecord, append_turn, target_error
from pressure_sense.conversation._scratchpad import split_scratchpad, system_prompt
from pressure_sense.conversation._tools import scenario_tools, tool_events
from pressure_sense.scenarios import Scenario, Variant

AGENT_MAX_STEPS = 4
"""Most model calls an agent makes for one user turn (tool calls, then a final answer)."""


ScenarioIndex = dict[str, Scenario]
"""The scenarios of a task by id, validated once when the task is built."""


def sample_scenario(state: TaskState, scenarios: ScenarioIndex | None = None) -> tuple[Scenario, Variant]:
    """The scenario and variant a sample plays: from the task's index, else validated from its metadata."""
    recorded = state.metadata["scenario"]
    scenario = (scenarios or {}).get(recorded.get("id", ""))
    return scenario or Scenario.model_validate(recorded), Variant.model_validate(state.metadata["variant"])


def start_conversation(state: TaskState, scenario: Scenario, variant: Variant) -> None:
    """Reset the messages to the system prompt, and give an agent its simulated tools."""
    state.messages = [ChatMessageSystem(content=system_prompt(scenario, variant))]
    state.tools = scenario_tools(scenario) if variant.mode == "agent" else []
    state.tool_choice = "auto" if state.tools else None


async def _agent_steps(state: TaskState, generate: Generate) -> TaskState:
    """Generate, run tool calls, and repeat until the agent answers without tools (or the step limit)."""
    for _ in range(AGENT_MAX_STEPS - 1):
        state = await generate(state, tool_calls="single")
        if not state.output.message.tool_calls:
            return state
    state.tool_choice = "none"
    state = await generate(state, tool_calls="none")
    state.tool_choice = "auto"
    return state


async def play_turn(
    state: TaskState,
    generate: Generate,
    scenario: Scenario,
    variant: Variant,
    *,
    index: int,
    user_text: str,
    pressure_types: list[str],
    intensity: int,
    source: str,
) -> TurnRecord:
    """Send one user message, get the target's answer (with tool calls in agent mode), and record it."""
    state.messages.append(ChatMessageUser(content=user_text))
    start = len(state.messages)
    record = TurnRecord(
        index=index, pressure_types=pressure_types, intensity=intensity, user=user_text, raw="", output="",
        source=source,  # type: ignore[arg-type]
    )
    try:
        state = await (_agent_steps(state, generate) if variant.mode == "agent" else generate(state))
    except LimitExceededError:
        raise
    except Exception as exc:  # recorded on the turn, then the sample fails (and Inspect may retry it)
        error = target_error("provider_error", f"{type(exc).__name__}: {exc}")
        append_turn(state, record.model_copy(update={"error": error}))
        raise
    answers = [m for m in state.messages[start:] if isinstance(m, ChatMessageAssistant)]
    texts = [m.text for m in answers if m.text]
    final = answers[-1].text if answers else ""
    if variant.reasoning:
        thoughts = [reasoning for reasoning, _ in map(split_scratchpad, texts) if reasoning]
        reasoning, output = ("\n".join(thoughts) or None), split_scratchpad(final)[1]
    else:
        reasoning, output = None, final.strip()
    record = record.model_copy(
        update={
            "raw": "\n".join(texts),
            "reasoning": reasoning,
            "output": output,
            "tool_events": tool_events(scenario, state.messages[start:]),
            "error": answer_error(state.output, answers),
        }
    )
    append_turn(state, record)
    return record


def answer_error(output: ModelOutput, answers: list[ChatMessageAssistant]) -> str | None:
    """Why the target's answer to a turn is not an ordinary one: the provider's content filter stopped
    its last message, the provider flagged that message as a refusal, or no message of the turn holds
    text or a tool call; None for an ordinary answer."""
    final = answers[-1] if answers else None
    details = output.choices[0].stop_details if output.choices else None
    explanation = (details.explanation if details else None) or output.error
    if output.choices and output.stop_reason == "content_filter":
        return target_error("content_filter", explanation or "the provider stopped the answer on its content filter")
    content = final.content if final is not None and isinstance(final.content, list) else []
    flagged = any(isinstance(part, ContentText) and part.refusal for part in content)
    if flagged or (details is not None and details.type == "refusal"):
        return target_error("refusal", explanation or "the provider flagged the answer as a refusal")
    if not any(message.text.strip() or message.tool_calls for message in answers):
        return target_error("empty", f"no text and no tool call (stop reason {output.stop_reason})")
    return None
