"""Reading Inspect logs: every header in a folder, the newest header of each task, and a log's samples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from inspect_ai.log import EvalLog, EvalSample, list_eval_logs, read_eval_log, read_eval_log_samples


def read_log_headers(log_dir: str | Path, unreadable: list[str]) -> list[EvalLog]:
    """The header of every Inspect log under `log_dir` (searched recursively); logs that cannot be read
    (cut short by a crash mid-write) are skipped and named in `unreadable`."""
    headers = []
    for info in list_eval_logs(str(log_dir), recursive=True):
        try:
            headers.append(read_eval_log(info, header_only=True))
        except Exception as error:  # noqa: BLE001 - any damage to one file must not stop the rebuild
            unreadable.append(f"{info.name}: {type(error).__name__}: {error}")
    return headers


def newest_logs(log_dir: str | Path) -> list[EvalLog]:
    """The newest log header (by file time) of each task under `log_dir`, the newest last; [] when `log_dir`
    does not exist."""
    try:
        infos = list_eval_logs(str(log_dir))
    except FileNotFoundError:
        return []
    newest: dict[str, EvalLog] = {}
    for info in sorted(infos, key=lambda info: info.mtime or 0):
        header = read_eval_log(info, header_only=True)
        newest.pop(header.eval.task_id, None)
        newest[header.eval.task_id] = header
    return list(newest.values())


def log_samples(location: str) -> Iterator[EvalSample]:
    """The samples a log holds (as far as they were flushed), attachments resolved, events left out."""
    return read_eval_log_samples(
        location, all_samples_required=False, resolve_attachments=True, exclude_fields={"events"}
    )
