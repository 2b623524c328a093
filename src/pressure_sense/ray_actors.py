"""The Ray executor's two actors, apart from `pressure_sense.study` (which imports Inspect): an actor's process
imports only its class's module, so each starts in a fraction of a second."""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict

from pressure_sense.pacing import Pacer


class PermitBroker:
    """Connection permits per model key, shared by every worker: at most `limit` held at once; and start
    slots per key for models given a request rate."""

    def __init__(self) -> None:
        self.pacer = Pacer()
        self.limits: dict[str, int] = {}
        self.held: dict[str, dict[str, str]] = defaultdict(dict)
        self.waiting: dict[str, OrderedDict[str, tuple[str, asyncio.Future[None]]]] = defaultdict(OrderedDict)
        self.peak: dict[str, int] = defaultdict(int)

    def _hold(self, key: str, ticket: str, owner: str) -> None:
        self.held[key][ticket] = owner
        self.peak[key] = max(self.peak[key], len(self.held[key]))

    def _grant(self, key: str) -> None:
        while self.waiting[key] and len(self.held[key]) < self.limits[key]:
            ticket, (owner, future) = self.waiting[key].popitem(last=False)
            if not future.done():
                self._hold(key, ticket, owner)
                future.set_result(None)

    async def acquire(self, key: str, limit: int, owner: str, ticket: str) -> None:
        """Return once `ticket` holds a permit of `key` (the first limit given for a key stays)."""
        limit = self.limits.setdefault(key, limit)
        if not self.waiting[key] and len(self.held[key]) < limit:
            self._hold(key, ticket, owner)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting[key][ticket] = (owner, future)
        await future

    async def release(self, key: str, ticket: str) -> None:
        """Give back a permit, or withdraw a ticket still waiting."""
        self.held[key].pop(ticket, None)
        waiting = self.waiting[key].pop(ticket, None)
        if waiting is not None and not waiting[1].done():
            waiting[1].cancel()
        self._grant(key)

    async def pace(self, key: str, per_second: float) -> None:
        """Return when a request of `key` may start (one start per 1/per_second across the cluster)."""
        await self.pacer.wait(key, per_second)

    async def reclaim(self, owner: str) -> int:
        """Drop every permit and ticket of `owner` (a shard whose worker died); returns how many were held."""
        dropped = 0
        for key in list(self.held):
            for ticket in [t for t, o in self.held[key].items() if o == owner]:
                del self.held[key][ticket]
                dropped += 1
            for ticket in [t for t, (o, _) in self.waiting[key].items() if o == owner]:
                self.waiting[key].pop(ticket)[1].cancel()
            self._grant(key)
        return dropped

    async def stats(self) -> dict[str, dict[str, int]]:
        """Per key: the limit, permits held now and the most ever held at once."""
        return {key: {"limit": self.limits[key], "held": len(self.held[key]), "peak": self.peak[key]} for key in self.limits}


class ProgressBoard:
    """Collects workers' reports until the driver drains them, and the models that failed in each shard attempt."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, list[tuple[str, int, bool]], int]] = []
        self.failures: list[dict] = []

    def report(self, shard_id: str, samples: list[tuple[str, int, bool]], calls: int) -> None:
        self.pending.append((shard_id, samples, calls))

    def drain(self) -> list[tuple[str, list[tuple[str, int, bool]], int]]:
        pending, self.pending = self.pending, []
        return pending

    def report_failures(self, failures: list[dict]) -> None:
        """One attempt's failing models (`models.failures_since`: plain data, so this module imports nothing)."""
        self.failures.extend(failures)

    def drain_failures(self) -> list[dict]:
        failures, self.failures = self.failures, []
        return failures
