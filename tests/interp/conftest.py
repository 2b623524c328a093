"""Fixtures of the interp tests: the tiny model (as a folder and booted), and a judged store with messages."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.interp.tiny_model import save_tiny_model, tiny_pair

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
"""Model text that would run if the page rendered it as HTML."""


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Llama and its tokenizer saved as a Hugging Face model folder."""
    return save_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny() -> SimpleNamespace:
    """The tiny model booted in a TransformerBridge (`model`, `bridge`, `tokenizer`) and an untouched
    copy of the Hugging Face model (`reference`). Shared: tests must not change it."""
    pytest.importorskip("transformer_lens")
    from pressure_sense.interp import InterpModel

    tokenizer, hf_model, reference = tiny_pair()
    model = InterpModel(name="tiny-llama", hf_model=hf_model, tokenizer=tokenizer)
    return SimpleNamespace(model=model, bridge=model.bridge, tokenizer=tokenizer, reference=reference)


@pytest.fixture(scope="session")
def judged_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic judged study (2 scenarios x 2 variants, 5 turns) with its messages written as a run
    would: system prompt, then each user turn and the assistant's answer."""
    from tests.store.synthetic import write_synthetic_store

    db = tmp_path_factory.mktemp("judged") / "results.sqlite"
    write_synthetic_store(
        db, 4, 5, models=("model-a",), scenarios=("s-one", "s-two"), variants=("chat", "chat+reasoning")
    )
    connection = sqlite3.connect(db)
    with connection:
        for (sample_pk,) in connection.execute("SELECT sample_pk FROM samples").fetchall():
            rows = [(sample_pk, 0, "system", None, "You are a careful assistant. Keep the rules.")]
            turns = connection.execute(
                "SELECT turn_index, user_content, output FROM turns WHERE sample_pk = ? ORDER BY turn_index",
                (sample_pk,),
            ).fetchall()
            for turn_index, user, output in turns:
                rows.append((sample_pk, len(rows), "user", turn_index, user))
                answer = f"{output} {HOSTILE}" if turn_index == 0 else output
                rows.append((sample_pk, len(rows), "assistant", turn_index, answer))
            connection.executemany(
                "INSERT INTO messages (sample_pk, position, role, turn_index, content) VALUES (?, ?, ?, ?, ?)", rows
            )
    connection.close()
    return db
