"""Progress lines for a study run without a terminal (CI, a log file): every so often, one plain line.

Inspect's plain display prints only when a sample finishes, and a study's conversations all
finish near the end, so a non-terminal run would stay silent for most of its time. For a run
armed with `report_progress`, an Inspect hook counts what the study has done so far and a
background thread prints a line every `every_s` seconds (and one when the run ends):

    [pressure-sense] 3m20s: samples 4/12 done (8 running, 0 failed), 31 target calls, 120 judge calls, 0 model errors
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import TextIO

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


def progress_line(counts: ProgressCounts, elapsed_s: float) -> str:
    """One progress line: elapsed time, samples done/total (running, failed), answers, judge calls, model errors."""
    running = counts.samples_started - counts.samples_done
    return (
        f"[pressure-sense] {format_elapsed(elapsed_s)}: samples {counts.samples_done}/{counts.samples_total} done"
        f" ({running} running, {counts.samples_failed} failed), {counts.target_calls} target calls,"
        f" {counts.judge_calls} judge calls, {counts.model_errors} model errors"
    )


class _Reporter:
    """The counts of the run being reported and the thread that prints them."""

    def __init__(self, every_s: float, stream: TextIO | None) -> None:
        self.every_s, self.stream = every_s, stream
        self.counts = ProgressCounts()
        self.seen: set[str | None] = set()
        self._stop = threading.Event()
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._tick, name="study-progress", daemon=True)

    def emit(self) -> None:
        line = progress_line(self.counts, time.monotonic() - self._start)
        print(line, file=self.stream or sys.stdout, flush=True)

    def _tick(self) -> None:
        while not self._stop.wait(self.every_s):
            self.emit()

    def start(self) -> None:
        self._start = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.emit()


_armed: tuple[float, TextIO | None] | None = None
"""Settings for the next Inspect run to report on (set by `report_progress`)."""
_active: _Reporter | None = None


def report_progress(enabled: bool, every_s: float | None = None, stream: TextIO | None = None) -> None:
    """Have the next Inspect run in this process print a progress line to `stream` (default stdout)
    every `every_s` seconds (default PROGRESS_EVERY_S) and one when it ends; `enabled=False` disarms."""
    global _armed
    _armed = (every_s or PROGRESS_EVERY_S, stream) if enabled else None


@hooks(name="pressure_sense_progress", description="Prints a pressure-sense study's progress now and then.")
class StudyProgressHook(Hooks):
    """Acts only on a run armed by `report_progress`: counts samples, model calls and errors, and prints."""

    def enabled(self) -> bool:
        return _armed is not None or _active is not None

    async def on_run_start(self, data: RunStart) -> None:
        global _armed, _active
        if _armed is None or _active is not None:
            return
        _active, _armed = _Reporter(*_armed), None
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
