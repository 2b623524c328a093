"""Dynamic batching: gather concurrent async requests and run them as one batch in a worker thread."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")


@dataclass
class _Pending(Generic[RequestT, ResultT]):
    request: RequestT
    future: asyncio.Future[ResultT]


@dataclass
class _LoopState(Generic[RequestT, ResultT]):
    pending: list[_Pending[RequestT, ResultT]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    dispatcher: asyncio.Task[None] | None = None


class DynamicBatcher(Generic[RequestT, ResultT]):
    """Run `run_batch` (requests in, one result each out, in order) on batches of requests given to `submit()`.

    A batch starts when `max_batch_size` requests wait, after `quiet_s` seconds without a new one, or `max_wait_s`
    after its first, and runs on one worker thread while the next gathers; an error goes to its every request.
    """

    def __init__(
        self,
        run_batch: Callable[[Sequence[RequestT]], Sequence[ResultT]],
        max_batch_size: int = 16,
        quiet_s: float = 0.005,
        max_wait_s: float = 0.05,
        executor: Executor | None = None,
    ) -> None:
        if max_batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {max_batch_size}")
        self.run_batch = run_batch
        self.max_batch_size = max_batch_size
        self.quiet_s = quiet_s
        self.max_wait_s = max_wait_s
        self._executor = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="batcher")
        self._states: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, _LoopState[RequestT, ResultT]
        ] = weakref.WeakKeyDictionary()
        self._states_lock = threading.Lock()

    async def submit(self, request: RequestT) -> ResultT:
        """Queue one request and wait for its result from the batch it joins."""
        loop = asyncio.get_running_loop()
        with self._states_lock:
            state = self._states.get(loop) or self._states.setdefault(loop, _LoopState())
        item = _Pending(request, loop.create_future())
        state.pending.append(item)
        state.arrived.set()
        if state.dispatcher is None or state.dispatcher.done():
            state.dispatcher = loop.create_task(self._dispatch(state))
        return await item.future

    async def _dispatch(self, state: _LoopState[RequestT, ResultT]) -> None:
        loop = asyncio.get_running_loop()
        while state.pending:
            await self._gather(state)
            batch = [p for p in state.pending[: self.max_batch_size] if not p.future.done()]
            del state.pending[: self.max_batch_size]
            if not batch:
                continue
            try:
                results = await loop.run_in_executor(self._executor, self.run_batch, [p.request for p in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"batch of {len(batch)} requests returned {len(results)} results")
            except Exception as error:  # every caller of the failed batch sees the error
                for p in batch:
                    if not p.future.done():
                        p.future.set_exception(error)
                continue
            for p, result in zip(batch, results):
                if not p.future.done():
                    p.future.set_result(result)

    async def _gather(self, state: _LoopState[RequestT, ResultT]) -> None:
        """Wait until the batch is full, the queue has been quiet, or the wait cap is hit."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait_s
        while len(state.pending) < self.max_batch_size:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            state.arrived.clear()
            try:
                await asyncio.wait_for(state.arrived.wait(), timeout=min(self.quiet_s, remaining))
            except TimeoutError:
                return
