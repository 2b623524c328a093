"""One connection limit per model across a cluster: Inspect's concurrency registry, backed by a permit source.

Inspect holds a slot of the model's connection semaphore (`max_connections`, keyed by the model's
connection pool: provider + endpoint or account) around every API call, its retries and Retry-After
waits included. This module swaps that semaphore, for model APIs reached
over the network, for one that takes its slots from a `PermitSource` shared by every worker (the
Ray executor's permit actor), so N workers together never exceed the limit. Local models (the
embedded model, `hf/`) keep Inspect's per-process semaphore: each worker has its own copy.
The registry is installed by a hook when a run starts, in processes where `install_permits` was
called; elsewhere Inspect is untouched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Protocol

from inspect_ai.hooks import Hooks, RunStart, hooks
from inspect_ai.util._concurrency import ConcurrencySemaphore, _AnyIOSemaphoreRegistry, init_concurrency

LOCAL_PROVIDERS = frozenset({"embedded", "hf", "llama-cpp-python", "transformer_lens", "mockllm"})
"""Inspect providers that run the model inside the worker: their limit stays per process."""
MODEL_KEY_PREFIX = "Model"
"""Inspect's prefix for the keys of model connection semaphores (`model_concurrency_key`)."""


class PermitSource(Protocol):
    """Hands out connection permits shared by every worker of a study."""

    async def acquire(self, key: str, limit: int) -> str:
        """Wait for one of `limit` permits of `key`; returns a ticket to release it with."""
        ...

    def release(self, key: str, ticket: str) -> None:
        """Give a permit back (without waiting)."""
        ...


class GlobalSemaphore:
    """An Inspect ConcurrencySemaphore whose slots are permits of a PermitSource."""

    def __init__(self, name: str, key: str, concurrency: int, visible: bool, source: PermitSource) -> None:
        self.name = name
        self.key = key
        self.concurrency = concurrency
        self.visible = visible
        self.semaphore = self
        self._source = source
        self._tickets: dict[asyncio.Task[Any] | None, list[str]] = {}

    @property
    def in_use(self) -> int:
        """Permits this process holds now."""
        return sum(len(tickets) for tickets in self._tickets.values())

    @property
    def value(self) -> int:
        return max(0, self.concurrency - self.in_use)

    async def __aenter__(self) -> GlobalSemaphore:
        ticket = await self._source.acquire(self.key, self.concurrency)
        self._tickets.setdefault(asyncio.current_task(), []).append(ticket)
        return self

    async def __aexit__(self, *_: object) -> None:
        task = asyncio.current_task()
        tickets = self._tickets.get(task)
        if not tickets:
            return
        self._source.release(self.key, tickets.pop())
        if not tickets:
            del self._tickets[task]


def is_global(name: str, key: str) -> bool:
    """Whether a concurrency context is a network model's connection pool (limited across the cluster)."""
    provider = name.split("/", 1)[0]
    return key.startswith(MODEL_KEY_PREFIX) and "/" in name and provider not in LOCAL_PROVIDERS


class GlobalLimitRegistry:
    """Inspect's concurrency registry with network models' semaphores taken from a PermitSource."""

    def __init__(self, source: PermitSource) -> None:
        self._source = source
        self._local = _AnyIOSemaphoreRegistry()
        self._global: dict[str, GlobalSemaphore] = {}

    async def get_or_create(
        self,
        name: str,
        concurrency: int,
        key: str | None,
        visible: bool,
        adaptive: Any = None,
        resizable: bool = False,
    ) -> ConcurrencySemaphore:
        base = key or name
        if adaptive is not None or not is_global(name, base):
            return await self._local.get_or_create(name, concurrency, key, visible, adaptive, resizable)
        if base not in self._global:
            self._global[base] = GlobalSemaphore(name, base, concurrency, visible, self._source)
        return self._global[base]

    def values(self) -> Iterable[ConcurrencySemaphore]:
        return [*self._local.values(), *self._global.values()]


_permits: PermitSource | None = None


def install_permits(source: PermitSource | None) -> None:
    """Make every later Inspect run in this process take network models' slots from `source` (None: stop)."""
    global _permits
    _permits = source


@hooks(name="pressure_sense_cluster_limits", description="Shares model connection limits across a cluster's workers.")
class ClusterLimitsHook(Hooks):
    """Installs the GlobalLimitRegistry at the start of each run where `install_permits` gave a source."""

    def enabled(self) -> bool:
        return _permits is not None

    async def on_run_start(self, data: RunStart) -> None:
        if _permits is not None:
            init_concurrency(GlobalLimitRegistry(_permits))
