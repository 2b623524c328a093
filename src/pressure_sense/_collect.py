"""Run coroutines concurrently and, when one fails, cancel the others before raising its error.

`asyncio.gather` leaves the other calls running after the first failure: their model calls then
finish after Inspect has completed the sample ("ModelEvent ... arrived after complete_sample").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

T = TypeVar("T")


async def collect(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """The results in order; on the first failure every unfinished one is cancelled and awaited,
    then that failure is raised as it was (not wrapped in an ExceptionGroup)."""
    tasks = [asyncio.ensure_future(item) for item in awaitables]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
