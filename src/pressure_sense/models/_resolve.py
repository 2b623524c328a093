"""Turn a user-facing model name into an Inspect model string, after checking keys (read from the environment
or a `.env` file, never printed) and SDKs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values, find_dotenv
from inspect_ai.model import GenerateConfig, get_model

from pressure_sense.models._breaker import RetryBudget, guard
from pressure_sense.models._providers import EMBEDDED_MODEL, LOCAL_PROVIDERS, PROVIDERS, PROVIDERS_EXTRA, Provider

_loaded: set[Path] = set()


def load_env(path: Path | str | None = None) -> list[str]:
    """Add the variables of a `.env` file (default: the nearest from the working directory up) to `os.environ`
    without overriding set ones; returns the names (never the values) it added."""
    found = Path(path) if path is not None else Path(find_dotenv(usecwd=True) or ".env")
    if not found.is_file():
        return []
    added: list[str] = []
    for name, value in dotenv_values(found).items():
        if value is not None and name not in os.environ:
            os.environ[name] = value
            added.append(name)
    _loaded.add(found.resolve())
    return added


def load_env_once() -> None:
    """Load the working directory's `.env` the first time it is needed."""
    candidate = find_dotenv(usecwd=True)
    if candidate and Path(candidate).resolve() not in _loaded:
        load_env(candidate)


class ModelResolutionError(ValueError):
    """A model name cannot be used as given; the message says what to do."""


@dataclass(frozen=True)
class ResolvedModel:
    """Everything needed to build the Inspect model for a user-facing name (`model_args` hold no secrets: the
    provider reads the key from `api_key_var`)."""

    inspect_name: str
    model_args: dict[str, Any] = field(default_factory=dict)
    base_url: str | None = None
    api_key_var: str | None = None
    label: str = ""

    def get_model(self, budget: RetryBudget | None = None, **kwargs: Any) -> Any:
        """The Inspect `Model` (kwargs go to `inspect_ai.model.get_model`); a network model gets a retry budget
        (default `RetryBudget()`) under its `config` and a circuit breaker."""
        if self.inspect_name.split("/", 1)[0] in LOCAL_PROVIDERS:
            return get_model(self.inspect_name, base_url=self.base_url, **self.model_args, **kwargs)
        config = (budget or RetryBudget()).config().merge(kwargs.pop("config", None) or GenerateConfig())
        model = get_model(self.inspect_name, base_url=self.base_url, config=config, **self.model_args, **kwargs)
        return guard(model, self.label, self.base_url, self.api_key_var)


def provider_of(name: str) -> tuple[Provider, str]:
    """The provider of a model name and the rest of the name; raises ModelResolutionError listing valid ones."""
    if name in ("embedded", EMBEDDED_MODEL):
        return PROVIDERS["embedded"], EMBEDDED_MODEL.split("/", 1)[1]
    prefix, _, rest = name.partition("/")
    provider = PROVIDERS.get(prefix)
    if provider is None:
        valid = ", ".join(f"{p.name} (e.g. {p.example})" for p in PROVIDERS.values())
        raise ModelResolutionError(f"unknown model provider {prefix!r} in {name!r}; valid providers: {valid}")
    if not rest:
        raise ModelResolutionError(f"model name {name!r} lacks a model after the provider; e.g. {provider.example}")
    return provider, rest


def _first_set(names: tuple[str, ...]) -> str | None:
    return next((var for var in names if os.environ.get(var)), None)


def _missing_key(name: str, variables: tuple[str, ...]) -> ModelResolutionError:
    listed = " or ".join(variables)
    return ModelResolutionError(
        f"model {name!r} needs an API key: set the environment variable {listed} (or put it in a .env file)"
    )


def resolve_model(name: str, base_url: str | None = None, *, check: bool = True, **settings: Any) -> ResolvedModel:
    """Resolve `name` (e.g. `embedded`, `openai/gpt-4o`, `vllm/MODEL`, `compatible/MODEL`, `hf/PATH`).

    `base_url` is an OpenAI-compatible server's URL (ending in /v1); `settings` become Inspect model args.
    With `check`, a missing key, base URL, SDK or local path raises ModelResolutionError naming what to set.
    """
    load_env_once()
    name = name.strip()
    provider, model = provider_of(name)
    if check and not provider.sdk_installed():
        how = PROVIDERS_EXTRA if provider.in_providers_extra else f"pip install {provider.sdk_package}"
        raise ModelResolutionError(
            f"model {name!r} needs the {provider.sdk_package!r} package, which is not installed: {how}"
        )
    if provider.name == "openai-api":
        return _resolve_openai_api(name, model, base_url, check, settings)

    url = base_url or (os.environ.get(provider.base_url_var) if provider.base_url_var else None)
    if provider.base_url_required and not url and check:
        raise ModelResolutionError(
            f"model {name!r} needs the server's URL: pass base_url (e.g. http://localhost:8000/v1) "
            f"or set the environment variable {provider.base_url_var}"
        )
    key_var = _first_set(provider.key_vars) or (provider.key_vars[0] if provider.key_vars else None)
    if provider.key_required and check and _first_set(provider.key_vars) is None:
        raise _missing_key(name, provider.key_vars)
    if provider.name == "hf" and check and not Path(model).expanduser().exists():
        raise ModelResolutionError(
            f"model {name!r}: no local weights at {model!r}; hf/ takes a folder of Hugging Face weights"
        )

    args = dict(settings)
    if provider.inspect_api == "lean-openai" and key_var is not None:
        args.setdefault("api_key_var", key_var)
    return ResolvedModel(
        inspect_name=f"{provider.inspect_api}/{model}",
        model_args=args,
        base_url=url,
        api_key_var=key_var,
        label=name,
    )


def _resolve_openai_api(
    name: str, model: str, base_url: str | None, check: bool, settings: dict[str, Any]
) -> ResolvedModel:
    service, _, service_model = model.partition("/")
    if not service_model:
        raise ModelResolutionError(
            f"model {name!r} must name a service and a model: openai-api/<service>/<model>"
        )
    env_name = service.upper().replace("-", "_")
    key_var, url_var = f"{env_name}_API_KEY", f"{env_name}_BASE_URL"
    if check and not os.environ.get(key_var):
        raise _missing_key(name, (key_var,))
    url = base_url or os.environ.get(url_var)
    if check and not url:
        raise ModelResolutionError(
            f"model {name!r} needs the server's URL: pass base_url or set the environment variable {url_var}"
        )
    return ResolvedModel(
        inspect_name=f"openai-api/{model}", model_args=dict(settings), base_url=url, api_key_var=key_var, label=name
    )


@dataclass(frozen=True)
class ProviderStatus:
    """One row of `pressure-sense models`: is this provider ready to use here?"""

    provider: str
    example: str
    key_variable: str
    key_present: bool | None
    """None when the provider needs no key."""
    key_required: bool
    sdk_installed: bool
    description: str


def list_models_status() -> list[ProviderStatus]:
    """Each provider with its example name, key variable, whether the key is set and the SDK installed."""
    load_env_once()
    rows = []
    for provider in PROVIDERS.values():
        if provider.name == "openai-api":
            key_variable, present = "<SERVICE>_API_KEY", None
        elif provider.key_vars:
            key_variable = " or ".join(provider.key_vars)
            present = _first_set(provider.key_vars) is not None
        else:
            key_variable, present = "-", None
        rows.append(
            ProviderStatus(
                provider=provider.name,
                example=provider.example,
                key_variable=key_variable,
                key_present=present,
                key_required=provider.key_required,
                sdk_installed=provider.sdk_installed(),
                description=provider.description,
            )
        )
    return rows
