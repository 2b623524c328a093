"""Batched text generation with a local causal language model (torch, CPU).

Every row of a batch keeps its own sampling settings, stops and random generator, so a request gives
the same result alone or in a batch (up to float rounding). Prompts run in slices (`prefill_tokens`)
and freed heap pages go back to the system (default study peak 3.27 GB -> 2.38 GB; README).
"""

from __future__ import annotations

import ctypes
import inspect
import os
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psutil
from inspect_ai.model import Logprob, TopLogprob

from pressure_sense.models._embedded_cache import offline_hub
from pressure_sense.models._repetition import RepetitionControl, RepetitionTracker, repeated_sentence_cut

StopReason = Literal["stop", "max_tokens", "model_length"]
TRIM_EVERY_STEPS = 16
"""Decoding steps between two `release_freed_memory` calls (each takes a few milliseconds)."""
PREFILL_MIN_COLUMNS = 64
"""The narrowest prefill slice: a wide batch still runs its prompts in slices of this many positions."""

# torch's OpenMP threads sleep instead of spinning (read when torch loads; a value the user set wins): spinning
# threads starve each other on a shared CPU (bench_generation.py: 4 tokens in 16.8 s spinning, 1.3 s passive).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@dataclass(frozen=True)
class GenerationRequest:
    """One prompt (token ids) and how to continue it."""

    prompt_ids: tuple[int, ...]
    max_new_tokens: int = 256
    temperature: float | None = None
    """0 or None: greedy decoding."""
    top_p: float | None = None
    top_k: int | None = None
    seed: int | None = None
    stop_seqs: tuple[str, ...] = ()
    logprobs: bool = False
    top_logprobs: int = 0
    repetition: RepetitionControl = RepetitionControl()
    """Penalties and bans on repeating this answer's own tokens (they never change a first token)."""


@dataclass(frozen=True)
class GenerationResult:
    """Generated text of one request and what ended it."""

    text: str
    stop_reason: StopReason
    stop_sequence: str | None
    logprobs: list[Logprob] | None
    """Of each generated token under the model (temperature 1), with alternatives."""
    output_tokens: int
    """Tokens the model produced, counting an end-of-turn token."""
    batch_rows: int
    """How many requests shared the decoding batch."""
    repetition_stop: bool = False
    """The answer was cut before a sentence it had already repeated `max_sentence_repeats` times."""


try:
    _TRIM = ctypes.CDLL(None).malloc_trim
except (AttributeError, OSError):  # not glibc
    _TRIM = None


def release_freed_memory() -> None:
    """Give freed heap pages back to the system (glibc), such as those the growing cache's tensors leave behind."""
    if _TRIM is not None:
        _TRIM(0)


def physical_cores() -> int:
    """Physical CPU cores available to this process (at least 1)."""
    cores = psutil.cpu_count(logical=False) or os.cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        cores = min(cores, len(os.sched_getaffinity(0)))
    return max(1, cores)


MIN_SHARED_TOKENS = 32
"""One-token requests (a log-probability judge's questions about one case) sharing a prompt prefix this long
run on it computed once; a shorter one saves less than it costs."""
MIN_SHARED_FRACTION = 0.5
"""A request joins a group only if the shared prefix is at least this share of its prompt."""


@dataclass(frozen=True)
class PrefixGroup:
    """Requests (by index) that share their first `shared` prompt tokens; each has at least one more."""

    indices: tuple[int, ...]
    shared: int


def common_prefix_length(a: Sequence[int], b: Sequence[int]) -> int:
    """Number of leading tokens `a` and `b` have in common."""
    return next((n for n, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def _worth_sharing(shared: int, prompt: Sequence[int]) -> bool:
    return shared >= MIN_SHARED_TOKENS and shared >= MIN_SHARED_FRACTION * len(prompt)


def shared_prefix_groups(prompts: Sequence[Sequence[int]], candidates: Sequence[int]) -> list[PrefixGroup]:
    """Groups of two or more `candidates` (indices into `prompts`, sorted by prompt) worth running on a shared
    prefix, which leaves every member at least its last token to run."""
    ordered = sorted(candidates, key=lambda i: tuple(prompts[i]))
    groups: list[PrefixGroup] = []
    current: list[int] = []
    shared = 0
    for index in ordered:
        if current:
            with_next = min(shared, common_prefix_length(prompts[current[0]], prompts[index]))
            if all(_worth_sharing(with_next, prompts[i]) for i in (*current, index)):
                current.append(index)
                shared = with_next
                continue
            _close(groups, current, shared, prompts)
        current, shared = [index], len(prompts[index])
    _close(groups, current, shared, prompts)
    return groups


def _close(groups: list[PrefixGroup], members: list[int], shared: int, prompts: Sequence[Sequence[int]]) -> None:
    if len(members) < 2:
        return
    shared = min(shared, *(len(prompts[i]) - 1 for i in members))
    if all(_worth_sharing(shared, prompts[i]) for i in members):
        groups.append(PrefixGroup(tuple(members), shared))


class EmbeddedEngine:
    """A causal LM and its tokenizer, loaded from a local folder, generating in batches."""

    def __init__(
        self, model_dir: Path, threads: int | None = None, max_batch_tokens: int = 16384, prefill_tokens: int = 4096
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.convert_slow_tokenizer import bytes_to_unicode

        self._torch = torch
        self.set_threads(threads)
        with offline_hub():
            self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
            self.model = AutoModelForCausalLM.from_pretrained(
                model_dir, local_files_only=True, dtype=torch.float32
            )
        self.model.eval()
        forward_parameters = inspect.signature(self.model.forward).parameters
        self._cache_argument = "cache" if "cache" in forward_parameters else "past_key_values"
        self.max_positions: int = int(getattr(self.model.config, "max_position_embeddings", 2048))
        self.max_batch_tokens = max_batch_tokens
        self.prefill_tokens = prefill_tokens
        pad_candidates = (self.tokenizer.pad_token_id, self.tokenizer.eos_token_id)
        self.pad_id = next((int(i) for i in pad_candidates if i is not None), 0)
        self.eos_ids = self._eos_token_ids()
        self._byte_of = {char: byte for byte, char in bytes_to_unicode().items()}  # byte-level BPE alphabet
        self._lock = threading.Lock()

    def set_threads(self, threads: int | None) -> None:
        """Use `threads` torch threads (None: one per physical core). torch applies this process-wide."""
        self._torch.set_num_threads(threads or physical_cores())

    def _eos_token_ids(self) -> frozenset[int]:
        ids: set[int] = set()
        for source in (self.tokenizer.eos_token_id, getattr(self.model.generation_config, "eos_token_id", None)):
            if isinstance(source, int):
                ids.add(source)
            elif isinstance(source, (list, tuple)):
                ids.update(int(i) for i in source)
        return frozenset(ids)

    def chat_prompt_ids(self, messages: list[dict[str, str]]) -> list[int]:
        """Token ids of `messages` (role/content dicts) in the model's chat template, ready to answer."""
        encoded = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        ids = encoded["input_ids"] if hasattr(encoded, "keys") else encoded
        return [int(i) for i in ids]

    def text_ids(self, text: str) -> list[int]:
        """Token ids of plain `text` (no special tokens added)."""
        return [int(i) for i in self.tokenizer(text, add_special_tokens=False)["input_ids"]]

    def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        """Generate for every request, results in request order. One-token requests sharing a long prompt prefix
        (a log-probability judge's questions about one case) run on it computed once; the rest in length-sorted
        batches."""
        one_token = [i for i, r in enumerate(requests) if r.max_new_tokens == 1]
        groups = shared_prefix_groups([r.prompt_ids for r in requests], one_token)
        grouped = {i for group in groups for i in group.indices}
        order = sorted((i for i in range(len(requests)) if i not in grouped), key=lambda i: len(requests[i].prompt_ids))
        results: dict[int, GenerationResult] = {}
        with self._lock, self._torch.inference_mode():
            for group in groups:
                members = [requests[i] for i in group.indices]
                for i, result in zip(group.indices, self._first_tokens_on_shared_prefix(members, group.shared)):
                    results[i] = result
            for chunk in self._chunks(order, requests):
                for i, result in zip(chunk, self._generate_chunk([requests[i] for i in chunk])):
                    results[i] = result
        return [results[i] for i in range(len(requests))]

    def _first_tokens_on_shared_prefix(self, requests: list[GenerationRequest], shared: int) -> list[GenerationResult]:
        """The one token of each request, running their first `shared` prompt tokens once. Endings are
        right-padded: causal attention keeps the padding from a row's last token, whose logits are its prompt's."""
        torch = self._torch
        rows = len(requests)
        cache = self._new_cache()
        prefix = torch.tensor(requests[0].prompt_ids[:shared], dtype=torch.long)[None, :]
        self.model(input_ids=prefix, use_cache=True, logits_to_keep=1, **{self._cache_argument: cache})
        cache.batch_repeat_interleave(rows)
        endings = [r.prompt_ids[shared:] for r in requests]
        width = max(len(e) for e in endings)
        input_ids = torch.full((rows, width), self.pad_id, dtype=torch.long)
        for row, ending in enumerate(endings):
            input_ids[row, : len(ending)] = torch.tensor(ending, dtype=torch.long)
        last = torch.tensor([len(e) - 1 for e in endings], dtype=torch.long)
        kept = torch.unique(last)
        out = self.model(
            input_ids=input_ids,
            position_ids=torch.arange(shared, shared + width, dtype=torch.long).expand(rows, width),
            use_cache=True,
            logits_to_keep=kept,
            **{self._cache_argument: cache},
        )
        column = torch.searchsorted(kept, last)
        results: list[GenerationResult] = []
        for row, request in enumerate(requests):
            logits = out.logits[row, column[row], :].float()
            state = _RowState(RepetitionTracker(request.repetition))
            self._next_token(state, logits, request, self._generator(request.seed))
            results.append(self._result(state, request, rows))
        return results

    def _chunks(self, order: list[int], requests: Sequence[GenerationRequest]) -> list[list[int]]:
        """Split length-sorted requests so that rows x longest prompt stays within the token budget."""
        chunks: list[list[int]] = []
        for i in order:
            if chunks and (len(chunks[-1]) + 1) * len(requests[i].prompt_ids) <= self.max_batch_tokens:
                chunks[-1].append(i)
            else:
                chunks.append([i])
        return chunks

    def _generate_chunk(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        torch = self._torch
        rows = len(requests)
        longest = max(len(r.prompt_ids) for r in requests)
        input_ids = torch.full((rows, longest), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((rows, longest), dtype=torch.long)
        for row, request in enumerate(requests):
            n = len(request.prompt_ids)
            input_ids[row, longest - n :] = torch.tensor(request.prompt_ids, dtype=torch.long)
            attention_mask[row, longest - n :] = 1
        position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)
        generators = [self._generator(r.seed) for r in requests]
        states = [_RowState(RepetitionTracker(r.repetition)) for r in requests]
        active = list(range(rows))  # request index of each row still in the batch
        cache = self._new_cache()
        logits = self._prefill(input_ids, attention_mask, position_ids, cache)  # [row, vocab]
        steps = 0
        next_position = position_ids[:, -1] + 1  # [row]
        while True:
            next_tokens: list[int] = []
            still_active: list[int] = []
            for row, index in enumerate(active):
                token = self._next_token(states[index], logits[row], requests[index], generators[index])
                if token is not None:
                    next_tokens.append(token)
                    still_active.append(row)
            if not still_active:
                break
            keep = torch.tensor(still_active, dtype=torch.long)
            if len(still_active) < len(active):
                cache.batch_select_indices(keep)
                attention_mask = attention_mask[keep]
                next_position = next_position[keep]
            active = [active[row] for row in still_active]
            attention_mask = torch.cat([attention_mask, torch.ones((len(active), 1), dtype=torch.long)], dim=1)
            out = self.model(
                input_ids=torch.tensor(next_tokens, dtype=torch.long)[:, None],
                attention_mask=attention_mask,
                position_ids=next_position[:, None],
                use_cache=True,
                **{self._cache_argument: cache},
            )
            logits = out.logits[:, -1, :].float()
            next_position = next_position + 1
            steps += 1
            if steps % TRIM_EVERY_STEPS == 0:
                release_freed_memory()
        return [self._result(states[i], requests[i], rows) for i in range(rows)]

    def _prefill(self, input_ids: Any, attention_mask: Any, position_ids: Any, cache: Any) -> Any:
        """Run the prompts into `cache` in column slices of at most `prefill_tokens` tokens over all rows
        (the attention of one pass over the whole batch would need rows x heads x prompt^2 floats);
        returns the logits at each row's last prompt token."""
        rows, width = input_ids.shape
        step = max(PREFILL_MIN_COLUMNS, self.prefill_tokens // rows)
        for start in range(0, width, step):
            end = min(width, start + step)
            out = self.model(
                input_ids=input_ids[:, start:end],
                attention_mask=attention_mask[:, :end],
                position_ids=position_ids[:, start:end],
                use_cache=True,
                logits_to_keep=1,
                **{self._cache_argument: cache},
            )
            release_freed_memory()
        return out.logits[:, -1, :].float()

    def _new_cache(self) -> Any:
        from transformers import DynamicCache

        return DynamicCache(config=self.model.config)

    def _generator(self, seed: int | None) -> Any:
        generator = self._torch.Generator()
        generator.manual_seed(seed if seed is not None else random.SystemRandom().randrange(2**63))
        return generator

    def _choose(self, logits: Any, request: GenerationRequest, generator: Any) -> int:
        """Pick the next token: greedy when temperature is 0/None, else sample with top-k/top-p."""
        torch = self._torch
        if not request.temperature:
            return int(torch.argmax(logits))
        scaled = logits / request.temperature
        if request.top_k:
            threshold = torch.topk(scaled, min(request.top_k, scaled.numel())).values[-1]
            scaled = scaled.masked_fill(scaled < threshold, float("-inf"))
        probs = torch.softmax(scaled, dim=-1)
        if request.top_p is not None and 0 < request.top_p < 1:
            sorted_probs, sorted_ids = torch.sort(probs, descending=True)
            before = sorted_probs.cumsum(-1) - sorted_probs
            sorted_probs = sorted_probs.masked_fill(before >= request.top_p, 0.0)
            choice = torch.multinomial(sorted_probs / sorted_probs.sum(), 1, generator=generator)
            return int(sorted_ids[choice])
        return int(torch.multinomial(probs, 1, generator=generator))

    def _next_token(self, state: _RowState, logits: Any, request: GenerationRequest, generator: Any) -> int | None:
        """Choose and record a row's next token; None when it ends the row."""
        token = self._choose(state.repetition.adjust(logits), request, generator)
        self._record(state, token, logits, request)
        return None if self._finished(state, token, request) else token

    def _record(self, state: _RowState, token: int, logits: Any, request: GenerationRequest) -> None:
        """Keep the chosen token; its log-probabilities come from the model's own `logits`, unpenalised."""
        state.token_ids.append(token)
        state.repetition.add(token)
        state.produced += 1
        if not request.logprobs:
            return
        logprobs = self._torch.log_softmax(logits, dim=-1)
        top: list[TopLogprob] = []
        if request.top_logprobs > 0:
            values, ids = self._torch.topk(logprobs, request.top_logprobs)
            top = [TopLogprob(logprob=float(value), **self._token_text(int(i))) for value, i in zip(values, ids)]
        chosen = Logprob(logprob=float(logprobs[token]), top_logprobs=top or None, **self._token_text(token))
        state.logprobs.append(chosen)

    def _token_text(self, token: int) -> dict[str, Any]:
        """The token's text and bytes, as Logprob's `token` and `bytes`."""
        piece = self.tokenizer.convert_ids_to_tokens(token)
        if piece in self.tokenizer.all_special_tokens:
            return {"token": piece, "bytes": list(piece.encode("utf-8"))}
        raw = [self._byte_of[ch] for ch in piece if ch in self._byte_of]
        if len(raw) != len(piece):
            raw = list(self.tokenizer.decode([token]).encode("utf-8"))
        return {"token": bytes(raw).decode("utf-8", errors="replace"), "bytes": raw}

    def _finished(self, state: _RowState, token: int, request: GenerationRequest) -> bool:
        if token in self.eos_ids:
            state.token_ids.pop()
            if state.logprobs:
                state.logprobs.pop()
            state.stop_reason = "stop"
            return True
        if request.stop_seqs and self._hit_stop_sequence(state, request):
            return True
        if request.repetition.max_sentence_repeats and self._hit_repeated_sentence(state, token, request):
            return True
        if len(state.token_ids) >= request.max_new_tokens:
            state.stop_reason = "max_tokens"
            return True
        if len(request.prompt_ids) + len(state.token_ids) >= self.max_positions:
            state.stop_reason = "model_length"
            return True
        return False

    def _hit_stop_sequence(self, state: _RowState, request: GenerationRequest) -> bool:
        text = self.tokenizer.decode(state.token_ids, skip_special_tokens=True)
        hits = [(text.find(s), s) for s in request.stop_seqs if s and s in text]
        if not hits:
            return False
        position, sequence = min(hits)
        state.stop_reason = "stop"
        state.stop_sequence = sequence
        state.cut_at = position
        return True

    def _hit_repeated_sentence(self, state: _RowState, token: int, request: GenerationRequest) -> bool:
        piece = self.tokenizer.decode([token], skip_special_tokens=True)
        if not any(ch in piece for ch in ".!?\n"):  # this token cannot close a sentence
            return False
        text = self.tokenizer.decode(state.token_ids, skip_special_tokens=True)
        cut = repeated_sentence_cut(text, request.repetition.max_sentence_repeats)
        if cut is None:
            return False
        state.stop_reason = "stop"
        state.cut_at = len(text[:cut].rstrip())
        state.repetition_stop = True
        return True

    def _result(self, state: _RowState, request: GenerationRequest, rows: int) -> GenerationResult:
        text = self.tokenizer.decode(state.token_ids, skip_special_tokens=True)
        logprobs = state.logprobs if request.logprobs else None
        if state.cut_at is not None:
            text = text[: state.cut_at]
            if logprobs is not None:
                logprobs = self._logprobs_within(state, state.cut_at)
        return GenerationResult(
            text=text,
            output_tokens=state.produced,
            stop_reason=state.stop_reason,
            stop_sequence=state.stop_sequence,
            logprobs=logprobs,
            batch_rows=rows,
            repetition_stop=state.repetition_stop,
        )

    def _logprobs_within(self, state: _RowState, chars: int) -> list[Logprob]:
        """Logprobs of the tokens that start before character `chars` of the output."""
        for n in range(len(state.logprobs)):
            if len(self.tokenizer.decode(state.token_ids[:n], skip_special_tokens=True)) >= chars:
                return state.logprobs[:n]
        return list(state.logprobs)


@dataclass
class _RowState:
    repetition: RepetitionTracker
    token_ids: list[int] = field(default_factory=list)
    logprobs: list[Logprob] = field(default_factory=list)
    stop_reason: StopReason = "max_tokens"
    stop_sequence: str | None = None
    cut_at: int | None = None
    produced: int = 0
    repetition_stop: bool = False
