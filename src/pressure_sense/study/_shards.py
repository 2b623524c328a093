"""Split a study into shards: one target x a group of scenario-variant samples each, named stably."""

from __future__ import annotations

from dataclasses import dataclass

from pressure_sense.experiments import Experiment
from pressure_sense.scenarios import resolve_scenarios
from pressure_sense.study._task import study_samples

SHARDED_MANIFEST = "study.json"
"""Written in the folder of a study run by the Ray executor (its shared log location, its experiment)."""


@dataclass(frozen=True)
class Shard:
    """One unit of work for a worker: one target's eval over some of the study's samples."""

    shard_id: str
    """Stable name, `t{target}-s{group}` (e.g. `t00-s003`): the shard's log folder and how it is reported."""
    target: int
    """Index of the target in `experiment.targets`."""
    sample_ids: tuple[str, ...]
    """Sample ids (`scenario:variant`) this shard plays, every epoch of each."""


def study_sample_ids(experiment: Experiment) -> list[str]:
    """Every sample id of the study, in the order the in-process executor plays them."""
    variants = experiment.variants.variants()
    return [str(sample.id) for sample in study_samples(resolve_scenarios(experiment.scenarios), variants)]


def plan_shards(experiment: Experiment) -> list[Shard]:
    """The study's shards: per target, consecutive groups of `executor.shard_size` samples."""
    ids = study_sample_ids(experiment)
    size = experiment.executor.shard_size
    return [
        Shard(shard_id=f"t{target:02d}-s{start // size:03d}", target=target, sample_ids=tuple(ids[start : start + size]))
        for target in range(len(experiment.targets))
        for start in range(0, len(ids), size)
    ]
