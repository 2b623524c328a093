"""List prices of a few well-known hosted models, for dry-run cost estimates."""

from __future__ import annotations

from pressure_sense.models import provider_of

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

LOCAL_PROVIDERS = frozenset({"embedded", "hf", "ollama", "mockllm"})
"""Providers that run on the user's machine: no per-token price."""


def price_of(model: str) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens; (0, 0) for local models; None when unknown."""
    provider, _ = provider_of(model)
    if provider.name in LOCAL_PROVIDERS:
        return (0.0, 0.0)
    for prefix in sorted(PRICES_PER_MILLION, key=len, reverse=True):
        if model == prefix or model.startswith(prefix + "-"):
            return PRICES_PER_MILLION[prefix]
    return None
