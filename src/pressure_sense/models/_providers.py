"""The table of model providers Pressure-Sense knows: Inspect name, key variable, SDK."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from pressure_sense.models._embedded_cache import EMBEDDED_MODEL_NAME

PROVIDERS_EXTRA = "pip install 'pressure-sense[providers]'"
"""What to install when a provider's SDK is missing."""


@dataclass(frozen=True)
class Provider:
    """One way to reach models: how names map to Inspect and what it needs."""

    name: str
    """The prefix users write, e.g. `openai` in `openai/gpt-4o-mini`."""
    example: str
    description: str
    inspect_api: str = ""
    """The Inspect model API that serves it (default: `name`; `lean-openai` is ours)."""
    key_vars: tuple[str, ...] = ()
    """Environment variables that may hold the key, preferred first."""
    key_required: bool = False
    base_url_var: str | None = None
    """Environment variable read when no base URL is given."""
    base_url_required: bool = False
    sdk_module: str | None = None
    """Module that must import for the provider to work."""
    sdk_package: str | None = None
    """The pip package that provides `sdk_module` (default: `sdk_module`)."""
    in_providers_extra: bool = False
    logprobs: bool = False
    """The provider may return token log-probabilities (so `auto` judging tries them first)."""
    small_context: bool = False
    """Its models have a small context window (quoted texts are cut for them as judges)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "inspect_api", self.inspect_api or self.name)
        object.__setattr__(self, "sdk_package", self.sdk_package or self.sdk_module)

    def sdk_installed(self) -> bool:
        """Whether the provider's SDK can be imported (True when it needs none)."""
        if self.sdk_module is None:
            return True
        try:
            return importlib.util.find_spec(self.sdk_module) is not None
        except ModuleNotFoundError:
            return False


PROVIDERS: dict[str, Provider] = {
    provider.name: provider
    for provider in (
        Provider(
            name="embedded",
            logprobs=True,
            small_context=True,
            example="embedded",
            description="SmolLM2-135M-Instruct shipped with Pressure-Sense; offline, no key",
            sdk_module="transformers",
        ),
        Provider(
            name="openai",
            example="openai/gpt-4o-mini",
            description="OpenAI API",
            key_vars=("OPENAI_API_KEY",),
            key_required=True,
            sdk_module="openai",
        ),
        Provider(
            name="anthropic",
            example="anthropic/claude-3-5-haiku-latest",
            description="Anthropic API",
            key_vars=("ANTHROPIC_API_KEY",),
            key_required=True,
            sdk_module="anthropic",
            in_providers_extra=True,
        ),
        Provider(
            name="google",
            example="google/gemini-2.0-flash",
            description="Google Gemini API",
            key_vars=("GOOGLE_API_KEY", "GEMINI_API_KEY"),
            key_required=True,
            sdk_module="google.genai",
            sdk_package="google-genai",
            in_providers_extra=True,
        ),
        Provider(
            name="ollama",
            logprobs=True,
            example="ollama/llama3.1",
            description="Ollama server (default http://localhost:11434/v1)",
            base_url_var="OLLAMA_BASE_URL",
            sdk_module="openai",
        ),
        Provider(
            name="vllm",
            inspect_api="lean-openai",
            logprobs=True,
            example="vllm/meta-llama/Llama-3.1-8B-Instruct",
            description="a running vLLM server's OpenAI-compatible URL",
            key_vars=("VLLM_API_KEY",),
            base_url_var="VLLM_BASE_URL",
            base_url_required=True,
        ),
        Provider(
            name="compatible",
            inspect_api="lean-openai",
            logprobs=True,
            example="compatible/my-model",
            description="any OpenAI-compatible server (LocalAI, llama.cpp server, LM Studio) at a base URL",
            key_vars=("COMPATIBLE_API_KEY",),
            base_url_var="COMPATIBLE_BASE_URL",
            base_url_required=True,
        ),
        Provider(
            name="openai-api",
            logprobs=True,
            example="openai-api/together/meta-llama/Llama-3-8b-chat-hf",
            description="Inspect's OpenAI-compatible provider: openai-api/<service>/<model>, key <SERVICE>_API_KEY",
            key_required=True,
            base_url_required=True,
            sdk_module="openai",
        ),
        Provider(
            name="hf",
            logprobs=True,
            example="hf/./models/my-local-model",
            description="local Hugging Face weights by path (offline)",
            sdk_module="transformers",
        ),
        Provider(
            name="mockllm",
            example="mockllm/model",
            description="Inspect's mock model, for tests",
        ),
    )
}
"""Every provider by the prefix users write."""

LOCAL_PROVIDERS = frozenset({"embedded", "hf", "llama-cpp-python", "transformer_lens", "mockllm"})
"""Inspect model APIs that run the model inside the process (no network, no retry budget, per-process limits)."""

EMBEDDED_MODEL = f"embedded/{EMBEDDED_MODEL_NAME}"
"""The Inspect name of the embedded default model (alias `embedded`): the one definition."""


def _provider_of_inspect_name(inspect_name: str) -> Provider | None:
    api = inspect_name.split("/", 1)[0]
    return next((provider for provider in PROVIDERS.values() if provider.inspect_api == api), None)


def may_return_logprobs(inspect_name: str) -> bool:
    """Whether the model's provider can return token log-probabilities (local and OpenAI-compatible servers)."""
    provider = _provider_of_inspect_name(inspect_name)
    return bool(provider and provider.logprobs)


def small_context(inspect_name: str) -> bool:
    """Whether the model has a small context (the embedded model): judges cut long quotes for it."""
    provider = _provider_of_inspect_name(inspect_name)
    return bool(provider and provider.small_context)
