"""Study progress: plain lines for a run without a terminal, and one view of a sharded study's workers.

Inspect's plain display prints only when a sample finishes, and a study's conversations all finish near the
end, so a run armed with `report_progress` prints a line every `every_s` seconds (and one when it ends):

    [pressure-sense] 3m20s: samples 4/12 done (8 running, 0 failed), 31 target calls, 120 judge calls, 0 model errors
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from inspect_ai.hooks import (
    Hooks,
    ModelUsageData,
    RunEnd,
    RunStart,
    SampleEnd,
    SampleEvent,
    SampleStart,
    TaskEnd,
    TaskStart,
    hooks,
)

PROGRESS_EVERY_S = 30.0
"""Seconds between two progress lines of a run without a terminal."""


@dataclass
class ProgressCounts:
    """What the study has done so far (updated by the hook, read by the printer)."""

    samples_total: int = 0
    samples_started: int = 0
    samples_done: int = 0
    samples_failed: int = 0
    target_calls: int = 0
    judge_calls: int = 0
    model_errors: int = 0


def format_elapsed(seconds: float) -> str:
    """`seconds` as 45s, 3m20s or 1h02m."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class _Reporter:
    """The counts of the run being reported and the thread that prints them every PROGRESS_EVERY_S."""

    def __init__(self) -> None:
        self.counts = ProgressCounts()
        self.seen: set[str | None] = set()
        self._stop = threading.Event()
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._tick, args=(PROGRESS_EVERY_S,), name="study-progress", daemon=True)

    def emit(self) -> None:
        """One line: elapsed time, samples done/total (running, failed), target and judge calls, model errors."""
        counts, elapsed = self.counts, format_elapsed(time.monotonic() - self._start)
        running = counts.samples_started - counts.samples_done
        print(
            f"[pressure-sense] {elapsed}: samples {counts.samples_done}/{counts.samples_total} done ({running} running,"
            f" {counts.samples_failed} failed), {counts.target_calls} target calls, {counts.judge_calls} judge calls,"
            f" {counts.model_errors} model errors",
            flush=True,
        )

    def _tick(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            self.emit()

    def start(self) -> None:
        self._start = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.emit()


_armed = False
"""Whether the next Inspect run reports its progress (set by `report_progress`)."""
_active: _Reporter | None = None


def report_progress(enabled: bool) -> None:
    """Have the next Inspect run in this process print a progress line to stdout every PROGRESS_EVERY_S seconds
    and one when it ends; `enabled=False` disarms."""
    global _armed
    _armed = enabled


@hooks(name="pressure_sense_progress", description="Prints a pressure-sense study's progress now and then.")
class StudyProgressHook(Hooks):
    """Acts only on a run armed by `report_progress`: counts samples, model calls and errors, and prints."""

    def enabled(self) -> bool:
        return _armed or _active is not None

    async def on_run_start(self, data: RunStart) -> None:
        global _armed, _active
        if not _armed or _active is not None:
            return
        _active, _armed = _Reporter(), False
        _active.start()

    async def on_run_end(self, data: RunEnd) -> None:
        global _active
        reporter, _active = _active, None
        if reporter is not None:
            reporter.stop()

    async def on_task_start(self, data: TaskStart) -> None:
        if _active is not None:
            epochs = data.spec.config.epochs or 1
            _active.counts.samples_total += (data.spec.dataset.samples or 0) * epochs

    async def on_sample_start(self, data: SampleStart) -> None:
        if _active is not None:
            _active.counts.samples_started += 1

    async def on_sample_event(self, data: SampleEvent) -> None:
        event = data.event
        if _active is None or event.event != "model":
            return
        if event.uuid in _active.seen:  # Inspect may pass one model event on more than once
            return
        _active.seen.add(event.uuid)
        counts = _active.counts
        if event.error:
            counts.model_errors += 1
        elif event.role is None:
            counts.target_calls += 1
        elif event.role.startswith("grader"):
            counts.judge_calls += 1

    async def on_sample_end(self, data: SampleEnd) -> None:
        if _active is not None:
            _active.counts.samples_done += 1
            _active.counts.samples_failed += data.sample.error is not None


def default_display() -> str:
    """Inspect's rich progress display on a terminal, plain lines otherwise."""
    return "rich" if sys.stdout.isatty() else "plain"


ProgressSink = Callable[[str, list[tuple[str, int, bool]], int], None]
"""Where a worker sends what its shard did (the Ray executor's progress actor): the shard id, finished samples
as (sample id, epoch, errored), and model calls made since the last report."""


@dataclass
class _ShardReporter:
    send: ProgressSink
    shard_id: str
    calls: int = 0

    def report(self, samples: list[tuple[str, int, bool]]) -> None:
        self.send(self.shard_id, samples, self.calls)
        self.calls = 0


_shard: _ShardReporter | None = None


def install_progress(sink: ProgressSink | None, shard_id: str = "") -> None:
    """Send this process's finished samples and model calls to `sink` under `shard_id` (None: stop)."""
    global _shard
    _shard = _ShardReporter(sink, shard_id) if sink is not None else None


@hooks(name="pressure_sense_shard_progress", description="Reports a shard's finished samples and model calls.")
class ShardProgressHook(Hooks):
    """Counts model calls; sends them with each finished sample (one message per sample, not per call)."""

    def enabled(self) -> bool:
        return _shard is not None

    async def on_model_usage(self, data: ModelUsageData) -> None:
        if _shard is not None:
            _shard.calls += 1

    async def on_sample_end(self, data: SampleEnd) -> None:
        if _shard is not None:
            _shard.report([(str(data.sample.id), data.sample.epoch, data.sample.error is not None)])

    async def on_task_end(self, data: TaskEnd) -> None:
        if _shard is not None and _shard.calls:
            _shard.report([])


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


class ProgressView:
    """Shows a ProgressTally: a live line on a terminal (`rich`), a line every `every_s` (`plain`), or nothing."""

    def __init__(self, display: str, every_s: float = 10.0) -> None:
        self.display = display
        self.every_s = every_s
        self._live = None
        self._last = 0.0

    def __enter__(self) -> ProgressView:
        if self.display == "rich":
            from rich.live import Live

            self._live = Live("starting shards...", refresh_per_second=2, transient=False)
            self._live.__enter__()
        return self

    def update(self, tally: ProgressTally) -> None:
        line = tally.line()
        if self._live is not None:
            self._live.update(line)
        elif self.display == "plain" and time.monotonic() - self._last >= self.every_s:
            self._last = time.monotonic()
            print(line, flush=True)

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)  # type: ignore[arg-type]
