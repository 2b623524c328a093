"""The dynamic batcher gathers concurrent requests into batches run on a worker thread."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from pressure_sense.models._batcher import DynamicBatcher


class RecordingBatch:
    """A fake batched generate: doubles each number, records batch sizes and threads."""

    def __init__(self, delay_s: float = 0.0, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.threads: set[str] = set()
        self.delay_s = delay_s
        self.fail_on = fail_on

    def __call__(self, requests: list[int]) -> list[int]:
        self.batches.append(list(requests))
        self.threads.add(threading.current_thread().name)
        time.sleep(self.delay_s)
        if self.fail_on is not None and self.fail_on in requests:
            raise ValueError(f"cannot generate {self.fail_on}")
        return [2 * r for r in requests]


def test_concurrent_requests_run_as_one_batch_on_a_worker_thread() -> None:
    run = RecordingBatch()
    batcher = DynamicBatcher(run, max_batch_size=16)

    async def main() -> list[int]:
        return await asyncio.gather(*(batcher.submit(i) for i in range(10)))

    assert asyncio.run(main()) == [2 * i for i in range(10)]
    assert run.batches == [list(range(10))]
    assert threading.main_thread().name not in run.threads


def test_batch_size_cap_splits_requests_in_arrival_order() -> None:
    run = RecordingBatch()
    batcher = DynamicBatcher(run, max_batch_size=8)

    async def main() -> list[int]:
        return await asyncio.gather(*(batcher.submit(i) for i in range(20)))

    assert asyncio.run(main()) == [2 * i for i in range(20)]
    assert [len(b) for b in run.batches] == [8, 8, 4]
    assert [r for b in run.batches for r in b] == list(range(20))


def test_requests_arriving_during_a_batch_form_the_next_batch() -> None:
    run = RecordingBatch(delay_s=0.2)
    batcher = DynamicBatcher(run, max_batch_size=16)

    async def late(i: int) -> int:
        await asyncio.sleep(0.05)
        return await batcher.submit(i)

    async def main() -> list[int]:
        return await asyncio.gather(batcher.submit(0), *(late(i) for i in range(1, 5)))

    assert asyncio.run(main()) == [0, 2, 4, 6, 8]
    assert run.batches == [[0], [1, 2, 3, 4]]


def test_a_batch_leaves_once_the_queue_is_quiet_not_at_the_wait_cap() -> None:
    run = RecordingBatch()
    batcher = DynamicBatcher(run, max_batch_size=16, quiet_s=0.005, max_wait_s=0.05)

    async def late(i: int) -> int:
        await asyncio.sleep(0.03)  # after the quiet window (5 ms), before the cap (50 ms)
        return await batcher.submit(i)

    async def main() -> list[int]:
        return await asyncio.gather(batcher.submit(1), late(2))

    assert asyncio.run(main()) == [2, 4]
    assert run.batches == [[1], [2]], "the first batch did not wait for the cap"


def test_a_failing_batch_fails_its_requests_only() -> None:
    run = RecordingBatch(fail_on=3)
    batcher = DynamicBatcher(run, max_batch_size=4)

    async def main() -> list[object]:
        first = await asyncio.gather(*(batcher.submit(i) for i in range(4)), return_exceptions=True)
        second = await batcher.submit(10)
        return [*first, second]

    results = asyncio.run(main())
    assert all(isinstance(r, ValueError) and "cannot generate 3" in str(r) for r in results[:4])
    assert results[4] == 20


def test_cancelled_request_does_not_break_the_batch() -> None:
    run = RecordingBatch(delay_s=0.05)
    batcher = DynamicBatcher(run, max_batch_size=4)

    async def main() -> list[int]:
        doomed = asyncio.ensure_future(batcher.submit(99))
        await asyncio.sleep(0)
        doomed.cancel()
        return await asyncio.gather(*(batcher.submit(i) for i in range(3)))

    assert asyncio.run(main()) == [0, 2, 4]
    assert run.batches == [[0, 1, 2]]


def test_batcher_survives_a_new_event_loop() -> None:
    run = RecordingBatch()
    batcher = DynamicBatcher(run, max_batch_size=4)
    assert asyncio.run(batcher.submit(1)) == 2
    assert asyncio.run(batcher.submit(2)) == 4


def test_wrong_number_of_results_is_an_error() -> None:
    batcher = DynamicBatcher(lambda requests: [], max_batch_size=4)
    with pytest.raises(RuntimeError, match="returned 0 results"):
        asyncio.run(batcher.submit(1))


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        DynamicBatcher(lambda requests: requests, max_batch_size=0)
