"""Many writers, nothing lost: processes that create and fill one store at the same moment, round after round."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from store_study import StudyRun

PROCESSES = 4
SAMPLES = 50
ROUNDS = 20

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from inspect_ai.log import EvalSample
    from pressure_sense.store import ResultsStore

    folder, name, processes, samples, rounds = Path(sys.argv[1]), sys.argv[2], *map(int, sys.argv[3:6])
    sample = EvalSample.model_validate_json((folder / "sample.json").read_text())

    def barrier(step):
        (folder / f"{step}-{name}").touch()
        deadline = time.monotonic() + 120
        while len(list(folder.glob(f"{step}-*"))) < processes:
            if time.monotonic() > deadline:
                sys.exit(f"{name}: another writer never reached {step}")
            time.sleep(0.002)

    for round in range(rounds):
        barrier(f"start{round}")  # every writer opens a database that does not exist yet, at once
        with ResultsStore(folder / f"round-{round}.sqlite") as store:
            run_id = store.start_run("stress", "study", "m")
            for n in range(samples):
                store.write_sample(run_id, sample.model_copy(update={"id": f"{name}-{n}"}))
            store.finish_run(run_id, "success")
    """
)


def test_four_processes_write_fifty_samples_each_into_one_store_twenty_rounds(
    study_run: StudyRun, tmp_path: Path
) -> None:
    sample = study_run.log.samples[0]
    (tmp_path / "sample.json").write_text(sample.model_dump_json(), encoding="utf-8")
    settings = [str(PROCESSES), str(SAMPLES), str(ROUNDS)]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), f"w{number}", *settings],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        for number in range(PROCESSES)
    ]
    outputs = [writer.communicate(timeout=600)[0] for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * PROCESSES, "\n".join(outputs)
    expected = {(f"w{number}-{n}", sample.epoch) for number in range(PROCESSES) for n in range(SAMPLES)}
    with sqlite3.connect(study_run.db) as connection:
        (turns_each,) = connection.execute(
            "SELECT count(*) FROM turns JOIN samples USING (sample_pk) WHERE sample_id = ? AND epoch = ?",
            (str(sample.id), sample.epoch),
        ).fetchone()
    assert turns_each > 0
    for round in range(ROUNDS):
        with sqlite3.connect(tmp_path / f"round-{round}.sqlite") as connection:
            stored = connection.execute("SELECT sample_id, epoch FROM samples").fetchall()
            runs = connection.execute("SELECT run_id, status FROM runs").fetchall()
            turns = set(connection.execute("SELECT count(*) FROM turns GROUP BY sample_pk").fetchall())
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        assert len(stored) == len(expected) and set(stored) == expected, f"round {round}: each sample once"
        assert runs == [("stress", "success")]
        assert turns == {(turns_each,)}, f"round {round}: every sample with all its turns"
        assert mode == "wal"
    assert not list(tmp_path.glob(".round-*")), "no half-made database is left behind"
