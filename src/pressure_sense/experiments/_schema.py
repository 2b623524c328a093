"""Pydantic schema of an experiment file: targets, judge, scenarios, variants and run settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PrivateAttr, field_validator, model_validator

from pressure_sense.judge import TRAINED_JUDGE, JudgeChoice
from pressure_sense.models import ModelResolutionError, RetryBudget, provider_of
from pressure_sense.scenarios import (
    Condition,
    Mode,
    Scenario,
    Schedule,
    Variant,
    expand_design,
    load_tactics,
    resolve_requests,
    resolve_tactics,
    variant_grid,
)
from pressure_sense.yaml_files import StrictModel


def _known_provider(name: str) -> str:
    try:
        provider_of(name)
    except ModelResolutionError as exc:
        raise ValueError(str(exc)) from None
    return name


ModelName = Annotated[str, AfterValidator(_known_provider)]
"""A model name whose provider is known."""
OneOrMore = Annotated[list[str], BeforeValidator(lambda value: [value] if isinstance(value, str) else value)]
"""A list of strings that may be written as one bare string."""


class _Retries(StrictModel):
    """A model's retry budget; unset fields keep `RetryBudget`'s defaults (network models only)."""

    max_retries: int | None = Field(default=None, ge=0)
    """Tries of one call after the first."""
    timeout: int | None = Field(default=None, ge=1)
    """Seconds after a call's first try past which it is not retried."""
    attempt_timeout: int | None = Field(default=None, ge=1)
    """Seconds one try may take."""

    @property
    def budget(self) -> RetryBudget:
        """The retry budget these settings give."""
        return RetryBudget(**self.model_dump(include={"max_retries", "timeout", "attempt_timeout"}, exclude_none=True))


class TargetSpec(_Retries):
    """One model under study, with its own generation settings and retry budget."""

    name: Annotated[str, Field(min_length=1), AfterValidator(_known_provider)]
    """A model name as `resolve_model` takes it (`embedded`, `openai/gpt-4o`, `vllm/MODEL` ...)."""
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    base_url: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    """Other Inspect model args (e.g. `client_timeout` for OpenAI-compatible servers)."""
    max_connections: int | None = Field(default=None, ge=1)
    """Requests to this API model in flight at once (default: the study's `concurrency`); held across a
    Ray cluster."""
    requests_per_minute: float | None = Field(default=None, gt=0)
    """Requests to this API model started per minute, spaced evenly (default: no limit); held across a
    Ray cluster."""


class JudgeSpec(_Retries):
    """The judge model, or several for a panel, how it scores, and the retry budget of its calls."""

    name: str | list[str] = TRAINED_JUDGE
    """`trained` (the shipped offline reader, the default), `trained:PATH` (a reader weights file of `pressure-sense
    judge validate -o`), a model name, a list of them (a panel: every judge scores every rubric), or `none` (no judging)."""
    method: Literal["auto", "json", "logprob", "trained"] = "auto"
    sees_labels: bool = False
    """Show the judge our labels (pressure types, intensity); off by default, so the judge is blind."""
    max_connections: int | None = Field(default=None, ge=1)
    """Requests to each judge API model in flight at once (default: the study's `concurrency`)."""
    requests_per_minute: float | None = Field(default=None, gt=0)
    """Requests to each judge API model started per minute (default: no limit)."""

    _choice: JudgeChoice = PrivateAttr()

    @field_validator("name")
    @classmethod
    def _check_names(cls, name: str | list[str]) -> str | list[str]:
        """Refuse a bad name where it is written (the error names the field `judge.name` and its line)."""
        if name == []:
            raise ValueError("a judge panel needs at least one model")
        JudgeChoice.parse(name)
        return name

    @model_validator(mode="after")
    def _parse_choice(self) -> JudgeSpec:
        """The name(s) and method parsed once into the judge choice the study carries."""
        self._choice = JudgeChoice.parse(self.name, self.method)
        return self

    @property
    def choice(self) -> JudgeChoice:
        """The judge choice: the panel (empty when judging is off) and its method."""
        return self._choice

    @property
    def names(self) -> list[str]:
        """The judges' names as given (one, or the panel); empty when judging is off (`none`)."""
        return self._choice.names


class VariantSpec(StrictModel):
    """Which variants to play: scratchpad on/off/both, chat/agent modes, conditions."""

    reasoning: Literal["on", "off", "both"] = "both"
    modes: list[Mode] = Field(default_factory=lambda: ["chat"], min_length=1)
    conditions: list[Condition] = Field(default_factory=lambda: ["scripted"], min_length=1)

    @field_validator("reasoning", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: Any) -> Any:
        """YAML reads bare on/off as booleans."""
        return {True: "on", False: "off"}.get(value, value) if isinstance(value, bool) else value

    def variants(self) -> list[Variant]:
        """Every variant these settings select, in a stable order."""
        return variant_grid(self.reasoning, list(self.modes), list(self.conditions))


class FactorialSpec(StrictModel):
    """A factorial design: requests x pressure types x intensity schedules, expanded into the study's scenarios."""

    requests: OneOrMore = Field(default_factory=list)
    """Request ids, `tag:NAME` (a tag or a domain) or request files/folders; empty = every built-in request."""
    types: OneOrMore = Field(default_factory=list)
    """Pressure types whose tactics are played; empty = every tactic."""
    schedules: OneOrMore = Field(default_factory=lambda: ["rising"], min_length=1)
    """rising, shuffled, fixed:N or fixed (one conversation per level 1-5)."""
    mixed: bool = False
    """One conversation per request and schedule whose turns cycle through the types, instead of one per type."""
    tactics: OneOrMore = Field(default_factory=list)
    """Tactic files or folders (empty = the built-in tactics)."""

    @field_validator("schedules")
    @classmethod
    def _known_schedules(cls, schedules: list[str]) -> list[str]:
        for text in schedules:
            Schedule.parse(text)
        return schedules

    def expand(self) -> list[Scenario]:
        """The design's scenarios; raises KeyError (unknown request or type) or ScenarioError (bad file)."""
        requests = resolve_requests(self.requests or None)
        tactics = resolve_tactics(self.types or None, load_tactics(list(self.tactics)) if self.tactics else None)
        schedules = [one for text in self.schedules for one in Schedule.parse(text)]
        return expand_design(requests, tactics, schedules, mixed=self.mixed)


class ExecutorSpec(StrictModel):
    """Where the study runs: in this process (default) or as shards on a Ray cluster."""

    kind: Literal["local", "ray"] = "local"
    """`local`: one Inspect process; `ray`: shards run as Inspect evals in Ray tasks (extra `ray`)."""
    address: str | None = None
    """Ray cluster address (`ray://host:10001`, `host:6379` or `auto`); None starts a local Ray instance."""
    shard_size: int = Field(default=8, ge=1)
    """Scenario-variant samples per shard (each shard holds one target)."""
    workers: int | None = Field(default=None, ge=1)
    """Shards in flight at once (default: the cluster's CPUs; a local instance gets this many CPUs)."""
    log_dir: str | None = None
    """Shared log location every worker can write (a folder or an fsspec URL such as s3://...);
    default: the study folder's `logs`."""
    max_retries: int = Field(default=3, ge=0)
    """Times Ray re-runs a shard whose worker died or whose eval did not succeed."""


class Experiment(StrictModel):
    """A whole study as one file describes it; command-line flags may override any field."""

    name: str | None = None
    targets: list[TargetSpec] = Field(default_factory=lambda: [TargetSpec(name="embedded")], min_length=1)
    judge: JudgeSpec = Field(default_factory=JudgeSpec)
    scenarios: OneOrMore = Field(default_factory=list)
    """Scenario ids, `tag:NAME` or paths (relative to the file); empty = the whole library."""
    variants: VariantSpec = Field(default_factory=VariantSpec)
    pressurer: ModelName = "embedded"
    """The model that writes the user turns of adaptive runs (Inspect's `pressurer` role)."""
    simulator: ModelName = "embedded"
    """The model that answers tool calls a scenario leaves to a simulator (`simulate_with: default`)."""
    epochs: int = Field(default=1, ge=1)
    max_turns: int | None = Field(default=None, ge=1)
    concurrency: int = Field(default=16, ge=1)
    """Conversations in flight at once (the embedded model batches them)."""
    out: str = "pressure-sense-runs"
    """Folder under which each study gets its own subfolder of logs, results store and report (relative to the file)."""
    cache: bool = True
    factorial: FactorialSpec | None = None
    """A factorial design whose scenarios the study plays (instead of `scenarios`)."""
    executor: ExecutorSpec = Field(default_factory=ExecutorSpec)
    """How the study is run (`executor: ray`, or a mapping with address, shard_size...)."""

    @field_validator("executor", mode="before")
    @classmethod
    def _short_executor(cls, value: Any) -> Any:
        """The executor may be written as its bare kind."""
        return {"kind": value} if isinstance(value, str) else value

    @field_validator("targets", mode="before")
    @classmethod
    def _short_targets(cls, value: Any) -> Any:
        """A target may be written as its bare name."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("judge", mode="before")
    @classmethod
    def _short_judge(cls, value: Any) -> Any:
        """The judge may be written as a bare name or a list of names."""
        return {"name": value} if isinstance(value, (str, list)) else value
