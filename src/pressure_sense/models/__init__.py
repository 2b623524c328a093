"""Models: the embedded default model (an Inspect provider), a lean OpenAI-compatible provider, and name resolution."""

from pressure_sense.models import _lean_openai  # noqa: F401  (registers the lean-openai provider)
from pressure_sense.models._breaker import (
    BREAKER_FAILURES,
    Breaker,
    ModelUnavailable,
    RetryBudget,
    absorb_breakers,
    failing_models,
    failure_counts,
    failures_since,
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
from pressure_sense.models._providers import (
    EMBEDDED_MODEL,
    LOCAL_PROVIDERS,
    PROVIDERS_EXTRA,
    may_return_logprobs,
    small_context,
)
from pressure_sense.models._repetition import RepetitionControl, degeneration
from pressure_sense.models._resolve import (
    ModelResolutionError,
    ProviderStatus,
    ResolvedModel,
    list_models_status,
    load_env,
    provider_of,
    resolve_model,
)

__all__ = [
    "absorb_breakers", "Breaker", "BREAKER_FAILURES", "cache_root", "DEFAULT_REPETITION", "degeneration", "EMBEDDED_MODEL",
    "embedded_model_dir", "EMBEDDED_MODEL_NAME", "EmbeddedModelAPI", "EmbeddedModelError", "failing_models",
    "failure_counts", "failures_since",
    "guard", "list_models_status", "load_env", "LOCAL_PROVIDERS", "may_return_logprobs", "ModelResolutionError",
    "ModelUnavailable", "offline_hub", "provider_of", "PROVIDERS_EXTRA", "ProviderStatus", "RepetitionControl",
    "reset_breakers", "resolve_model", "ResolvedModel", "RetryBudget", "small_context",
]
