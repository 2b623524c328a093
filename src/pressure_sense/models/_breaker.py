"""Fail fast and say why: a retry budget (Inspect retries transient faults within it) for every call to a
network model, and a breaker per model that, open, makes its calls raise ModelUnavailable at once, so a dead
endpoint, a revoked key or an unknown model ends a study in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlparse

import anyio
from inspect_ai.model import GenerateConfig, Model
from pydantic import Field

from pressure_sense.models._providers import LOCAL_PROVIDERS
from pressure_sense.yaml_files import StrictModel

BREAKER_FAILURES = 8
"""Failed tries of one model in a row (no success between them; REQUEST_FAULTS not counted) that open its breaker."""
REQUEST_FAULTS = frozenset({"HTTP 400", "HTTP 413", "HTTP 422", "HTTP 429"})
"""Failures of one request or of the pace (a too-long prompt, a rate limit): they never open a breaker."""
DEFAULT_HOSTS = {"openai": "api.openai.com", "anthropic": "api.anthropic.com", "google": "generativelanguage.googleapis.com"}
"""Where a provider's calls go when no base URL is given."""


class RetryBudget(StrictModel):
    """How long one call to a network model may keep trying (Inspect's retry settings of the same names)."""

    max_retries: int = Field(default=5, ge=0)
    """Tries after the first."""
    timeout: int = Field(default=60, ge=1)
    """Seconds after a call's first try past which a failed try is not retried."""
    attempt_timeout: int = Field(default=90, ge=1)
    """Seconds one try may take before it is abandoned (and retried)."""

    def config(self) -> GenerateConfig:
        """The budget as Inspect generation settings (left out of Inspect's cache key)."""
        return GenerateConfig(
            max_retries=self.max_retries, timeout=self.timeout, attempt_timeout=self.attempt_timeout
        )


class ModelUnavailable(RuntimeError):
    """A model's breaker is open: the call was not made (Inspect does not retry it)."""


def _status_of(error: BaseException) -> int | None:
    """The HTTP status of a provider error (ours, the OpenAI and Anthropic SDKs, httpx), if it has one."""
    for candidate in (getattr(error, "status", None), getattr(error, "status_code", None)):
        if isinstance(candidate, int):
            return candidate
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def failure_kind(error: BaseException) -> str:
    """What went wrong, short: `HTTP 401`, `connection refused`, `cannot connect`, `connection reset`, `timeout`,
    `malformed response`."""
    status = _status_of(error)
    if status is not None and status >= 400:
        return f"HTTP {status}"
    text = f"{type(error).__name__} {error}".lower()
    if "refused" in text:
        return "connection refused"
    if "connecterror" in text:
        return "cannot connect"
    if "timeout" in text or "timed out" in text:
        return "timeout"
    if "malformed" in text or "json" in text or "decode" in text:
        return "malformed response"
    if "connection" in text or "reset" in text or "protocol" in text:
        return "connection reset"
    return type(error).__name__


@dataclass
class Breaker:
    """One model's failures in this process, and whether its calls are stopped."""

    label: str
    """The model as the user named it."""
    model: str
    """The model name the server is asked for."""
    host: str
    key_var: str | None = None
    in_a_row: int = 0
    failed: int = 0
    """Failed tries in all (429s included)."""
    last: str = ""
    """failure_kind of the latest failed try."""
    open: bool = False
    in_flight: set[anyio.CancelScope] = field(default_factory=set, repr=False)
    """The tries under way, cancelled when the breaker opens."""

    def check(self) -> None:
        """Raise ModelUnavailable when the breaker is open."""
        if self.open:
            raise ModelUnavailable(
                f"not called: {self.label} at {self.host} failed {BREAKER_FAILURES} times in a row ({self.last})"
            )

    def succeeded(self) -> None:
        self.in_a_row = 0

    def failed_try(self, error: BaseException) -> None:
        """Count a failed try; BREAKER_FAILURES in a row (REQUEST_FAULTS aside) open the breaker and end the tries
        under way."""
        self.failed += 1
        self.last = failure_kind(error)
        if self.last not in REQUEST_FAULTS:
            self.in_a_row += 1
            if self.in_a_row >= BREAKER_FAILURES and not self.open:
                self.open = True
                for scope in self.in_flight:
                    scope.cancel()

    def advice(self) -> str:
        """What to check for the latest failure."""
        kind = self.last
        if kind in ("HTTP 401", "HTTP 403"):
            return f"check {self.key_var}" if self.key_var else "check the server's API key"
        if kind == "HTTP 404":
            return f"the server does not know model {self.model} (or the base URL is wrong)"
        if kind == "HTTP 429":
            return "rate limited: lower --max-connections or set requests_per_minute"
        if kind.startswith("HTTP 5"):
            return "the server fails: check its logs, or try again later"
        if kind.startswith("HTTP 4"):
            return "the server refuses the requests: see the errors of the samples"
        if kind in ("connection refused", "cannot connect"):
            return f"{kind} at {self.host}: is the server running, is the base URL right?"
        if kind == "timeout":
            return "no answer in time: check the server, or raise --attempt-timeout"
        if kind == "malformed response":
            return "the answers are not chat completions: check the base URL"
        return "see the errors of the samples"

    def line(self) -> str:
        """`MODEL at HOST: KIND, N calls failed: what to check`."""
        return f"{self.label} at {self.host}: {self.last}, {self.failed} calls failed: {self.advice()}"


_breakers: dict[tuple[str, str], Breaker] = {}
_RECORDED = tuple(f.name for f in fields(Breaker) if f.name != "in_flight")
"""The Breaker fields another process is sent (not the tries under way)."""


def breaker_for(label: str, model: str, base_url: str | None, key_var: str | None) -> Breaker:
    """The breaker of a model at a server (one per process)."""
    provider = label.split("/", 1)[0]
    host = urlparse(base_url).netloc if base_url else DEFAULT_HOSTS.get(provider, provider)
    key = (label, host)
    if key not in _breakers:
        _breakers[key] = Breaker(label=label, model=model, host=host, key_var=key_var)
    return _breakers[key]


def failing_models() -> list[Breaker]:
    """The breakers that saw failed tries since the last `reset_breakers`."""
    return [breaker for breaker in _breakers.values() if breaker.failed]


def failure_counts() -> dict[tuple[str, str], int]:
    """Failed tries so far per (model, host) in this process: the mark `failures_since` counts from."""
    return {key: breaker.failed for key, breaker in _breakers.items()}


def failures_since(counts: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    """The breakers that failed since `counts` or are open, as plain data holding only the new failures: what a
    worker sends to the process that shows them (`absorb_breakers`)."""
    return [
        {**{name: getattr(breaker, name) for name in _RECORDED}, "failed": breaker.failed - counts.get(key, 0)}
        for key, breaker in _breakers.items()
        if breaker.open or breaker.failed > counts.get(key, 0)
    ]


def absorb_breakers(records: list[dict[str, Any]]) -> None:
    """Add other processes' failures (`failures_since` of a sharded study's workers) to this process's breakers."""
    for record in records:
        report = Breaker(**record)
        breaker = _breakers.setdefault((report.label, report.host), replace(report, failed=0))
        breaker.failed += report.failed
        breaker.last = report.last or breaker.last
        breaker.open = breaker.open or report.open


def reset_breakers() -> None:
    """Forget every model's failures (at the start of a study)."""
    _breakers.clear()


def guard(model: Model, label: str, base_url: str | None, key_var: str | None) -> Model:
    """`model` with every try of its API passing through the breaker of `label` at `base_url` (looked up at each
    try, so `reset_breakers` reaches memoized models); a local or already guarded model is returned as it is."""
    api = model.api
    generate = api.generate
    if getattr(generate, "guarded", False) or str(model).split("/", 1)[0] in LOCAL_PROVIDERS:
        return model

    async def guarded(*args: Any, **kwargs: Any) -> Any:
        breaker = breaker_for(label, api.model_name, base_url, key_var)
        breaker.check()
        deadline = anyio.current_effective_deadline()  # the try's attempt_timeout, when Inspect set one
        with anyio.CancelScope() as stop:
            breaker.in_flight.add(stop)
            try:
                result = await generate(*args, **kwargs)
            except Exception as error:
                breaker.failed_try(error)
                raise
            except anyio.get_cancelled_exc_class():
                if not stop.cancel_called and anyio.current_time() >= deadline:
                    breaker.failed_try(TimeoutError("no answer within the attempt timeout"))
                raise
            finally:
                breaker.in_flight.discard(stop)
        if stop.cancelled_caught:
            breaker.check()  # the breaker opened while this try was under way
        breaker.succeeded()
        return result

    guarded.guarded = True  # type: ignore[attr-defined]
    api.generate = guarded  # type: ignore[method-assign]
    return model
