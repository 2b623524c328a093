"""One progress view for a sharded study: workers report finished samples and model calls, the driver shows totals."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from inspect_ai.hooks import Hooks, ModelUsageData, SampleEnd, TaskEnd, hooks


ProgressSink = Callable[[str, list[tuple[str, int, bool]], int], None]
"""Where a worker sends what its shard did (the Ray executor's progress actor): the shard id, finished samples
as (sample id, epoch, errored), and model calls made since the last report."""


@dataclass
class _Reporter:
    sink: ProgressSink
    shard_id: str
    calls: int = 0


_reporter: _Reporter | None = None


def install_progress(sink: ProgressSink | None, shard_id: str = "") -> None:
    """Send this process's finished samples and model calls to `sink` under `shard_id` (None: stop)."""
    global _reporter
    _reporter = _Reporter(sink, shard_id) if sink is not None else None


@hooks(name="pressure_sense_shard_progress", description="Reports a shard's finished samples and model calls.")
class ShardProgressHook(Hooks):
    """Counts model calls; sends them with each finished sample (one message per sample, not per call)."""

    def enabled(self) -> bool:
        return _reporter is not None

    async def on_model_usage(self, data: ModelUsageData) -> None:
        if _reporter is not None:
            _reporter.calls += 1

    async def on_sample_end(self, data: SampleEnd) -> None:
        if _reporter is not None:
            sample = data.sample
            finished = [(str(sample.id), sample.epoch, sample.error is not None)]
            _reporter.sink(_reporter.shard_id, finished, _reporter.calls)
            _reporter.calls = 0

    async def on_task_end(self, data: TaskEnd) -> None:
        if _reporter is not None and _reporter.calls:
            _reporter.sink(_reporter.shard_id, [], _reporter.calls)
            _reporter.calls = 0


@dataclass
class ProgressTally:
    """What the whole study has done: samples (each counted once however often it is reported), calls, errors."""

    shards_total: int
    samples_total: int
    done: dict[tuple[str, str, int], bool] = field(default_factory=dict)
    """(shard, sample id, epoch) -> errored."""
    calls: int = 0
    shards_done: int = 0
    shards_failed: int = 0
    started: float = field(default_factory=time.monotonic)
    earlier: int = 0
    """Samples finished before this session (a resumed study): not counted in the rate."""
    _calls_window: deque[tuple[float, int]] = field(default_factory=deque)

    def add(self, shard_id: str, samples: list[tuple[str, int, bool]], calls: int, now: float | None = None) -> None:
        """Record a worker's report."""
        for sample_id, epoch, errored in samples:
            self.done[(shard_id, sample_id, epoch)] = errored
        self.calls += calls
        now = time.monotonic() if now is None else now
        self._calls_window.append((now, self.calls))

    @property
    def samples_done(self) -> int:
        return len(self.done)

    @property
    def errors(self) -> int:
        return sum(self.done.values())

    def calls_per_second(self, now: float | None = None, window_s: float = 10.0) -> float:
        """Model calls per second over about the last `window_s` seconds (since the start before that)."""
        now = time.monotonic() if now is None else now
        while len(self._calls_window) > 1 and self._calls_window[0][0] < now - window_s:
            self._calls_window.popleft()
        since, calls_then = self._calls_window[0] if len(self._calls_window) > 1 else (self.started, 0)
        since, calls_then = (self.started, 0) if since >= now else (since, calls_then)
        return (self.calls - calls_then) / (now - since) if now > since else 0.0

    def seconds_left(self, now: float | None = None) -> float | None:
        """Estimated seconds to finish at the rate samples finished so far (None before the first)."""
        now = time.monotonic() if now is None else now
        if self.samples_done <= self.earlier:
            return None
        rate = (self.samples_done - self.earlier) / max(now - self.started, 1e-6)
        return max(self.samples_total - self.samples_done, 0) / rate

    def line(self, now: float | None = None) -> str:
        """One line for a person: shards, samples, calls/s, errors, time left."""
        left = self.seconds_left(now)
        eta = "-" if left is None else f"{int(left // 60)}m{int(left % 60):02d}s"
        failed = f" ({self.shards_failed} failed)" if self.shards_failed else ""
        return (
            f"shards {self.shards_done}/{self.shards_total}{failed}  samples {self.samples_done}/{self.samples_total}  "
            f"{self.calls_per_second(now):.1f} calls/s  errors {self.errors}  left {eta}"
        )


@contextmanager
def progress_view(display: str, every_s: float = 10.0) -> Iterator[Callable[[ProgressTally], None]]:
    """Yields the function that shows a ProgressTally: a live line on a terminal (`rich`), a line every `every_s`
    (`plain`), or nothing."""
    if display == "rich":
        from rich.live import Live

        with Live("starting shards...", refresh_per_second=2, transient=False) as live:
            yield lambda tally: live.update(tally.line())
        return
    last = 0.0

    def update(tally: ProgressTally) -> None:
        nonlocal last
        if display == "plain" and time.monotonic() - last >= every_s:
            last = time.monotonic()
            print(tally.line(), flush=True)

    yield update
