"""Per-model connection limits and request rates, in one process or across a cluster: Inspect's concurrency
registry, whose model connection slots (held around every API call, retries included) are permits of a
`PermitSource`, each followed by a wait for the model's next start slot (`Pacer`) where it has a
`requests_per_minute`. On a Ray cluster (`RayPermits`) every network model is limited, in one process
(`LocalPermits`) those given a limit; local models keep Inspect's own semaphore.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from inspect_ai.hooks import Hooks, RunStart, hooks
from inspect_ai.util._concurrency import (
    ConcurrencySemaphore,
    _AnyIOSemaphoreRegistry,
    init_concurrency,
)

from pressure_sense.experiments import Experiment
from pressure_sense.models import LOCAL_PROVIDERS, resolve_model
from pressure_sense.pacing import Pacer

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

    async def pace(self, key: str, per_second: float) -> None:
        """Return when a request of `key` may start, at most `per_second` starts a second."""
        ...


class LocalPermits:
    """A PermitSource for one process: a semaphore and a pacer per key."""

    def __init__(self) -> None:
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._pacer = Pacer()

    async def acquire(self, key: str, limit: int) -> str:
        semaphore = self._semaphores.setdefault(key, asyncio.Semaphore(limit))
        await semaphore.acquire()
        return key

    def release(self, key: str, ticket: str) -> None:
        self._semaphores[key].release()

    async def pace(self, key: str, per_second: float) -> None:
        await self._pacer.wait(key, per_second)


PERMIT_LEASE_S = 10.0
"""How long a worker may keep reusing a permit before giving it back to the broker (the longest another
worker waits for a permit a busy one holds, beyond the calls in flight)."""
PERMIT_IDLE_S = 0.25
"""A leased permit unused this long goes back to the broker."""


class RayPermits:
    """A PermitSource over the cluster's PermitBroker actor (`broker`), for the calls of one shard (`owner`).

    A permit leased from the broker stays with this worker: a call that ends hands it to the next call waiting
    here, or keeps it free, without asking the broker again. It goes back when it has lain free `idle_s`, or at
    the first release after `lease_s` (so a busy worker cannot keep permits others wait for). The worker has at
    most one request at the broker per key; every call in flight holds its own permit, so the limit always holds.
    """

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


@dataclass(frozen=True)
class ModelLimit:
    """An experiment's limits for one model: `name` as Inspect names it, and its server (None: any)."""

    name: str
    base_url: str | None
    max_connections: int | None
    per_second: float | None

    def matches(self, name: str, key: str) -> bool:
        """Whether a connection pool (Inspect's semaphore name and key) is this model's."""
        return name == self.name and (self.base_url is None or self.base_url.rstrip("/") in key)


def model_limits(experiment: Experiment) -> list[ModelLimit]:
    """The connection limits and request rates the experiment gives its targets and judges."""
    wanted = [(t.name, t.base_url, t.max_connections, t.requests_per_minute) for t in experiment.targets]
    judge = experiment.judge
    wanted += [(seat.name, None, judge.max_connections, judge.requests_per_minute) for seat in judge.choice.model_seats]
    limits = []
    for name, base_url, connections, per_minute in wanted:
        if connections is None and per_minute is None:
            continue
        resolved = resolve_model(name, base_url, check=False)
        per_second = per_minute / 60 if per_minute is not None else None
        limits.append(ModelLimit(resolved.inspect_name, resolved.base_url, connections, per_second))
    return limits


class GlobalSemaphore:
    """An Inspect ConcurrencySemaphore whose slots are permits of a PermitSource."""

    def __init__(
        self, name: str, key: str, concurrency: int, visible: bool, source: PermitSource, per_second: float | None = None
    ) -> None:
        self.name = name
        self.key = key
        self.concurrency = concurrency
        self.visible = visible
        self.per_second = per_second
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
        if self.per_second is not None:
            try:
                await self._source.pace(self.key, self.per_second)
            except BaseException:
                self._source.release(self.key, ticket)
                raise
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
    """Inspect's concurrency registry with semaphores taken from a PermitSource: for the models given a
    limit, and with `every_network_model` (a cluster) for every model API reached over the network."""

    def __init__(self, source: PermitSource, limits: Sequence[ModelLimit] = (), every_network_model: bool = True) -> None:
        self._source = source
        self._limits = tuple(limits)
        self._every = every_network_model
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
        limit = next((each for each in self._limits if each.matches(name, base)), None)
        shared = is_global(name, base) and (limit is not None or (self._every and adaptive is None))
        if not shared:
            return await self._local.get_or_create(name, concurrency, key, visible, adaptive, resizable)
        if base not in self._global:
            connections = limit.max_connections if limit and limit.max_connections else concurrency
            per_second = limit.per_second if limit else None
            self._global[base] = GlobalSemaphore(name, base, connections, visible, self._source, per_second)
        return self._global[base]

    def values(self) -> Iterable[ConcurrencySemaphore]:
        return [*self._local.values(), *self._global.values()]


_permits: PermitSource | None = None
_limits: tuple[ModelLimit, ...] = ()
_every = True


def install_permits(
    source: PermitSource | None, limits: Sequence[ModelLimit] = (), every_network_model: bool = True
) -> None:
    """Make every later Inspect run in this process take model API slots from `source` (None: stop): the
    models given `limits`, and with `every_network_model` every model API reached over the network."""
    global _permits, _limits, _every
    _permits, _limits, _every = source, tuple(limits), every_network_model


LIMITS_FILE = "limits.json"
"""The per-model limits an in-process study ran with, in its folder: `run --resume` holds the same ones."""


def save_limits(limits: Sequence[ModelLimit], folder: Path) -> None:
    """Record a study's limits in its folder (none: no file)."""
    if limits:
        (folder / LIMITS_FILE).write_text(json.dumps([asdict(limit) for limit in limits], indent=2), encoding="utf-8")


def saved_limits(folder: Path) -> list[ModelLimit]:
    """The limits a study in `folder` recorded (none when it had none)."""
    path = folder / LIMITS_FILE
    if not path.exists():
        return []
    return [ModelLimit(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]


@contextmanager
def local_limits(limits: Sequence[ModelLimit]) -> Iterator[None]:
    """Hold per-model limits and rates for the Inspect runs of this process inside the block."""
    if limits:
        install_permits(LocalPermits(), limits, every_network_model=False)
    try:
        yield
    finally:
        if limits:
            install_permits(None)


@hooks(name="pressure_sense_model_limits", description="Holds model connection limits and request rates (across a cluster's workers).")
class ModelLimitsHook(Hooks):
    """Installs the GlobalLimitRegistry at the start of each run where `install_permits` gave a source."""

    def enabled(self) -> bool:
        return _permits is not None

    async def on_run_start(self, data: RunStart) -> None:
        if _permits is not None:
            init_concurrency(GlobalLimitRegistry(_permits, _limits, _every))
