"""Loading the model under study from a folder, answering turns greedily with a reused cache, and the
order that booting the bridge imposes."""

from __future__ import annotations

import pytest

from pressure_sense.interp import InterpError, InterpModel, load_interp_model, model_folder, scenario_conversation
from pressure_sense.scenarios import load_scenario
from tests.interp.tiny_model import tiny_pair


def _answerer(model: InterpModel, fresh: bool):
    def answer(messages):
        if fresh:
            model._cache = None  # forget the previous turn: encode the whole prompt again
        ids = model.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)["input_ids"]
        return model.generate(list(ids), max_new_tokens=5)

    return answer


def test_answers_with_a_reused_cache_equal_answers_from_scratch(tiny_scenario_file) -> None:
    scenario = load_scenario(tiny_scenario_file)
    tokenizer, hf_model, twin = tiny_pair()
    reused = InterpModel("tiny", hf_model, tokenizer)
    conversation = scenario_conversation(scenario, _answerer(reused, fresh=False), "tiny")
    expected = scenario_conversation(scenario, _answerer(InterpModel("tiny", twin, tokenizer), fresh=True), "tiny")
    assert conversation.messages == expected.messages
    assert [message["role"] for message in conversation.messages] == ["system"] + ["user", "assistant"] * 3
    assert reused._cache.get_seq_length() > 0 and len(reused._cached_ids) == reused._cache.get_seq_length()
    assert [turn.intensity for turn in conversation.turns] == [2, 4, 5]
    assert conversation.response(conversation.turns[1]) == conversation.messages[4]["content"]


def test_generating_after_the_bridge_is_booted_is_an_error() -> None:
    pytest.importorskip("transformer_lens")
    tokenizer, hf_model, _ = tiny_pair()
    model = InterpModel("tiny", hf_model, tokenizer)
    assert model.bridge is model.bridge  # booted once
    with pytest.raises(InterpError, match="generate responses before the first analysis"):
        model.generate([1, 2, 3], max_new_tokens=2)


def test_model_folder_loads_offline_and_names_what_is_missing(tiny_folder, tmp_path) -> None:
    model = load_interp_model(str(tiny_folder))
    assert model.name == str(tiny_folder) and model.tokenizer.is_fast
    assert model.hf_model.config._attn_implementation == "eager"
    assert model_folder(f"hf/{tiny_folder}") == tiny_folder
    with pytest.raises(InterpError, match="no Hugging Face model folder"):
        model_folder(str(tmp_path))
