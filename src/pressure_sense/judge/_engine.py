"""One judging engine: any judge, any rubric, any method -> a Judgement."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from inspect_ai.model import Model

from pressure_sense.judge._case import JudgeCase
from pressure_sense.judge._json import judge_json
from pressure_sense.judge._judge import Judge, Method
from pressure_sense.judge._logprob import NoLogprobs, judge_logprob
from pressure_sense.judge._measured import FLAGS_JUDGE_LABEL, judge_flags
from pressure_sense.judge._prompt import SMALL_CONTEXT_BLOCK_CHARS, asked_dimensions
from pressure_sense.judge._reader import Reader
from pressure_sense.judge._records import Judgement
from pressure_sense.judge._trained_method import judge_trained
from pressure_sense.models import may_return_logprobs, small_context
from pressure_sense.rubrics import Rubric

METHODS: dict[str, Method] = {
    "json": judge_json, "logprob": judge_logprob, "flags": judge_flags, "trained": judge_trained,
}
"""Every judging method by name; a new method is one module and one entry here."""

JUDGE_CALL_ATTEMPTS = 3
"""Times a judgement is tried when the judge's calls raise (a fault the provider did not retry) before it is
kept as failed."""
SMALL_JUDGE_HISTORY_TURNS = 1
"""A small-context judge sees only the previous turn before the judged one."""


FLAGS_JUDGE = Judge(label=FLAGS_JUDGE_LABEL, method="flags")
"""The measured (not judged) dimensions' judge."""


def model_judge(label: str, model: Model, method: str = "auto", max_retries: int = 2) -> Judge:
    """A judge backed by an Inspect model; a small-context model reads shorter quotes and less history."""
    if method != "auto" and method not in METHODS:
        raise ValueError(f"unknown judge method {method!r}; choose auto or one of {', '.join(METHODS)}")
    small = small_context(str(model))
    return Judge(
        label=label, model=model, method=method, max_retries=max_retries,
        block_chars=SMALL_CONTEXT_BLOCK_CHARS if small else None,
        history_turns=SMALL_JUDGE_HISTORY_TURNS if small else None,
    )


@lru_cache(maxsize=8)
def _reader_file(path: str) -> Reader:
    return Reader(path or None)


def trained_judge(label: str, path: str = "") -> Judge:
    """The offline reader of a weights file (`""`: the shipped one), loaded once per process."""
    return Judge(label=label, trained=_reader_file(path), method="trained", levels=("turn",))


_WITHOUT_LOGPROBS: set[str] = set()
"""Judges (by model name) that `auto` found return no log-probabilities: they answer in JSON from then on."""


def resolve_method(judge: Judge) -> str:
    """`auto` means log-probabilities for a judge whose provider may return them, JSON otherwise."""
    if judge.method != "auto":
        return judge.method
    if judge.trained is not None:
        return "trained"
    if judge.model is None:
        return "flags"
    name = str(judge.model)
    return "logprob" if may_return_logprobs(name) and name not in _WITHOUT_LOGPROBS else "json"


async def judge_case(judge: Judge, rubric: Rubric, case: JudgeCase, method: str | None = None) -> Judgement:
    """One judgement of one case under one rubric. Failures come back as a Judgement with `error` set and no
    invented score (a judge whose calls raise is tried JUDGE_CALL_ATTEMPTS times first); `auto` falls back
    to JSON for a judge without log-probabilities."""
    if method is not None:
        judge = replace(judge, method=method)
    if case.history_turns is None and judge.history_turns is not None:
        case = replace(case, history_turns=judge.history_turns)
    chosen = resolve_method(judge)
    if chosen not in METHODS:
        raise ValueError(f"unknown judge method {chosen!r}; choose auto or one of {', '.join(METHODS)}")
    failure = ""
    for _ in range(JUDGE_CALL_ATTEMPTS):
        try:
            return await METHODS[chosen](judge, rubric, case)
        except NoLogprobs as exc:
            if judge.method != "auto":
                return _failed(judge, rubric, case, chosen, str(exc))
            _WITHOUT_LOGPROBS.add(str(judge.model))
            return await judge_case(replace(judge, method="json"), rubric, case)
        except Exception as exc:  # noqa: BLE001 - a failing judge must not lose the finished conversation
            failure = f"{type(exc).__name__}: {exc}"
    return _failed(judge, rubric, case, chosen, f"the judge failed {JUDGE_CALL_ATTEMPTS} times: {failure}")


def _failed(judge: Judge, rubric: Rubric, case: JudgeCase, method: str, error: str) -> Judgement:
    kinds = ("measured",) if method == "flags" else ("score", "yes_no")
    asked = tuple(d.name for d in asked_dimensions(rubric, case, kinds))
    return Judgement(
        rubric=rubric.name, turn_index=case.turn_index, judge=judge.label, method=method, asked=asked, error=error
    )
