"""The worker's side of the PermitBroker: permits leased from the cluster and handed on within the worker.

A permit taken from the broker stays with this worker while calls here keep using it: a call that ends
hands it straight to the next call waiting here, or keeps it free for the next call, without asking the
broker again. It goes back to the broker when it has lain free for `idle_s` (demand here fell), or at the
first release after `lease_s` (so a busy worker cannot keep permits other workers wait for). A call that
finds no free permit waits for whichever comes first: a permit released here or one granted by the
broker. The worker has at most one request at the broker per model key and asks again while calls still
wait, so at the cluster's limit a request waits at the broker without costing a round trip per call.
Every call in flight holds its own permit, so the limit holds at every instant.

Before permits were handed on, a call that found none free asked the broker and waited there while permits
released here lay idle: at the connection limit every permit paused `idle_s` between calls, and almost
every call cost a broker round trip (benchmarks/bench_scale.py, README).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import defaultdict, deque
from typing import Any

PERMIT_LEASE_S = 10.0
"""How long a worker may keep reusing a permit before giving it back to the broker (the longest another
worker waits for a permit a busy one holds, beyond the calls in flight)."""
PERMIT_IDLE_S = 0.25
"""A leased permit unused this long goes back to the broker."""


class RayPermits:
    """A PermitSource over the cluster's PermitBroker actor (`broker`), for the calls of one shard (`owner`)."""

    def __init__(
        self, broker: Any, owner: str, lease_s: float = PERMIT_LEASE_S, idle_s: float = PERMIT_IDLE_S
    ) -> None:
        self.broker = broker
        self.owner = owner
        self.lease_s = lease_s
        self.idle_s = idle_s
        self._count = 0
        self._expires: dict[str, float] = {}
        self._uses: dict[str, int] = {}
        self._free: dict[str, list[str]] = defaultdict(list)
        self._waiters: dict[str, deque[asyncio.Future[str]]] = defaultdict(deque)
        self._asking: dict[str, asyncio.Task[None]] = {}
        """The request at the broker per key, while one is out."""

    async def acquire(self, key: str, limit: int) -> str:
        free = self._free[key]
        if free:
            return free.pop()  # the most recently used: the others may fall idle and go back
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiters[key].append(waiter)
        if key not in self._asking:
            self._ask_broker(key, limit)
        try:
            return await waiter
        except BaseException:
            if waiter in self._waiters[key]:
                self._waiters[key].remove(waiter)
            elif waiter.done() and not waiter.cancelled():
                self.release(key, waiter.result())  # granted as this call gave up: the next one takes it
            raise

    def _ask_broker(self, key: str, limit: int) -> None:
        self._asking[key] = asyncio.get_running_loop().create_task(self._granted(key, limit))

    async def _granted(self, key: str, limit: int) -> None:
        """Wait for one permit from the broker, hand it on, and ask again while calls here still wait
        (the loop's end cancels a request still out; the shard's end reclaims its permits)."""
        self._count += 1
        ticket = f"{self.owner}:{os.getpid()}:{self._count}"
        try:
            await self.broker.acquire.remote(key, limit, self.owner, ticket)
        except BaseException:
            self.broker.release.remote(key, ticket)
            raise
        finally:
            del self._asking[key]
        self._expires[ticket] = time.monotonic() + self.lease_s
        self._uses[ticket] = 0
        self._hand_on(key, ticket)
        if any(not waiter.done() for waiter in self._waiters[key]):
            self._ask_broker(key, limit)

    def release(self, key: str, ticket: str) -> None:
        if time.monotonic() >= self._expires[ticket]:
            self._give_back(key, ticket)
            return
        self._uses[ticket] += 1
        self._hand_on(key, ticket)

    def _hand_on(self, key: str, ticket: str) -> None:
        """Give a permit to the longest-waiting call here, or keep it free until it falls idle."""
        waiters = self._waiters[key]
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(ticket)
                return
        self._free[key].append(ticket)
        asyncio.get_running_loop().call_later(self.idle_s, self._return_idle, key, ticket, self._uses[ticket])

    def _return_idle(self, key: str, ticket: str, uses: int) -> None:
        """Give a permit back if no call took it since it was released `idle_s` ago."""
        if self._uses.get(ticket) == uses and ticket in self._free[key]:
            self._free[key].remove(ticket)
            self._give_back(key, ticket)

    def _give_back(self, key: str, ticket: str) -> None:
        self._expires.pop(ticket, None)
        self._uses.pop(ticket, None)
        self.broker.release.remote(key, ticket)

    async def pace(self, key: str, per_second: float) -> None:
        await self.broker.pace.remote(key, per_second)
