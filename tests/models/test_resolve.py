"""Model-name resolution: providers, keys from the environment or .env, SDK checks, status table."""

from __future__ import annotations

import pytest

from pressure_sense.models import _resolve
from pressure_sense.models._providers import PROVIDERS
from pressure_sense.models._resolve import ModelResolutionError, list_models_status, resolve_model

KEY_VARS = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY", "VLLM_API_KEY",
            "VLLM_BASE_URL", "COMPATIBLE_API_KEY", "COMPATIBLE_BASE_URL", "TOGETHER_API_KEY", "TOGETHER_BASE_URL"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No keys in the environment and no .env in reach."""
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(_resolve, "_loaded", set())


def test_embedded_alias_and_full_name():
    for name in ("embedded", "embedded/smollm2-135m-instruct"):
        resolved = resolve_model(name)
        assert resolved.inspect_name == "embedded/smollm2-135m-instruct"
        assert resolved.api_key_var is None and resolved.label == name


def test_openai_needs_its_key(monkeypatch):
    with pytest.raises(ModelResolutionError, match="OPENAI_API_KEY"):
        resolve_model("openai/gpt-4o-mini")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    resolved = resolve_model("openai/gpt-4o-mini", temperature_hint=1)
    assert resolved.inspect_name == "openai/gpt-4o-mini"
    assert resolved.api_key_var == "OPENAI_API_KEY"
    assert "sk-from-env" not in repr(resolved)


def test_key_from_dotenv_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-from-dotenv\n")
    resolved = resolve_model("openai/gpt-4o")
    assert resolved.api_key_var == "OPENAI_API_KEY"
    import os

    assert os.environ["OPENAI_API_KEY"] == "sk-from-dotenv"


def test_dotenv_never_overrides_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-wins")
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-dotenv\nOTHER_PS_VAR=1\n")
    added = _resolve.load_env(tmp_path / ".env")
    import os

    assert added == ["OTHER_PS_VAR"] and os.environ["OPENAI_API_KEY"] == "sk-env-wins"
    monkeypatch.delenv("OTHER_PS_VAR")


def test_unknown_provider_lists_the_valid_ones():
    with pytest.raises(ModelResolutionError) as info:
        resolve_model("opnai/gpt-4o")
    message = str(info.value)
    assert "'opnai'" in message
    for name in PROVIDERS:
        assert name in message


def test_missing_model_after_provider():
    with pytest.raises(ModelResolutionError, match="e.g. openai/gpt-4o-mini"):
        resolve_model("openai/")


@pytest.mark.parametrize(("name", "package"), [("anthropic/claude-3-5-haiku-latest", "anthropic"),
                                               ("google/gemini-2.0-flash", "google-genai")])
def test_missing_sdk_says_what_to_install(monkeypatch, name, package):
    provider = PROVIDERS[name.split("/")[0]]
    monkeypatch.setattr(type(provider), "sdk_installed", lambda self: False)
    with pytest.raises(ModelResolutionError) as info:
        resolve_model(name)
    assert package in str(info.value) and "pip install 'pressure-sense[providers]'" in str(info.value)


def test_google_accepts_either_key(monkeypatch):
    monkeypatch.setattr(type(PROVIDERS["google"]), "sdk_installed", lambda self: True)
    with pytest.raises(ModelResolutionError, match="GOOGLE_API_KEY or GEMINI_API_KEY"):
        resolve_model("google/gemini-2.0-flash")
    monkeypatch.setenv("GEMINI_API_KEY", "g")
    assert resolve_model("google/gemini-2.0-flash").api_key_var == "GEMINI_API_KEY"


def test_vllm_and_compatible_go_to_the_lean_provider(monkeypatch):
    with pytest.raises(ModelResolutionError, match="VLLM_BASE_URL"):
        resolve_model("vllm/meta-llama/Llama-3.1-8B-Instruct")
    monkeypatch.setenv("VLLM_BASE_URL", "http://gpu:8000/v1")
    resolved = resolve_model("vllm/meta-llama/Llama-3.1-8B-Instruct")
    assert resolved.inspect_name == "lean-openai/meta-llama/Llama-3.1-8B-Instruct"
    assert resolved.base_url == "http://gpu:8000/v1"
    assert resolved.model_args == {"api_key_var": "VLLM_API_KEY"}
    compatible = resolve_model("compatible/qwen2.5-7b", base_url="http://localhost:1234/v1", client_timeout=60)
    assert compatible.inspect_name == "lean-openai/qwen2.5-7b"
    assert compatible.model_args == {"api_key_var": "COMPATIBLE_API_KEY", "client_timeout": 60}
    with pytest.raises(ModelResolutionError, match="COMPATIBLE_BASE_URL"):
        resolve_model("compatible/qwen2.5-7b")


def test_openai_api_service_form(monkeypatch):
    with pytest.raises(ModelResolutionError, match="TOGETHER_API_KEY"):
        resolve_model("openai-api/together/meta-llama/Llama-3-8b")
    monkeypatch.setenv("TOGETHER_API_KEY", "t")
    with pytest.raises(ModelResolutionError, match="TOGETHER_BASE_URL"):
        resolve_model("openai-api/together/meta-llama/Llama-3-8b")
    resolved = resolve_model("openai-api/together/meta-llama/Llama-3-8b", base_url="https://api.together.xyz/v1")
    assert resolved.inspect_name == "openai-api/together/meta-llama/Llama-3-8b"
    assert resolved.api_key_var == "TOGETHER_API_KEY"
    with pytest.raises(ModelResolutionError, match="openai-api/<service>/<model>"):
        resolve_model("openai-api/justone")


def test_ollama_defaults_to_localhost():
    resolved = resolve_model("ollama/llama3.1")
    assert resolved.inspect_name == "ollama/llama3.1" and resolved.base_url is None


def test_hf_needs_an_existing_local_path(tmp_path):
    with pytest.raises(ModelResolutionError, match="no local weights"):
        resolve_model(f"hf/{tmp_path / 'absent'}")
    (tmp_path / "weights").mkdir()
    assert resolve_model(f"hf/{tmp_path / 'weights'}").inspect_name == f"hf/{tmp_path / 'weights'}"


def test_unchecked_resolution_for_planning():
    resolved = resolve_model("openai/gpt-4o", check=False)
    assert resolved.inspect_name == "openai/gpt-4o"


def test_status_rows(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    rows = {row.provider: row for row in list_models_status()}
    assert set(rows) == set(PROVIDERS)
    assert rows["openai"].key_present is True and rows["openai"].key_variable == "OPENAI_API_KEY"
    assert rows["anthropic"].key_present is False
    assert rows["embedded"].key_present is None
    assert rows["openai"].sdk_installed is True
    assert all("sk-x" not in repr(row) for row in rows.values())


def test_resolved_lean_model_talks_to_the_server(monkeypatch):
    import asyncio

    from tests.fakes.openai_server import FakeOpenAIServer

    monkeypatch.setenv("COMPATIBLE_API_KEY", "local-key")
    with FakeOpenAIServer() as server:
        model = resolve_model("compatible/tiny", base_url=server.base_url).get_model(memoize=False)

        async def go():
            try:
                return await model.generate("ping")
            finally:
                await model.api.aclose()

        output = asyncio.run(go())
    assert output.completion == "Echo 1: ping"
    assert server.authorization_headers == {"Bearer local-key"}
