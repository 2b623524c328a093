"""The target's system prompt for a scenario played in a variant."""

from __future__ import annotations

from pressure_sense.conversation._scratchpad import SCRATCHPAD_INSTRUCTION
from pressure_sense.scenarios import Scenario, Variant


def describe_tools(scenario: Scenario) -> str:
    """A plain-text list of the persona's declared tools, for chat mode."""
    lines = ["You have these tools. Say which one you would use, and why, when it helps:"]
    for tool in scenario.tools:
        arguments = ", ".join(argument.name for argument in tool.arguments)
        lines.append(f"- {tool.name}({arguments}): {tool.description}")
    return "\n".join(lines)


def system_prompt(scenario: Scenario, variant: Variant) -> str:
    """The persona, plus the tool list in chat mode and the scratchpad instruction when asked."""
    parts = [scenario.persona.strip()]
    if scenario.tools and variant.mode == "chat":
        parts.append(describe_tools(scenario))
    if variant.reasoning:
        parts.append(SCRATCHPAD_INSTRUCTION)
    return "\n\n".join(parts)
