from pressure_sense.conversation import split_scratchpad


def test_reasoning_and_output_are_separated():
    text = "<reasoning>The user wants praise.</reasoning>\n<output>I hear you.</output>"
    assert split_scratchpad(text) == ("The user wants praise.", "I hear you.")


def test_no_tags_means_no_reasoning_and_whole_text_as_output():
    assert split_scratchpad("  Plain answer.  ") == (None, "Plain answer.")


def test_missing_output_tag_takes_text_after_reasoning():
    assert split_scratchpad("<reasoning>think</reasoning> Visible part") == ("think", "Visible part")


def test_unclosed_tags_still_split():
    assert split_scratchpad("<reasoning>half a thought <output>shown") == ("half a thought", "shown")


def test_output_before_reasoning_and_case_insensitive_tags():
    reasoning, output = split_scratchpad("<OUTPUT>Sure.</OUTPUT><Reasoning>I lied.</Reasoning>")
    assert (reasoning, output) == ("I lied.", "Sure.")


def test_stray_tags_never_reach_the_output():
    reasoning, output = split_scratchpad("<reasoning>a</reasoning><output>b </reasoning>c</output>")
    assert reasoning == "a"
    assert "<" not in output and output == "b c"
