"""Secrets are replaced before any text is stored."""

from __future__ import annotations

import pytest

from pressure_sense.store import REDACTED, redact, redact_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key sk-" "ant-api03-abcdefghijklmnop end", f"key {REDACTED} end"),
        ("openai sk-" "proj-ABCDEFGHIJKLMNOPQRSTUV", f"openai {REDACTED}"),
        ("google AIza" "SyA1234567890abcdefghijklmnopq", f"google {REDACTED}"),
        ("hf hf_abcdefghijklmnopqrstuvwxyz12", f"hf {REDACTED}"),
        ("Authorization: Bearer abc.def.ghijkl123", f"Authorization: Bearer {REDACTED}"),
        ('{"x-api-key": "zzzzzzzzzzzz"}', f'{{"x-api-key": "{REDACTED}"}}'),
        ("api_key=hunter22222", f"api_key={REDACTED}"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", f"Authorization: Basic {REDACTED}"),
        ("curl -H 'Authorization: Bearer tok12345678'", f"curl -H 'Authorization: Bearer {REDACTED}'"),
        ("token Bearer eyJhbGciOiJIUzI1NiJ9.payload", f"token Bearer {REDACTED}"),
    ],
)
def test_key_shapes_and_headers_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_ordinary_text_is_left_alone() -> None:
    text = (
        "Ask your manager about the risk; the task-" "list-for-the-whole-team has 12 items and sk-1 is short. "
        "A basic understanding-of-markets helps; the Bearer of bad news; authorization is granted."
    )
    assert redact(text) == text


def test_values_of_secret_environment_variables_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SERVICE_API_KEY", "plain-looking-value-123")
    monkeypatch.setenv("GITLAB_TOKEN", "tok-999-888-777")
    monkeypatch.setenv("SHORT_TOKEN", "1")
    monkeypatch.setenv("UNRELATED_SETTING", "plain-looking-setting")
    text = "a plain-looking-value-123 b tok-999-888-777 c 1 d plain-looking-setting"
    assert redact(text) == f"a {REDACTED} b {REDACTED} c 1 d plain-looking-setting"


def test_nested_data_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_API_KEY", "nested-secret-42")
    data = {"model_args": {"api_key": "nested-secret-42", "n": 3}, "headers": ["Bearer abcdefghijklmnopq"]}
    assert redact_data(data) == {"model_args": {"api_key": REDACTED, "n": 3}, "headers": [f"Bearer {REDACTED}"]}
