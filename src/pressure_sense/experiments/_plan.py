"""Dry run: the conversations, model calls, tokens and cost (at the list prices of a few well-known hosted
models) a study would take, without calling a model."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rich.table import Table

from pressure_sense.experiments._loader import check_replicates
from pressure_sense.experiments._schema import Experiment, TargetSpec
from pressure_sense.models import provider_of
from pressure_sense.scenarios import FactorialId, Scenario, Variant, expand, resolve_scenarios

PRICES_TAKEN = "2025-05"
"""When these list prices were taken (providers' public pricing pages); they change, check before budgeting."""

PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "openai/gpt-4o-mini": (0.15, 0.60),
    "openai/gpt-4o": (2.50, 10.00),
    "openai/gpt-4.1-nano": (0.10, 0.40),
    "openai/gpt-4.1-mini": (0.40, 1.60),
    "openai/gpt-4.1": (2.00, 8.00),
    "anthropic/claude-3-5-haiku": (0.80, 4.00),
    "anthropic/claude-3-5-sonnet": (3.00, 15.00),
    "anthropic/claude-3-7-sonnet": (3.00, 15.00),
    "google/gemini-2.0-flash": (0.10, 0.40),
    "google/gemini-1.5-pro": (1.25, 5.00),
}
"""USD per 1M (input, output) tokens, by model-name prefix (dated snapshots such as -2024-08-06 match)."""

FREE_PROVIDERS = frozenset({"embedded", "hf", "ollama", "mockllm"})
"""Providers (as users write them) whose models run on the user's machine, in process or on a local server: no
per-token price. Not `models.LOCAL_PROVIDERS`, which names Inspect APIs that run in process."""


def price_of(model: str) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens; (0, 0) for local models; None when unknown."""
    provider, _ = provider_of(model)
    if provider.name in FREE_PROVIDERS:
        return (0.0, 0.0)
    for prefix in sorted(PRICES_PER_MILLION, key=len, reverse=True):
        if model == prefix or model.startswith(prefix + "-"):
            return PRICES_PER_MILLION[prefix]
    return None

CHARS_PER_TOKEN = 4
REPLY_TOKENS = 300
"""Assumed length of a target reply (capped by the target's max_tokens); doubled with the scratchpad."""
SCRATCHPAD_PROMPT_TOKENS = 80
RUBRIC_TOKENS = 800
"""Assumed judge instructions (rubric + format) per judge call."""
TURN_JUDGEMENT_TOKENS = 250
CONVERSATION_JUDGEMENT_TOKENS = 400


def _tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class PlannedConversation:
    """One conversation the study would play, with its expected calls and tokens."""

    model: str
    scenario_id: str
    variant: str
    epoch: int
    turns: int
    target_calls: int
    pressurer_calls: int
    judge_calls: int
    """One per turn plus one for the conversation, times the panel size; agent runs add one per turn
    for the action metrics (asked of every judge)."""
    input_tokens: int
    output_tokens: int
    judge_input_tokens: int
    """Per judge model, rubric judgements only."""
    judge_output_tokens: int
    action_calls: int = 0
    """Agent runs: one judge's action-metric calls (every judge makes them; counted in judge_calls too)."""
    action_input_tokens: int = 0
    action_output_tokens: int = 0


@dataclass(frozen=True)
class ModelEstimate:
    """What one model (as target or judge) would be asked to do, and its cost."""

    model: str
    role: str
    conversations: int
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    """None when the model's price is unknown."""


@dataclass
class Plan:
    """The dry-run plan of an experiment."""

    experiment: Experiment
    conversations: list[PlannedConversation]
    models: list[ModelEstimate]
    assumptions: dict[str, str] = field(default_factory=dict)

    @property
    def total_calls(self) -> int:
        """Model calls (targets, pressurers, judges); retries not counted."""
        pressurer = sum(c.pressurer_calls for c in self.conversations)
        return sum(m.calls for m in self.models) + pressurer

    @property
    def total_cost_usd(self) -> float | None:
        costs = [m.cost_usd for m in self.models]
        return None if any(cost is None for cost in costs) else sum(c for c in costs if c is not None)

    def summary_table(self) -> Table:
        """One row per model and role: conversations, calls, tokens, cost."""
        table = Table(title=f"Dry run: {len(self.conversations)} conversations, {self.total_calls} model calls")
        for column in ("model", "role", "conversations", "calls", "input tokens", "output tokens", "cost (USD)"):
            table.add_column(column, justify="left" if column in ("model", "role") else "right")
        for m in self.models:
            cost = "unknown" if m.cost_usd is None else f"{m.cost_usd:.2f}"
            table.add_row(m.model, m.role, str(m.conversations), str(m.calls), f"{m.input_tokens:,}",
                          f"{m.output_tokens:,}", cost)
        pressurer = sum(c.pressurer_calls for c in self.conversations)
        if pressurer:
            table.add_row("(pressurer)", "adaptive user", "", str(pressurer), "", "", "not estimated")
        total = self.total_cost_usd
        table.add_row("total", "", str(len(self.conversations)), str(self.total_calls), "", "",
                      "unknown" if total is None else f"{total:.2f}", style="bold")
        return table

    def conversations_table(self) -> Table:
        """One row per model x scenario x variant (epochs folded into a count)."""
        table = Table(title="Planned conversations")
        for column in ("model", "scenario", "variant", "epochs", "turns", "target calls", "judge calls"):
            table.add_column(
                column, justify="left" if column in ("model", "scenario", "variant") else "right",
                overflow="fold" if column == "scenario" else "ellipsis",
            )  # fmt: skip
        grouped: dict[tuple[str, str, str], list[PlannedConversation]] = defaultdict(list)
        for c in self.conversations:
            grouped[(c.model, c.scenario_id, c.variant)].append(c)
        for (model, scenario, variant), group in grouped.items():
            table.add_row(model, scenario, variant, str(len(group)), str(group[0].turns),
                          str(sum(c.target_calls for c in group)), str(sum(c.judge_calls for c in group)))
        return table


def _conversation(
    target: TargetSpec, scenario: Scenario, variant: Variant, epoch: int, max_turns: int | None, judges: int
) -> PlannedConversation:
    planned = scenario.adaptive.max_turns if variant.condition == "adaptive" and scenario.adaptive else len(scenario.turns)
    turns = min(planned, max_turns) if max_turns else planned
    reply = min(target.max_tokens or REPLY_TOKENS, REPLY_TOKENS) * (2 if variant.reasoning else 1)
    system = _tokens(scenario.persona) + sum(_tokens(t.name + t.description) for t in scenario.tools)
    system += SCRATCHPAD_PROMPT_TOKENS if variant.reasoning else 0
    control = variant.condition == "control"
    user_turns = [_tokens((t.control or t.content) if control else t.content) for t in scenario.turns]
    average_user = sum(user_turns) // len(user_turns)
    users = [user_turns[i] if i < len(user_turns) else average_user for i in range(turns)]
    input_tokens = turn_judge_input = seen_users = 0
    for k in range(turns):
        seen_users += users[k]
        input_tokens += system + seen_users + k * reply
        turn_judge_input += RUBRIC_TOKENS + seen_users + (k + 1) * reply
    judge_input = turn_judge_input + RUBRIC_TOKENS + seen_users + turns * reply
    agent = variant.mode == "agent" and judges > 0  # every judge's action metrics, one call per turn
    action_calls = turns if agent else 0
    action_input = turn_judge_input if agent else 0
    return PlannedConversation(
        model=target.name,
        scenario_id=scenario.id,
        variant=variant.name,
        epoch=epoch,
        turns=turns,
        target_calls=turns,
        pressurer_calls=turns if variant.condition == "adaptive" else 0,
        judge_calls=(turns + 1 + action_calls) * judges,
        input_tokens=input_tokens,
        output_tokens=turns * reply,
        judge_input_tokens=judge_input if judges else 0,
        judge_output_tokens=(turns * TURN_JUDGEMENT_TOKENS + CONVERSATION_JUDGEMENT_TOKENS) if judges else 0,
        action_calls=action_calls,
        action_input_tokens=action_input,
        action_output_tokens=action_calls * TURN_JUDGEMENT_TOKENS,
    )


def _cost(model: str, input_tokens: int, output_tokens: int) -> float | None:
    price = price_of(model)
    return None if price is None else (input_tokens * price[0] + output_tokens * price[1]) / 1e6


def plan_study(experiment: Experiment) -> Plan:
    """Every conversation (target x scenario x variant x epoch) of the experiment's scenarios with expected calls,
    tokens and cost. Retries and agent tool rounds are not counted; tokens are estimated at 4 characters per token
    (see `Plan.assumptions`). Raises ExperimentError when epochs > 1 would repeat a greedily decoded conversation
    (`check_replicates`)."""
    check_replicates(experiment)
    if experiment.factorial is not None:
        chosen = experiment.factorial.expand()
    else:
        chosen = resolve_scenarios(experiment.scenarios or None)
    pairs = expand(chosen, experiment.variants.variants())
    choice = experiment.judge.choice
    conversations = [
        _conversation(target, scenario, variant, epoch, experiment.max_turns, len(choice.model_seats))
        for target in experiment.targets
        for scenario, variant in pairs
        for epoch in range(1, experiment.epochs + 1)
    ]
    models: list[ModelEstimate] = []
    for target in experiment.targets:
        mine = [c for c in conversations if c.model == target.name]
        inputs, outputs = sum(c.input_tokens for c in mine), sum(c.output_tokens for c in mine)
        models.append(ModelEstimate(target.name, "target", len(mine), sum(c.target_calls for c in mine),
                                    inputs, outputs, _cost(target.name, inputs, outputs)))
    for seat in choice.panel:
        judge = seat.label
        if seat.trained:  # scores offline: no model calls, no tokens, no cost
            models.append(ModelEstimate(judge, "judge", len(conversations), 0, 0, 0, 0.0))
            continue
        inputs = sum(c.judge_input_tokens + c.action_input_tokens for c in conversations)
        outputs = sum(c.judge_output_tokens + c.action_output_tokens for c in conversations)
        calls = sum(c.turns + 1 + c.action_calls for c in conversations)
        models.append(ModelEstimate(judge, "judge", len(conversations), calls, inputs, outputs,
                                    _cost(judge, inputs, outputs)))
    assumptions = {
        "tokens": f"{CHARS_PER_TOKEN} characters per token; replies {REPLY_TOKENS} tokens (x2 with scratchpad)",
        "judge": f"{RUBRIC_TOKENS}-token rubric per call; judges see the transcript so far",
        "not counted": "retries, agent tool rounds, pressurer tokens, cache hits",
        "prices": f"list prices taken {PRICES_TAKEN}, USD per 1M tokens; 'unknown' when not in the table",
    }
    if experiment.factorial is not None:
        assumptions = {"design": design_summary(chosen), **assumptions}
    return Plan(experiment=experiment, conversations=conversations, models=models, assumptions=assumptions)


def design_summary(scenarios: list[Scenario]) -> str:
    """`N requests x M pressure types x S schedules = K scenarios, T turns` for expanded scenarios."""
    parts = [FactorialId.parse(s.id) for s in scenarios]
    parts = [p for p in parts if p is not None]
    requests = len({p.request for p in parts})
    kinds = len({p.pressure_type for p in parts})
    schedules = len({p.schedule for p in parts})
    turns = sum(len(s.turns) for s in scenarios)
    return (
        f"factorial: {requests} request(s) x {kinds} pressure type(s) x {schedules} schedule(s) = "
        f"{len(scenarios)} scenario(s), {turns} scripted turns (each played once per variant and epoch)"
    )
