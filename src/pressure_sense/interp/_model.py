"""The open-weight model under study: a local Hugging Face causal LM (offline), then its TransformerLens bridge."""

from __future__ import annotations

import inspect
from itertools import takewhile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pressure_sense.interp._extra import InterpError
from pressure_sense.models import EmbeddedModelError, embedded_model_dir, offline_hub

EMBEDDED = "embedded"
"""The default model name: the embedded SmolLM2-135M-Instruct."""


def model_folder(name: str = EMBEDDED) -> Path:
    """The local folder of model `name`: `embedded`, or a Hugging Face model folder (`PATH` or `hf/PATH`)."""
    if name == EMBEDDED:
        try:
            return embedded_model_dir()
        except EmbeddedModelError as error:
            raise InterpError(str(error)) from None
    folder = Path(name.removeprefix("hf/")).expanduser()
    if not (folder / "config.json").is_file():
        raise InterpError(
            f"model {name!r}: no Hugging Face model folder at {folder} (it needs config.json and weights); "
            f"give '{EMBEDDED}' or the folder of a local causal LM"
        )
    return folder


@dataclass
class InterpModel:
    """A causal LM and its tokenizer; `bridge` wraps the model in a TransformerBridge on first use. `generate`
    before that: booting rewires the model in place (and TransformerLens 4.3's cached generation is unreliable)."""

    name: str
    hf_model: Any
    tokenizer: Any
    _bridge: Any = field(default=None, repr=False)
    _cache: Any = field(default=None, repr=False)
    _cached_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def bridge(self) -> Any:
        """The TransformerBridge around `hf_model` (booted once, offline)."""
        if self._bridge is None:
            self._bridge = boot_bridge(self.hf_model, self.tokenizer, self.name)
        return self._bridge

    def generate(self, prompt_ids: list[int], max_new_tokens: int) -> str:
        """Greedy continuation of `prompt_ids` up to the end-of-turn token, as text; the previous call's key-value
        cache is cut back to the common prefix, so each turn of a conversation only encodes its new tokens."""
        import torch
        from transformers import DynamicCache

        if self._bridge is not None:
            raise InterpError("generate responses before the first analysis: the bridge has rewired the model")
        pairs = zip(self._cached_ids, prompt_ids[:-1])  # at least one prompt token stays to encode
        shared = sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1], pairs))
        if self._cache is None or shared == 0:
            self._cache = DynamicCache()
        elif self._cache.get_seq_length() > shared:
            self._cache.crop(shared - self._cache.get_seq_length())  # a negative value removes that many tokens
        # transformers 5.2x calls the cache argument `cache`; earlier 5.x releases `past_key_values`.
        cache_argument = (
            "cache" if "cache" in inspect.signature(self.hf_model.forward).parameters else "past_key_values"
        )
        with torch.no_grad():
            output = self.hf_model.generate(
                torch.tensor([prompt_ids]),
                attention_mask=torch.ones(1, len(prompt_ids), dtype=torch.long),
                **{cache_argument: self._cache},
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            )
        sequence = [int(token) for token in output[0]]
        self._cached_ids = sequence[: self._cache.get_seq_length()]
        return self.tokenizer.decode(sequence[len(prompt_ids) :], skip_special_tokens=True).strip()


def load_interp_model(name: str = EMBEDDED) -> InterpModel:
    """Load model `name` (see `model_folder`) in float32 with eager attention, offline, in eval mode."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    folder = model_folder(name)
    bar = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()
    with offline_hub():
        try:
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            hf_model = AutoModelForCausalLM.from_pretrained(
                folder, local_files_only=True, dtype=torch.float32, attn_implementation="eager"
            )
        except (OSError, ValueError) as error:
            raise InterpError(f"cannot load model {name!r} from {folder}: {error}") from None
        finally:
            if bar:
                transformers_logging.enable_progress_bar()
    if not getattr(tokenizer, "is_fast", False):
        raise InterpError(f"model {name!r}: interp needs a fast tokenizer (tokenizer.json) to align tokens")
    if getattr(tokenizer, "chat_template", None) is None:
        raise InterpError(f"model {name!r} has no chat template; interp replays conversations in it")
    hf_model.eval()
    label = "SmolLM2-135M-Instruct (embedded)" if name == EMBEDDED else name
    return InterpModel(name=label, hf_model=hf_model, tokenizer=tokenizer)


def boot_bridge(hf_model: Any, tokenizer: Any, name: str) -> Any:
    """Wrap a loaded Hugging Face model in a TransformerLens 4.x TransformerBridge (no download)."""
    with offline_hub():
        from transformer_lens.model_bridge import TransformerBridge

        path = str(getattr(hf_model.config, "_name_or_path", "") or name)
        try:
            bridge = TransformerBridge.boot_transformers(path, hf_model=hf_model, tokenizer=tokenizer, device="cpu")
        except (ValueError, NotImplementedError) as error:
            raise InterpError(f"TransformerLens cannot wrap {name!r}: {error}") from None
    bridge.eval()
    return bridge
