"""The Inspect model provider `embedded/smollm2-135m-instruct`: the offline default model.

Importing it loads neither torch nor transformers; the weights load once per process, shared by every
`Model` instance with one dynamic batcher per batch size.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Logprobs,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from pressure_sense.models._batcher import DynamicBatcher
from pressure_sense.models._embedded_cache import EMBEDDED_MODEL_NAME, EmbeddedModelError, embedded_model_dir
from pressure_sense.models._embedded_chat import (
    TOOL_CALL_END,
    fit_context,
    parse_tool_calls,
    plain_messages,
    tool_call_prefill,
    tools_active,
)
from pressure_sense.models._embedded_engine import EmbeddedEngine, GenerationRequest, GenerationResult
from pressure_sense.models._providers import EMBEDDED_MODEL
from pressure_sense.models._repetition import RepetitionControl

DEFAULT_MAX_TOKENS = 256
DEFAULT_BATCH_SIZE = 16
DEFAULT_REPETITION = RepetitionControl(repetition_penalty=1.1, no_repeat_ngram_size=6, max_sentence_repeats=2)
"""Repetition control of the embedded model unless its model args say otherwise: SmolLM2-135M loops
without it (benchmarks/bench_degenerate.py measures the share of looping answers with and without)."""
_REPETITION_ARGS = ("repetition_penalty", "no_repeat_ngram_size", "max_sentence_repeats")
_MODEL_ARGS = ("batch_size", "batch_window_ms", "threads", *_REPETITION_ARGS)

_engine: EmbeddedEngine | None = None
_batchers: dict[tuple[int, float], DynamicBatcher[GenerationRequest, GenerationResult]] = {}
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-model")
"""The one thread that runs batches, so batches of every batcher run one at a time."""
_shared_lock = threading.Lock()


def shared_engine(threads: int | None = None) -> EmbeddedEngine:
    """The process-wide embedded engine, loaded (and cached on disk) on first call; `threads` (torch threads,
    default one per physical core) also re-applies to a loaded engine when given."""
    global _engine
    with _shared_lock:
        if _engine is None:
            _engine = EmbeddedEngine(embedded_model_dir(), threads=threads)
        elif threads is not None:
            _engine.set_threads(threads)
        return _engine


def _shared_batcher(
    engine: EmbeddedEngine, batch_size: int, window_ms: float
) -> DynamicBatcher[GenerationRequest, GenerationResult]:
    with _shared_lock:
        key = (batch_size, window_ms)
        if key not in _batchers:
            _batchers[key] = DynamicBatcher(
                engine.generate, max_batch_size=batch_size, quiet_s=window_ms / 1000, executor=_worker
            )
        return _batchers[key]


class EmbeddedModelAPI(ModelAPI):
    """SmolLM2-135M-Instruct on CPU with dynamic batching, log-probabilities and text tool calls.

    Model args: `batch_size` (most requests per batch, default 16), `batch_window_ms`
    (how long a batch waits for more requests once the queue is quiet, default 5),
    `threads` (torch threads, default: physical cores), and repetition control (see
    `RepetitionControl`; defaults in DEFAULT_REPETITION): `repetition_penalty` (1 = off),
    `no_repeat_ngram_size` (0 = off), `max_sentence_repeats` (0 = off). GenerateConfig's
    `frequency_penalty` and `presence_penalty` apply with OpenAI's meaning.
    """

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        **model_args: Any,
    ) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        if model_name != EMBEDDED_MODEL_NAME:
            raise EmbeddedModelError(
                f"Unknown embedded model '{model_name}'. Valid choice: {EMBEDDED_MODEL}"
            )
        unknown = sorted(set(model_args) - set(_MODEL_ARGS))
        if unknown:
            raise EmbeddedModelError(
                f"Unknown model arg(s) {', '.join(unknown)} for {EMBEDDED_MODEL}. "
                f"Valid model args: {', '.join(_MODEL_ARGS)}"
            )
        self.batch_size = int(model_args.get("batch_size", DEFAULT_BATCH_SIZE))
        if self.batch_size < 1:
            raise EmbeddedModelError(f"batch_size must be at least 1, got {self.batch_size}")
        window_ms = float(model_args.get("batch_window_ms", 5.0))
        threads = model_args.get("threads")
        self.repetition = _repetition_from_args(model_args)
        self.engine = shared_engine(int(threads) if threads else None)
        self.batcher = _shared_batcher(self.engine, self.batch_size, window_ms)

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        """Generate one reply; concurrent calls share a batch."""
        with_tools = tools_active(tools, tool_choice)
        max_new_tokens = max(1, min(config.max_tokens or DEFAULT_MAX_TOKENS, self.engine.max_positions // 2))
        prefill = tool_call_prefill(tool_choice) if with_tools else ""
        prefill_ids = self.engine.text_ids(prefill) if prefill else []
        prompt_ids, truncation = fit_context(
            plain_messages(input, tools, tool_choice),
            self.engine.chat_prompt_ids,
            self.engine.max_positions - max_new_tokens - len(prefill_ids),
        )
        prompt_ids = prompt_ids + prefill_ids
        stop_seqs = tuple(config.stop_seqs or ()) + ((TOOL_CALL_END,) if with_tools else ())
        request = GenerationRequest(
            prompt_ids=tuple(prompt_ids),
            max_new_tokens=max_new_tokens,
            temperature=config.temperature,
            top_p=config.top_p,
            top_k=config.top_k,
            seed=config.seed,
            stop_seqs=stop_seqs,
            logprobs=bool(config.logprobs),
            top_logprobs=(config.top_logprobs or 0) if config.logprobs else 0,
            repetition=replace(
                self.repetition,
                frequency_penalty=config.frequency_penalty or 0.0,
                presence_penalty=config.presence_penalty or 0.0,
            ),
        )
        result = await self.batcher.submit(request)
        text, tool_calls = result.text, []
        if with_tools:
            text = prefill + text + (TOOL_CALL_END if result.stop_sequence == TOOL_CALL_END else "")
            text, tool_calls = parse_tool_calls(text)
        message = ChatMessageAssistant(
            content=text, tool_calls=tool_calls or None, model=self.model_name, source="generate"
        )
        choice = ChatCompletionChoice(
            message=message,
            stop_reason="tool_calls" if tool_calls else result.stop_reason,
            logprobs=None if result.logprobs is None else Logprobs(content=result.logprobs),
        )
        metadata: dict[str, Any] = {"batch_rows": result.batch_rows}
        if result.repetition_stop:
            metadata["repetition_stop"] = True
        if truncation is not None:
            metadata["context_truncated"] = truncation
        return ModelOutput(
            model=self.model_name,
            choices=[choice],
            usage=ModelUsage(
                input_tokens=len(prompt_ids),
                output_tokens=result.output_tokens,
                total_tokens=len(prompt_ids) + result.output_tokens,
            ),
            metadata=metadata,
        )

    async def count_text_tokens(self, text: str) -> int:
        """Exact token count with the model's own tokenizer (no tokenizer download)."""
        return len(self.engine.text_ids(text))

    async def tokenize(self, text: str) -> list[int]:
        """Token ids of `text` with the model's tokenizer."""
        return self.engine.text_ids(text)

    def max_tokens(self) -> int | None:
        """Default reply length."""
        return DEFAULT_MAX_TOKENS

    def max_connections(self) -> int:
        """Two batches' worth: one decoding, the next one gathering."""
        return 2 * self.batch_size

    def connection_key(self) -> str:
        """All instances share one process-wide engine."""
        return EMBEDDED_MODEL


@modelapi(name="embedded")
def embedded() -> type[ModelAPI]:
    """Register `embedded/<model>` with Inspect."""
    return EmbeddedModelAPI


def _repetition_from_args(model_args: dict[str, Any]) -> RepetitionControl:
    """DEFAULT_REPETITION with the repetition model args given; EmbeddedModelError for a bad value."""
    try:
        values = {
            "repetition_penalty": float(model_args.get("repetition_penalty", DEFAULT_REPETITION.repetition_penalty)),
            "no_repeat_ngram_size": int(model_args.get("no_repeat_ngram_size", DEFAULT_REPETITION.no_repeat_ngram_size)),
            "max_sentence_repeats": int(model_args.get("max_sentence_repeats", DEFAULT_REPETITION.max_sentence_repeats)),
        }
        return replace(DEFAULT_REPETITION, **values)
    except (TypeError, ValueError) as error:
        raise EmbeddedModelError(f"Bad repetition model arg for {EMBEDDED_MODEL}: {error}") from error

