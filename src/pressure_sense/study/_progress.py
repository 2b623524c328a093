"""Progress lines for a study run without a terminal (CI, a log file): Inspect's plain display prints only when
a sample finishes, and a study's conversations all finish near the end, so a run armed with `report_progress`
prints a line every PROGRESS_EVERY_S seconds (and one when it ends):

    [pressure-sense] 3m20s: samples 4/12 done (8 running, 0 failed), 31 target calls, 120 judge calls, 0 model errors
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass

from inspect_ai.hooks import Hooks, RunEnd, RunStart, SampleEnd, SampleEvent, SampleStart, TaskStart, hooks

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
        self._thread = threading.Thread(target=self._tick, name="study-progress", daemon=True)

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

    def _tick(self) -> None:
        while not self._stop.wait(PROGRESS_EVERY_S):
            self.emit()

    def start(self) -> None:
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
