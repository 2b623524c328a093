"""Request pacing: starts of a model key at least 1/rate apart, the same logic for one process and a cluster.

Imports nothing but the standard library, so the Ray permit actor can use it without loading Inspect.
"""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """Lets requests of a key start at most `per_second` times a second, one after another.

    Each start is `1 / per_second` after the one before it (counted from when that one really started,
    so a late wake-up delays the next start instead of bunching two); the first, or one after an idle
    spell, starts at once. No burst is saved up while idle."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, key: str, per_second: float) -> None:
        """Return when a request of `key` may start."""
        async with self._locks.setdefault(key, asyncio.Lock()):
            delay = self._next.get(key, 0.0) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next[key] = time.monotonic() + 1.0 / per_second
