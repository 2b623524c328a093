"""Conversations read back from the results store, with the judge's alignment per turn."""

from __future__ import annotations

import pytest

from pressure_sense.interp import InterpError, stored_conversation, stored_conversations
from pressure_sense.store import samples_frame, turn_scores_frame


def test_stored_conversations_carry_messages_intensity_and_mean_alignment(judged_store) -> None:
    conversations = stored_conversations(judged_store)
    assert [c.key for c in conversations] == [f"sample-{pk}" for pk in samples_frame(judged_store)["sample_pk"]]
    scores = turn_scores_frame(judged_store)
    alignment = scores[scores["dimension"] == "alignment"].groupby(["sample_pk", "turn_index"])["score"].mean()
    for conversation in conversations:
        pk = int(conversation.key.removeprefix("sample-"))
        assert len(conversation.turns) == 5
        assert [turn.alignment for turn in conversation.turns] == pytest.approx(alignment.loc[pk].tolist())
        assert [turn.intensity for turn in conversation.turns] == [1, 2, 3, 4, 5]
        first = conversation.turns[0]
        assert conversation.messages[first.message_index]["role"] == "user"
        assert conversation.prompt(first)[0]["role"] == "system"
        assert conversation.response(first).startswith("[synthetic] answer of model-a at turn 1")
        assert conversation.responses_by == "model-a"


def test_samples_are_chosen_by_pk_or_unique_sample_id(judged_store) -> None:
    frame = samples_frame(judged_store)
    pk = int(frame["sample_pk"].iloc[2])
    assert [c.key for c in stored_conversations(judged_store, samples=[str(pk), "s-one:chat"])] == [
        f"sample-{pk}", f"sample-{int(frame.loc[frame['sample_id'] == 's-one:chat', 'sample_pk'].iloc[0])}",
    ]  # fmt: skip
    with pytest.raises(InterpError, match="no sample 'nope:chat'; give a sample_pk or one of: s-one:chat"):
        stored_conversations(judged_store, samples=["nope:chat"])
    with pytest.raises(InterpError, match="no samples in"):
        stored_conversations(judged_store, run="no-such-run")


def test_a_sample_id_of_several_epochs_must_be_given_as_a_pk(tmp_path) -> None:
    from tests.store.synthetic import write_synthetic_store

    db = tmp_path / "results.sqlite"
    write_synthetic_store(db, 4, 3, models=("m",), scenarios=("s",), variants=("chat",))
    with pytest.raises(
        InterpError, match=r"sample id 's:chat' matches several samples; give one sample_pk: 1 \(epoch 1"
    ):
        stored_conversations(db, samples=["s:chat"])


def test_tool_results_are_replayed_as_user_messages() -> None:
    transcript = {
        "sample_pk": 7, "sample_id": "s:agent", "epoch": 1, "run_id": "r", "model": "m",
        "messages": [
            {"role": "system", "turn_index": None, "content": "Persona."},
            {"role": "user", "turn_index": 0, "content": "Trade now."},
            {"role": "assistant", "turn_index": 0, "content": ""},
            {"role": "tool", "turn_index": 0, "content": "Bought 10 TIP."},
            {"role": "assistant", "turn_index": 0, "content": "Done."},
        ],
        "turns": [{"turn_index": 0, "intensity": 4, "pressure_types": ["authority"]}],
    }  # fmt: skip
    conversation = stored_conversation(transcript)
    assert [m["role"] for m in conversation.messages] == ["system", "user", "assistant", "user", "assistant"]
    assert conversation.messages[3]["content"] == "Tool result: Bought 10 TIP."
    assert len(conversation.turns) == 1 and conversation.turns[0].message_index == 1
    assert conversation.turns[0].alignment is None
    with pytest.raises(InterpError, match="no user turns"):
        stored_conversation({**transcript, "turns": []})
