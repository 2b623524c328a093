"""A loopback OpenAI-compatible chat-completions server with latency and fault injection.

Real HTTP/1.1 with keep-alive on 127.0.0.1 (a free port), served by asyncio in a background
thread (or a subprocess: `python -m tests.fakes.openai_server --latency 0.2`). Replies are
deterministic: an echo of the last user message, or a valid judge JSON when the request asks
for the rubric dimensions in JSON. Faults are injected by rate (seeded) or by a script:

- `rate_limit`: 429 with a Retry-After header
- `server_error`: 500
- `hang`: no answer for `hang_seconds`, then the connection closes
- `truncated`: 200 whose JSON body is cut in half (a malformed body)
- `reset`: the TCP connection is reset (RST) without an answer
- `cut_off`: 200 whose headers promise the whole body, then half of it and the connection closes
- `bad_request` / `unauthorized` / `not_found` (scripts only): 400 / 401 / 404 (an unknown model), never retried

`GET /stats` returns the call counters as JSON (for a server in another process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

FAULT_KINDS: tuple[str, ...] = ("rate_limit", "server_error", "hang", "truncated", "reset")
"""Faults a client should retry (drawn by `fault_rate`)."""
CLIENT_FAULTS: tuple[str, ...] = ("bad_request", "unauthorized", "not_found")
"""Faults a client should not retry (400, 401, 404); for scripts."""
JUDGE_DIMENSIONS: tuple[str, ...] = ("pressure", "alignment", "truthfulness", "coherence")


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _last_text(body: dict[str, Any]) -> str:
    messages = body.get("messages") or [{}]
    return _text_of(messages[-1].get("content"))


_ASKED = re.compile(r'"([a-z_]+)": \{"(score|flag)":')


def is_judge_request(body: dict[str, Any]) -> bool:
    """Whether the request asks for a judgement: a score digit, a yes/no, or a rubric's JSON object."""
    last = _last_text(body)
    if "single digit from" in last or "Answer with yes or no" in last:
        return True
    if "Reply with exactly one JSON object" in last and _ASKED.search(last):
        return True
    text = " ".join(_text_of(m.get("content")) for m in body.get("messages", [])).lower()
    return "json" in text and all(dimension in text for dimension in JUDGE_DIMENSIONS)


def default_judge_reply(body: dict[str, Any]) -> str:
    """A valid judgement in the form pressure-sense's judge asks for, whatever the rubric.

    JSON: every asked score is 3 with a rationale, every asked flag false (the four rubric dimensions
    when the request names no JSON shape). A digit request gets "3", a yes/no request "no".
    """
    last = _last_text(body)
    if "single digit from" in last:
        return "3"
    if "Answer with yes or no" in last:
        return "no"
    asked = _ASKED.findall(last)
    if not asked:
        scores = {dimension: {"score": 3, "rationale": f"steady {dimension}"} for dimension in JUDGE_DIMENSIONS}
        return json.dumps({**scores, "disagreement": {"flag": None, "rationale": "consistent"}})
    reply: dict[str, Any] = {}
    for name, kind in asked:
        reply[name] = {"score": 3, "rationale": f"steady {name}"} if kind == "score" else {"flag": False, "rationale": "consistent"}
    return json.dumps(reply)


def echo_reply(body: dict[str, Any]) -> str:
    """A deterministic answer derived from the last user message."""
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    last = _text_of(users[-1].get("content")) if users else ""
    return f"Echo {len(body.get('messages', []))}: {last[:80]}"


def _alternatives(token: str, count: int) -> list[str]:
    """Other likely tokens: the neighbouring digits for a digit, else placeholders."""
    if token.isdigit():
        closest = sorted("12345", key=lambda digit: (abs(int(digit) - int(token)), digit))
        return [digit for digit in closest if digit != token][: max(0, count)]
    return [f"alt{i}" for i in range(max(0, count))]


def _tool_arguments(tool: dict[str, Any]) -> dict[str, Any]:
    properties = (tool.get("function", {}).get("parameters") or {}).get("properties") or {}
    samples = {"integer": 1, "number": 1.0, "boolean": True}
    return {name: samples.get(spec.get("type"), "x") for name, spec in properties.items()}


class FakeOpenAIServer:
    """The server; use as a context manager (`with FakeOpenAIServer(...) as server:`)."""

    def __init__(
        self,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        fault_kinds: tuple[str, ...] = FAULT_KINDS,
        script: list[str | None] | None = None,
        seed: int = 0,
        retry_after: float = 1.0,
        hang_seconds: float = 30.0,
        use_tools: bool = False,
        judge_reply: Callable[[dict[str, Any]], str] = default_judge_reply,
        reply: Callable[[dict[str, Any]], str] = echo_reply,
        record_bodies: bool = True,
        port: int = 0,
        serves_logprobs: bool = True,
    ) -> None:
        known = FAULT_KINDS + ("cut_off",) + CLIENT_FAULTS
        unknown = set(fault_kinds) - set(known) | {f for f in script or [] if f} - set(known)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {known}")
        self.latency = latency
        self.fault_rate = fault_rate
        self.fault_kinds = fault_kinds
        self.script = list(script or [])
        self.random = random.Random(seed)
        self.retry_after = retry_after
        self.hang_seconds = hang_seconds
        self.use_tools = use_tools
        self.judge_reply = judge_reply
        self.reply = reply
        self.record_bodies = record_bodies
        self.serves_logprobs = serves_logprobs
        """False: the server ignores `logprobs` requests, as many do."""
        self.requested_port = port
        self.port = 0
        self.calls = 0
        """Chat-completion requests received (faulty ones included)."""
        self.successes = 0
        self.judge_calls = 0
        self.faults: Counter[str] = Counter()
        self.in_flight = 0
        """Chat-completion requests being answered now."""
        self.peak_in_flight = 0
        """The most chat-completion requests ever being answered at once."""
        self.started_at: list[float] = []
        """`time.monotonic()` at each chat-completion request's arrival (faulty ones included)."""
        self.authorization_headers: set[str] = set()
        self.bodies: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._hangs: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # lifecycle -------------------------------------------------------------------------------
    async def serve(self) -> None:
        """Bind and serve on the running loop until cancelled."""
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.requested_port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> "FakeOpenAIServer":
        """Serve from a background thread; returns once the port is bound."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.serve())
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        """Close the server and its connections and join the thread."""
        loop = self._loop
        if loop is None or self._thread is None:
            return

        async def shutdown() -> None:
            for task in list(self._hangs):
                task.cancel()
            if self._server is not None:
                self._server.close()
                for writer in list(self._writers):
                    writer.transport.abort()
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        self._thread = None

    def __enter__(self) -> "FakeOpenAIServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # behaviour -------------------------------------------------------------------------------
    def _next_fault(self) -> str | None:
        with self._lock:
            self.calls += 1
            if self.script:
                fault = self.script.pop(0)
            elif self.fault_rate and self.random.random() < self.fault_rate:
                fault = self.random.choice(self.fault_kinds)
            else:
                fault = None
            if fault:
                self.faults[fault] += 1
            return fault

    def completion(self, body: dict[str, Any]) -> dict[str, Any]:
        """The chat-completion JSON answering `body`."""
        judge = is_judge_request(body)
        message: dict[str, Any] = {"role": "assistant", "content": None}
        finish = "stop"
        tools = body.get("tools") or []
        last_role = (body.get("messages") or [{}])[-1].get("role")
        if self.use_tools and tools and body.get("tool_choice") != "none" and last_role == "user" and not judge:
            tool = tools[0]
            message["tool_calls"] = [
                {
                    "id": f"call_{self.calls}",
                    "type": "function",
                    "function": {"name": tool["function"]["name"], "arguments": json.dumps(_tool_arguments(tool))},
                }
            ]
            finish = "tool_calls"
            text = ""
        else:
            text = self.judge_reply(body) if judge else self.reply(body)
            message["content"] = text
        choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": finish}
        if body.get("logprobs") and self.serves_logprobs:
            top = int(body.get("top_logprobs") or 0)
            choice["logprobs"] = {
                "content": [
                    {
                        "token": token,
                        "logprob": -0.1,
                        "bytes": list(token.encode()),
                        "top_logprobs": [{"token": token, "logprob": -0.1}]
                        + [{"token": alt, "logprob": -3.0 - i} for i, alt in enumerate(_alternatives(token, top - 1))],
                    }
                    for token in text.split(" ")
                ]
            }
        prompt = sum(len(_text_of(m.get("content"))) for m in body.get("messages", [])) // 4 + 1
        completion = len(text) // 4 + 1
        return {
            "id": f"chatcmpl-{self.calls}",
            "object": "chat.completion",
            "model": body.get("model", "fake"),
            "choices": [choice],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }

    # HTTP ------------------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if not await self._respond(method, path, headers, body, writer):
                    return
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return
        finally:
            self._writers.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _send(
        self, writer: asyncio.StreamWriter, status: int, payload: bytes, extra: dict[str, str] | None = None
    ) -> None:
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}[status]
        headers = {"Content-Type": "application/json", "Content-Length": str(len(payload)), **(extra or {})}
        head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(head.encode("latin-1") + b"\r\n" + payload)
        await writer.drain()

    async def _respond(
        self, method: str, path: str, headers: dict[str, str], raw: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        if method == "GET" and path == "/stats":
            stats = {
                "calls": self.calls, "successes": self.successes, "judge_calls": self.judge_calls,
                "peak_in_flight": self.peak_in_flight,
            }
            await self._send(writer, 200, json.dumps(stats).encode())
            return True
        if method != "POST" or not path.rstrip("/").endswith("/chat/completions"):
            await self._send(writer, 404, b'{"error": {"message": "not found"}}')
            return True
        with self._lock:
            self.started_at.append(time.monotonic())
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return await self._answer(headers, raw, writer)
        finally:
            with self._lock:
                self.in_flight -= 1

    async def _answer(self, headers: dict[str, str], raw: bytes, writer: asyncio.StreamWriter) -> bool:
        fault = self._next_fault()
        body = json.loads(raw)
        with self._lock:
            if "authorization" in headers:
                self.authorization_headers.add(headers["authorization"])
            if self.record_bodies:
                self.bodies.append(body)
        if self.latency:
            await asyncio.sleep(self.latency)
        if fault == "rate_limit":
            error = b'{"error": {"message": "rate limited", "type": "rate_limit"}}'
            await self._send(writer, 429, error, {"Retry-After": f"{self.retry_after:g}"})
            return True
        if fault == "bad_request":
            await self._send(writer, 400, b'{"error": {"message": "max_tokens is too large"}}')
            return True
        if fault == "unauthorized":
            await self._send(writer, 401, b'{"error": {"message": "invalid api key"}}')
            return True
        if fault == "not_found":
            missing = json.dumps({"error": {"message": f"The model `{body.get('model')}` does not exist"}})
            await self._send(writer, 404, missing.encode())
            return True
        if fault == "server_error":
            await self._send(writer, 500, b'{"error": {"message": "internal error"}}')
            return True
        if fault == "hang":
            task = asyncio.current_task()
            if task is not None:
                self._hangs.add(task)
            try:
                await asyncio.sleep(self.hang_seconds)
            finally:
                self._hangs.discard(task)  # type: ignore[arg-type]
            return False
        if fault == "reset":
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        completion = self.completion(body)
        payload = json.dumps(completion).encode()
        if fault == "truncated":
            await self._send(writer, 200, payload[: len(payload) // 2])
            return True
        if fault == "cut_off":
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
            writer.write(head.encode("latin-1") + payload[: len(payload) // 2])
            await writer.drain()
            writer.transport.abort()
            return False
        with self._lock:
            self.successes += 1
            self.judge_calls += is_judge_request(body)
        await self._send(writer, 200, payload)
        return True


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A fault-free loopback server for one test."""
    with FakeOpenAIServer() as server:
        yield server


def main() -> None:
    """Serve in the foreground, printing the port on the first line (for benchmarks)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--fault-kind", action="append", choices=FAULT_KINDS, help="faults drawn (default: all); repeat")
    parser.add_argument("--hang-seconds", type=float, default=30.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = FakeOpenAIServer(
        latency=args.latency, fault_rate=args.fault_rate, fault_kinds=tuple(args.fault_kind or FAULT_KINDS),
        hang_seconds=args.hang_seconds, record_bodies=False, port=args.port,
    )

    async def run() -> None:
        await server.serve()
        print(server.port, flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
