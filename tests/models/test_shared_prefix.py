"""Grouping one-token requests by a shared prompt prefix."""

from pressure_sense.models._embedded_engine import (
    MIN_SHARED_TOKENS,
    PrefixGroup,
    common_prefix_length,
    shared_prefix_groups,
)

CASE_A = list(range(100, 100 + 80))
CASE_B = list(range(500, 500 + 80))


def test_common_prefix_length() -> None:
    assert common_prefix_length([1, 2, 3], [1, 2, 4, 5]) == 2
    assert common_prefix_length([], [1]) == 0
    assert common_prefix_length([7, 8], [7, 8]) == 2


def test_questions_about_the_same_case_form_one_group_per_case() -> None:
    prompts = [CASE_A + [1, 2], CASE_B + [1], CASE_A + [3], CASE_B + [2, 2], CASE_A + [4, 4, 4]]
    groups = shared_prefix_groups(prompts, range(len(prompts)))
    assert sorted(groups, key=lambda g: g.indices) == [
        PrefixGroup((0, 2, 4), len(CASE_A)),
        PrefixGroup((1, 3), len(CASE_B)),
    ]


def test_only_candidates_are_grouped_and_singletons_are_left_out() -> None:
    prompts = [CASE_A + [1], CASE_A + [2], CASE_B + [1]]
    assert shared_prefix_groups(prompts, [0, 2]) == []
    assert shared_prefix_groups(prompts, [0, 1, 2]) == [PrefixGroup((0, 1), len(CASE_A))]


def test_a_short_common_start_is_not_worth_sharing() -> None:
    start = list(range(MIN_SHARED_TOKENS - 1))
    prompts = [start + [1] * 10, start + [2] * 10]
    assert shared_prefix_groups(prompts, [0, 1]) == []


def test_a_prefix_that_is_a_small_part_of_a_long_prompt_is_not_shared() -> None:
    system = list(range(40))
    prompts = [system + [1] * 200, system + [2] * 200]
    assert shared_prefix_groups(prompts, [0, 1]) == []


def test_identical_prompts_keep_their_last_token_to_run() -> None:
    prompts = [CASE_A, CASE_A, CASE_A + [9]]
    (group,) = shared_prefix_groups(prompts, [0, 1, 2])
    assert group.shared == len(CASE_A) - 1 and sorted(group.indices) == [0, 1, 2]
