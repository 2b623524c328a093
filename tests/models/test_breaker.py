"""The circuit breaker: what opens it, what does not, and the line it gives (the fault matrix runs it end to end)."""

from __future__ import annotations

import asyncio

import pytest

from pressure_sense.models import BREAKER_FAILURES, ModelUnavailable, reset_breakers, resolve_model
from pressure_sense.models._breaker import breaker_for, failure_kind
from pressure_sense.models._lean_openai import LeanAPIError
from tests.fakes.openai_server import FakeOpenAIServer


def test_failed_tries_in_a_row_open_it_and_a_success_or_a_request_fault_does_not():
    reset_breakers()
    breaker = breaker_for("compatible/m", "m", "http://10.0.0.1:8000/v1", "COMPATIBLE_API_KEY")
    for _ in range(BREAKER_FAILURES - 1):
        breaker.failed_try(LeanAPIError("server", "HTTP 503", 503))
    breaker.succeeded()
    for _ in range(3 * BREAKER_FAILURES):
        breaker.failed_try(LeanAPIError("rate_limit", "HTTP 429", 429, retry_after=1.0))
        breaker.failed_try(LeanAPIError("client", "HTTP 400", 400))
    for _ in range(BREAKER_FAILURES - 1):
        breaker.failed_try(LeanAPIError("client", "HTTP 401", 401))
    breaker.check()
    breaker.failed_try(LeanAPIError("client", "HTTP 401", 401))
    with pytest.raises(ModelUnavailable, match="failed 8 times in a row"):
        breaker.check()
    assert breaker.line() == f"compatible/m at 10.0.0.1:8000: HTTP 401, {breaker.failed} calls failed: check COMPATIBLE_API_KEY"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (LeanAPIError("connection", "ConnectError: connection to x failed (connection refused)"), "connection refused"),
        (LeanAPIError("connection", "RemoteProtocolError: connection to x failed"), "connection reset"),
        (LeanAPIError("timeout", "ReadTimeout: no answer from x in time"), "timeout"),
        (LeanAPIError("malformed", "malformed JSON body (12 bytes) from x", status=200), "malformed response"),
        (LeanAPIError("malformed", "malformed chat completion from the server (KeyError)"), "malformed response"),
    ],
)
def test_failure_kinds(error, kind):
    assert failure_kind(error) == kind


def test_an_open_breaker_makes_no_request(monkeypatch):
    reset_breakers()
    with FakeOpenAIServer(script=["server_error"] * 100) as server:
        model = resolve_model("compatible/m", base_url=server.base_url).get_model(memoize=False)

        async def call() -> str:
            try:
                await model.generate("hello", config={"max_retries": 0})
            except Exception as error:  # noqa: BLE001 - the kind is what is checked
                return type(error).__name__
            return "answered"

        kinds = [asyncio.run(call()) for _ in range(BREAKER_FAILURES + 3)]
    assert kinds[-1] == "ModelUnavailable" and server.calls == BREAKER_FAILURES
