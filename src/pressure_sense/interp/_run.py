"""`run_interp`: load the model, replay the conversations, analyse, and write the page, Parquet and NPZ files."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from pressure_sense.interp._analysis import InterpTables, analyse
from pressure_sense.interp._attention import SEGMENTS
from pressure_sense.interp._capture import ConversationCapture, capture_conversation, view_turn_index
from pressure_sense.interp._conversation import Conversation, scenario_conversation
from pressure_sense.interp._extra import InterpError, require_interp_extra
from pressure_sense.interp._lens import COMPLIANCE_WORDS, REFUSAL_WORDS, LensTokens, head_masking_effects, lens_tokens
from pressure_sense.interp._model import EMBEDDED, InterpModel, load_interp_model
from pressure_sense.interp._page import build_page, findings
from pressure_sense.scenarios import Scenario


@dataclass(frozen=True)
class InterpSettings:
    """How to replay and analyse (defaults are the command line's)."""

    layers: tuple[int, ...] | None = None
    """Layers with CircuitsVis views at the highest-pressure turn; None: first, middle and last."""
    refusal_words: tuple[str, ...] = REFUSAL_WORDS
    compliance_words: tuple[str, ...] = COMPLIANCE_WORDS
    response_tokens: int = 4
    """Query positions for the attention shares: the response start and the next response tokens."""
    max_new_tokens: int = 48
    """Length of each answer the model writes when a scenario is replayed."""
    low_max: int = 2
    """Turns at this intensity or lower are low-intensity (pressure direction, probe)."""
    high_min: int = 4
    """Turns at this intensity or higher are high-intensity."""
    mask_heads: int = 6
    """Heads masked one at a time at the highest-pressure turn (those attending most to it); 0 = none."""
    shuffles: int = 5
    """Label permutations for the probe's shuffled baseline."""
    seed: int = 0
    threads: int = 1
    """CPU threads for torch and BLAS (see `compute_threads`)."""


@contextmanager
def compute_threads(threads: int) -> Iterator[None]:
    """Run the block with `threads` torch intra-op threads and BLAS/OpenMP pools of that size (on a busy shared
    CPU, 2 threads made a SmolLM2 pass 10-25x slower than 1: threads wait at every barrier)."""
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(previous)


@dataclass
class InterpResult:
    """What an interp run wrote and computed."""

    html: Path
    files: list[Path]
    findings: list[str]
    """The page's summary sentences."""
    tables: InterpTables
    head_masking: pd.DataFrame
    captures: list[ConversationCapture] = field(repr=False)


def default_view_layers(n_layers: int) -> tuple[int, ...]:
    """First, middle and last layer."""
    return tuple(sorted({0, n_layers // 2, n_layers - 1}))


def run_interp(
    out: Path, *, scenarios: Sequence[Scenario] = (), stored: Sequence[Conversation] = (), model: str = EMBEDDED,
    settings: InterpSettings = InterpSettings(), progress: Callable[[str], None] = lambda message: None,
) -> InterpResult:  # fmt: skip
    """Replay `stored` conversations and `scenarios` (answered greedily) through `model`; write `interp.html`,
    Parquet and `interp.npz` into `out`. The first conversation gets the turn-by-turn views; the rest of the
    analysis uses every conversation. Raises InterpError (missing extra, model or bad settings)."""
    require_interp_extra()
    if not scenarios and not stored:
        raise InterpError("nothing to replay: give a scenario or a stored conversation")
    with compute_threads(settings.threads):
        return _run(out, list(scenarios), list(stored), model, settings, progress)


def _run(
    out: Path, scenarios: list[Scenario], stored: list[Conversation], model: str, settings: InterpSettings,
    progress: Callable[[str], None],
) -> InterpResult:  # fmt: skip
    progress(f"loading {model}")
    loaded = load_interp_model(model)
    lens = lens_tokens(loaded.tokenizer, settings.refusal_words, settings.compliance_words)
    n_layers = int(loaded.hf_model.config.num_hidden_layers)
    layers = settings.layers if settings.layers is not None else default_view_layers(n_layers)
    wrong = [layer for layer in layers if not 0 <= layer < n_layers]
    if wrong:
        raise InterpError(f"layers {wrong} do not exist; the model has layers 0-{n_layers - 1}")
    conversations = list(stored)
    for number, scenario in enumerate(scenarios, start=1):
        progress(f"answering {scenario.id} ({number}/{len(scenarios)})")
        answer = partial(_answer, loaded, settings.max_new_tokens)
        conversations.append(scenario_conversation(scenario, answer, loaded.name))
    bridge = loaded.bridge
    captures = []
    for number, conversation in enumerate(conversations):
        progress(f"replaying {conversation.key} ({number + 1}/{len(conversations)})")
        views = layers if number == 0 else ()
        capture = capture_conversation(bridge, loaded.tokenizer, conversation, lens, settings.response_tokens, views)
        captures.append(capture)
    progress("analysing")
    tables = analyse(captures, settings.low_max, settings.high_min, settings.shuffles, settings.seed)
    if settings.mask_heads:
        progress(f"masking {settings.mask_heads} heads")
    heads = _mask_top_heads(loaded, captures[0], lens, settings.mask_heads)
    out.mkdir(parents=True, exist_ok=True)
    files = write_tables(out, tables, heads, captures[0])
    progress("writing the page")
    model_facts = {
        "name": loaded.name, "layers": bridge.cfg.n_layers, "heads": bridge.cfg.n_heads, "d_model": bridge.cfg.d_model,
    }  # fmt: skip
    shown = {name: _shown(value) for name, value in {**asdict(settings), "layers": layers, "model": model}.items()}
    summary = findings(tables, heads)
    html = build_page(out / "interp.html", tables, captures, heads, lens, model_facts, shown, files, summary)
    return InterpResult(html=html, files=files, findings=summary, tables=tables, head_masking=heads, captures=captures)


def _shown(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, (tuple, list)) else str(value)


def _answer(model: InterpModel, max_new_tokens: int, messages: list[dict[str, str]]) -> str:
    ids = model.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
    ids = ids["input_ids"] if hasattr(ids, "keys") else ids
    return model.generate([int(i) for i in ids], max_new_tokens)


def _mask_top_heads(model: InterpModel, capture: ConversationCapture, lens: LensTokens, count: int) -> pd.DataFrame:
    """Mask, one at a time, the `count` heads with the largest share on the latest turn at the peak turn."""
    if count <= 0:
        return pd.DataFrame()
    peak = capture.turns[view_turn_index(capture.conversation)]
    latest = peak.shares[:, :, SEGMENTS.index("latest")]  # [layer, head]
    order = np.argsort(latest, axis=None)[::-1][:count]
    top = zip(*np.unravel_index(order, latest.shape))
    heads = [(int(layer), int(head), float(latest[layer, head])) for layer, head in top]
    prompt = peak.tokens.ids[: peak.tokens.start + 1]
    return head_masking_effects(model.bridge, model.tokenizer, prompt, heads, lens)


def write_tables(out: Path, tables: InterpTables, heads: pd.DataFrame, focus: ConversationCapture) -> list[Path]:
    """Write every table as Parquet and the arrays as `interp.npz`; return the paths."""
    frames = {
        "turns": tables.turns,
        "attention_shares": tables.attention,
        "attention_trend": tables.attention_trend,
        "activations": tables.activations,
        "logit_lens": tables.logit_lens,
        "probe": tables.probe,
        "head_masking": heads,
        "behaviour": tables.measures,
        "correlations": tables.correlations,
    }
    paths = [out / f"{name}.parquet" for name in frames]
    for path, frame in zip(paths, frames.values()):
        frame.to_parquet(path, index=False)
    arrays: dict[str, np.ndarray] = {
        "residuals": tables.residuals.astype(np.float32),
        "turn_conversation": tables.turns["conversation"].to_numpy(dtype=str),
        "turn_index": tables.turns["turn_index"].to_numpy(),
        "intensity": tables.turns["intensity"].to_numpy(),
    }
    if tables.direction is not None:
        arrays["pressure_direction"] = tables.direction.direction.astype(np.float32)
        arrays["pressure_midpoint"] = tables.direction.midpoint.astype(np.float32)
    view_turn = focus.view_turn
    if view_turn is not None and view_turn.view is not None:
        arrays["view_labels"] = np.array(view_turn.view.labels, dtype=str)
        for layer, attention in view_turn.views.items():
            arrays[f"view_layer_{layer}"] = attention.astype(np.float32)
    npz = out / "interp.npz"
    np.savez_compressed(npz, **arrays)
    return [*paths, npz]
