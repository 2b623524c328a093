"""Models: the embedded default model (an Inspect provider), a lean OpenAI-compatible provider, and name resolution."""

from pressure_sense.models import _lean_openai  # noqa: F401  (registers the lean-openai provider)
from pressure_sense.models._breaker import (
    BREAKER_FAILURES,
    Breaker,
    ModelUnavailable,
    RetryBudget,
    failing_models,
    guard,
    reset_breakers,
)
from pressure_sense.models._embedded_cache import (
    EMBEDDED_MODEL_NAME,
    EmbeddedModelError,
    cache_root,
    embedded_model_dir,
    offline_hub,
)
from pressure_sense.models._embedded_provider import DEFAULT_REPETITION, EmbeddedModelAPI
from pressure_sense.models._env import load_env
from pressure_sense.models._providers import EMBEDDED_MODEL, LOCAL_PROVIDERS, may_return_logprobs, small_context
from pressure_sense.models._repetition import RepetitionControl, degeneration
from pressure_sense.models._resolve import (
    ModelResolutionError,
    ProviderStatus,
    ResolvedModel,
    list_models_status,
    resolve_model,
)

__all__ = [
    "BREAKER_FAILURES",
    "Breaker",
    "LOCAL_PROVIDERS",
    "ModelUnavailable",
    "RetryBudget",
    "failing_models",
    "guard",
    "reset_breakers",
    "DEFAULT_REPETITION",
    "EMBEDDED_MODEL",
    "EMBEDDED_MODEL_NAME",
    "EmbeddedModelAPI",
    "EmbeddedModelError",
    "ModelResolutionError",
    "ProviderStatus",
    "RepetitionControl",
    "ResolvedModel",
    "cache_root",
    "degeneration",
    "embedded_model_dir",
    "list_models_status",
    "load_env",
    "offline_hub",
    "may_return_logprobs",
    "small_context",
    "resolve_model",
]
