"""Generation speed of the embedded model through its Inspect provider: one at a time vs batched.

The same N conversations (a persona and a question each) are answered twice through
`get_model("embedded/smollm2-135m-instruct")` with greedy decoding and a fixed number of
new tokens: first one call at a time, then all N calls concurrently, which the provider's
dynamic batcher runs as shared batches. Prints generated tokens/s for both, the speed-up,
the batch sizes seen, the model load time, the batcher's wait for a lone request and the process's peak RSS.

With `--profile` the same batch runs once more straight on the engine (in this thread, the provider's
default repetition control on) under cProfile, and the functions that took the most own time are
printed: where the target side's decoding time goes.

With `--compare-wait-policy` it runs itself twice, in fresh processes, with torch's OpenMP threads
spinning while they wait (OMP_WAIT_POLICY=ACTIVE, how earlier releases ran) and sleeping (PASSIVE,
the embedded engine's default now), and prints both: the before/after of that change.

Run: nice python benchmarks/bench_generation.py [--conversations 16] [--new-tokens 64] [--batch-size 16] [--threads N]
     [--compare-wait-policy] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import platform
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path

from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, Model, ModelOutput, get_model

import pressure_sense.models._embedded_provider  # noqa: F401  (registers the provider)
from pressure_sense.models._embedded_engine import physical_cores

PERSONAS = [
    "You are a patient maths tutor.",
    "You are a friendly travel agent.",
    "You are a careful pharmacist.",
    "You are an enthusiastic gardening coach.",
]
QUESTIONS = [
    "Explain in detail how a bicycle stays upright.",
    "Describe a full week of meals for a student on a budget.",
    "Write a long story about a lighthouse keeper.",
    "Explain step by step how to plan a small wedding.",
    "Describe the history of the printing press in detail.",
    "Explain how vaccines train the immune system.",
    "Write a detailed guide to starting a vegetable garden.",
    "Explain how a bill becomes a law, step by step.",
]


def conversations(count: int) -> list[list[ChatMessageSystem | ChatMessageUser]]:
    """`count` distinct two-message conversations."""
    return [
        [
            ChatMessageSystem(content=PERSONAS[i % len(PERSONAS)]),
            ChatMessageUser(content=f"{QUESTIONS[i % len(QUESTIONS)]} (request {i})"),
        ]
        for i in range(count)
    ]


async def one_at_a_time(model: Model, inputs: list, config: GenerateConfig) -> list[ModelOutput]:
    return [await model.generate(messages, config=config) for messages in inputs]


async def all_at_once(model: Model, inputs: list, config: GenerateConfig) -> list[ModelOutput]:
    return list(await asyncio.gather(*(model.generate(messages, config=config) for messages in inputs)))


def measure(label: str, run, model: Model, inputs: list, config: GenerateConfig) -> tuple[float, list[ModelOutput]]:
    start, cpu = time.perf_counter(), time.process_time()
    outputs = asyncio.run(run(model, inputs, config))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    tokens = sum(o.usage.output_tokens for o in outputs if o.usage)
    rows = sorted({o.metadata["batch_rows"] for o in outputs if o.metadata})
    print(f"{label:<15} {tokens:>6} tokens in {elapsed:7.2f} s = {tokens / elapsed:7.1f} tokens/s, "
          f"{1000 * cpu / tokens:.1f} ms CPU per token  (batch sizes seen: {rows})")
    return tokens / elapsed, outputs


def print_profile(profiler: cProfile.Profile, top: int = 8) -> None:
    """The `top` functions by own time, with their share of the profiled time."""
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
    print(f"where one engine batch's {total:.1f} s went (own time, under cProfile):")
    for (file, line, name), (_, calls, own, _cumulative, _) in rows:
        where = name if file == "~" else f"{Path(file).name}:{line}({name})"
        print(f"  {own:7.2f} s {own / total:6.1%}  {calls:>7} calls  {where}")


def profile_engine(inputs: list, new_tokens: int) -> None:
    """Profile one engine batch of `inputs`, greedy, `new_tokens` each, and print where the time went."""
    from pressure_sense.models._embedded_engine import GenerationRequest
    from pressure_sense.models._embedded_provider import DEFAULT_REPETITION, shared_engine

    engine = shared_engine()
    requests = [
        GenerationRequest(
            prompt_ids=tuple(engine.chat_prompt_ids([{"role": m.role, "content": m.text} for m in messages])),
            max_new_tokens=new_tokens,
            repetition=DEFAULT_REPETITION,
        )
        for messages in inputs
    ]
    profiler = cProfile.Profile()
    profiler.enable()
    engine.generate(requests)
    profiler.disable()
    print_profile(profiler)


def compare_wait_policies(argv: list[str]) -> None:
    """Run this benchmark with each OpenMP wait policy in a fresh process and print the figures of both."""
    for label, policy in (("before", "ACTIVE"), ("after", "PASSIVE")):
        print(f"--- {label}: OMP_WAIT_POLICY={policy}", flush=True)
        env = {**os.environ, "OMP_WAIT_POLICY": policy}
        done = subprocess.run([sys.executable, __file__, *argv], env=env, capture_output=True, text=True, check=False)
        figures = [line for line in done.stdout.splitlines() if not line.startswith(("inspect_ai", "- hooks", "  "))]
        print("\n".join(figures) or done.stderr[-2000:], flush=True)


def lone_request_wait_ms(repeats: int = 20) -> float:
    """Median wait of one request alone in the dynamic batcher (instant batch function): its gather window."""
    from pressure_sense.models._batcher import DynamicBatcher

    batcher = DynamicBatcher(lambda requests: requests, max_batch_size=16)

    async def one() -> float:
        start = time.perf_counter()
        await batcher.submit(0)
        return time.perf_counter() - start

    waits = sorted(asyncio.run(one()) for _ in range(repeats))
    return waits[len(waits) // 2] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: physical cores)")
    parser.add_argument("--compare-wait-policy", action="store_true", help="OpenMP threads spinning vs sleeping")
    parser.add_argument("--profile", action="store_true", help="profile the batched pass and print the top functions")
    args = parser.parse_args()
    if args.compare_wait_policy:
        compare_wait_policies([arg for arg in sys.argv[1:] if arg != "--compare-wait-policy"])
        return
    import torch  # after the provider, which sets the OpenMP wait policy before torch loads

    start = time.perf_counter()
    model_args = {"batch_size": args.batch_size} | ({"threads": args.threads} if args.threads else {})
    model = get_model("embedded/smollm2-135m-instruct", **model_args)
    load_s = time.perf_counter() - start
    print(f"machine: {platform.machine()}, {physical_cores()} physical cores, torch threads {torch.get_num_threads()}, "
          f"OMP_WAIT_POLICY {os.environ.get('OMP_WAIT_POLICY')}, load average {os.getloadavg()[0]:.1f}")
    print(f"model load (cache warm unless first run): {load_s:.1f} s")
    print(f"batcher gather window: a lone request waits {lone_request_wait_ms():.1f} ms (median of 20)")
    print(f"workload: {args.conversations} conversations, {args.new_tokens} new tokens each, greedy, batch_size {args.batch_size}")

    config = GenerateConfig(max_tokens=args.new_tokens, temperature=0)
    inputs = conversations(args.conversations)
    asyncio.run(model.generate(inputs[0], config=GenerateConfig(max_tokens=4, temperature=0)))  # warm-up
    serial_rate, serial = measure("one at a time", one_at_a_time, model, inputs, config)
    batched_rate, batched = measure("batched", all_at_once, model, inputs, config)
    if args.profile:
        profile_engine(inputs, args.new_tokens)
    same = sum(a.completion == b.completion for a, b in zip(serial, batched))
    print(f"speed-up batched / one at a time: {batched_rate / serial_rate:.2f}x")
    print(f"identical greedy outputs (batched vs one at a time): {same}/{len(inputs)}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
