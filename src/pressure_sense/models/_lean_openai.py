"""`lean-openai`: a small Inspect model API (no SDK, pooled httpx connections) for OpenAI-compatible
/v1/chat/completions servers. 429 (after its Retry-After), 5xx, timeouts, dropped connections and malformed
bodies are retried; other 4xx fail at once. The key never enters errors, logs or ModelCalls.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from email.utils import parsedate_to_datetime
from typing import Any, Literal, TypeVar

import httpx
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ContentImage,
    ContentReasoning,
    ContentText,
    GenerateConfig,
    Logprob,
    Logprobs,
    ModelAPI,
    ModelCall,
    ModelOutput,
    ModelUsage,
    RetryDecision,
    StopReason,
    TopLogprob,
    modelapi,
)
from inspect_ai.model._call_tools import parse_tool_call
from inspect_ai.tool import ToolCall, ToolChoice, ToolFunction, ToolInfo
from inspect_ai.util._concurrency import resolve_adaptive
from tenacity import RetryCallState, wait_exponential_jitter
from tenacity.wait import wait_base

FailureKind = Literal["rate_limit", "server", "timeout", "connection", "malformed", "client"]
REDACTED = "[REDACTED]"
ErrorT = TypeVar("ErrorT", bound=BaseException)

_STOP_REASONS: dict[str, StopReason] = {
    "stop": "stop",
    "length": "max_tokens",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


class LeanAPIError(RuntimeError):
    """A failed chat-completions call; Inspect retries every `kind` but `client`."""

    def __init__(
        self, kind: FailureKind, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def _in_chain(ex: BaseException | None, kind: type[ErrorT]) -> ErrorT | None:
    """`ex` or one of the next four exceptions it was raised from, if one is a `kind`."""
    for _ in range(5):
        if ex is None or isinstance(ex, kind):
            return ex
        ex = ex.__cause__ or ex.__context__
    return None


class RetryAfterWait(wait_base):
    """Tenacity wait: the server's Retry-After when it sent one, else exponential backoff with jitter."""

    def __init__(self, initial: float = 1.0, maximum: float = 60.0, retry_after_cap: float = 600.0) -> None:
        self.backoff = wait_exponential_jitter(multiplier=initial, max=maximum, jitter=initial)
        self.retry_after_cap = retry_after_cap

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = _in_chain(outcome.exception() if outcome is not None else None, LeanAPIError)
        if error is not None and error.retry_after is not None:
            return min(error.retry_after, self.retry_after_cap)
        return float(self.backoff(retry_state))


def _content_parts(message: ChatMessage) -> str | list[dict[str, Any]]:
    if isinstance(message.content, str):
        return message.content
    parts: list[dict[str, Any]] = []
    for content in message.content:
        if isinstance(content, ContentText):
            parts.append({"type": "text", "text": content.text})
        elif isinstance(content, ContentImage):
            parts.append({"type": "image_url", "image_url": {"url": content.image, "detail": content.detail}})
    if all(part["type"] == "text" for part in parts):
        return "\n".join(part["text"] for part in parts)
    return parts


def message_to_openai(message: ChatMessage) -> dict[str, Any]:
    """One Inspect chat message as an OpenAI chat-completions message."""
    if message.role == "assistant":
        out: dict[str, Any] = {"role": "assistant", "content": message.text}
        if message.tool_calls:
            out["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.function, "arguments": json.dumps(call.arguments)},
                }
                for call in message.tool_calls
            ]
        return out
    if message.role == "tool":
        text = message.text if message.error is None else f"Error: {message.error.message}"
        return {"role": "tool", "tool_call_id": message.tool_call_id or "", "content": text}
    return {"role": message.role, "content": _content_parts(message)}


def _tool_choice(choice: ToolChoice) -> Any:
    if isinstance(choice, ToolFunction):
        return {"type": "function", "function": {"name": choice.name}}
    return {"any": "required"}.get(choice, choice)


def build_request(
    model: str, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
) -> dict[str, Any]:
    """The JSON body of a /chat/completions request."""
    body: dict[str, Any] = {"model": model, "messages": [message_to_openai(m) for m in input]}
    options = {
        "max_tokens": config.max_tokens,
        "temperature": config.temperature,
        "top_p": config.top_p,
        "stop": config.stop_seqs,
        "seed": config.seed,
        "frequency_penalty": config.frequency_penalty,
        "presence_penalty": config.presence_penalty,
        "n": config.num_choices,
        "logit_bias": {str(k): v for k, v in config.logit_bias.items()} if config.logit_bias else None,
        "reasoning_effort": config.reasoning_effort,
    }
    body.update({key: value for key, value in options.items() if value is not None})
    if config.logprobs:
        body["logprobs"] = True
        if config.top_logprobs is not None:
            body["top_logprobs"] = config.top_logprobs
    if config.response_schema is not None:
        schema = config.response_schema
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": schema.name,
                "schema": schema.json_schema.model_dump(exclude_none=True),
                **({"description": schema.description} if schema.description else {}),
                **({"strict": schema.strict} if schema.strict is not None else {}),
            },
        }
    if tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.parameters.model_dump(exclude_none=True),
                },
            }
            for tool in tools
        ]
        body["tool_choice"] = _tool_choice(tool_choice)
        if config.parallel_tool_calls is not None:
            body["parallel_tool_calls"] = config.parallel_tool_calls
    if config.extra_body:
        body.update(config.extra_body)
    return body


def _logprobs(data: Any) -> Logprobs | None:
    if not isinstance(data, dict) or not isinstance(data.get("content"), list):
        return None
    return Logprobs(
        content=[
            Logprob(
                token=item["token"],
                logprob=item["logprob"],
                bytes=item.get("bytes"),
                top_logprobs=[
                    TopLogprob(token=top["token"], logprob=top["logprob"], bytes=top.get("bytes"))
                    for top in item.get("top_logprobs") or []
                ]
                or None,
            )
            for item in data["content"]
        ]
    )


def _choice(data: dict[str, Any], tools: list[ToolInfo], model: str) -> ChatCompletionChoice:
    message = data.get("message") or {}
    text = message.get("content") or ""
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    content: str | list[Any] = (
        [ContentReasoning(reasoning=reasoning), ContentText(text=text)] if reasoning else text
    )
    tool_calls: list[ToolCall] | None = None
    if message.get("tool_calls"):
        tool_calls = [
            parse_tool_call(call["id"], call["function"]["name"], call["function"].get("arguments"), tools)
            for call in message["tool_calls"]
        ]
    return ChatCompletionChoice(
        message=ChatMessageAssistant(content=content, tool_calls=tool_calls, model=model, source="generate"),
        stop_reason=_STOP_REASONS.get(data.get("finish_reason") or "", "unknown"),
        logprobs=_logprobs(data.get("logprobs")),
    )


def _usage(data: Any) -> ModelUsage | None:
    if not isinstance(data, dict):
        return None
    prompt = int(data.get("prompt_tokens") or 0)
    completion = int(data.get("completion_tokens") or 0)
    cached = (data.get("prompt_tokens_details") or {}).get("cached_tokens")
    reasoning = (data.get("completion_tokens_details") or {}).get("reasoning_tokens")
    return ModelUsage(
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=int(data.get("total_tokens") or prompt + completion),
        input_tokens_cache_read=cached,
        reasoning_tokens=reasoning,
    )


def parse_response(data: Any, tools: list[ToolInfo], model: str) -> ModelOutput:
    """A chat-completions JSON body as a ModelOutput; raises LeanAPIError('malformed') if it is not one."""
    try:
        choices = [_choice(choice, tools, model) for choice in data["choices"]]
    except (KeyError, TypeError, ValueError, AttributeError) as ex:
        raise LeanAPIError("malformed", f"malformed chat completion from the server ({type(ex).__name__})") from None
    if not choices:
        raise LeanAPIError("malformed", "malformed chat completion from the server (no choices)")
    return ModelOutput(model=data.get("model") or model, choices=choices, usage=_usage(data.get("usage")))


SHARD_CONNECTIONS = 8
"""Connections per httpx pool: httpcore's pool scans every connection for every waiting request on each
event, so one 64-connection pool cost about 12 ms CPU per call here against about 1.2 ms for 8 pools of 8."""


class ShardedClient:
    """Keep-alive HTTP connections split over small httpx pools; each request goes to the least busy pool."""

    def __init__(self, size: int, headers: dict[str, str], timeout: float) -> None:
        count = max(1, -(-size // SHARD_CONNECTIONS))
        per_pool = max(1, -(-size // count))
        limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
        timeouts = httpx.Timeout(timeout, pool=None)
        self.pools = [httpx.AsyncClient(headers=headers, timeout=timeouts, limits=limits) for _ in range(count)]
        self.in_flight = [0] * count

    async def post(self, url: str, content: bytes) -> httpx.Response:
        """POST through the least busy pool and read the whole body."""
        index = min(range(len(self.in_flight)), key=self.in_flight.__getitem__)
        self.in_flight[index] += 1
        try:
            return await self.pools[index].post(url, content=content)
        finally:
            self.in_flight[index] -= 1

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


class LeanOpenAIAPI(ModelAPI):
    """Inspect model API for OpenAI-compatible chat-completions endpoints (model args below).

    Args:
        api_key_var: environment variable holding the key (none sent when unset).
        client_timeout: seconds before a request (connect, read, write) counts as timed out.
        retry_initial / retry_max: exponential backoff bounds when the server gives no Retry-After.
        pool_size: HTTP connections kept open (default: the eval's max_connections).
    """

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        api_key_var: str | None = None,
        client_timeout: float = 300.0,
        retry_initial: float = 1.0,
        retry_max: float = 60.0,
        pool_size: int | None = None,
    ) -> None:
        super().__init__(
            model_name=model_name,
            base_url=base_url,
            api_key=api_key,
            api_key_vars=[api_key_var] if api_key_var else [],
            config=config,
        )
        if not self.base_url:
            raise ValueError(f"lean-openai/{model_name} needs a base_url (e.g. http://localhost:8000/v1)")
        self.api_key_var = api_key_var
        if self.api_key is None and api_key_var:
            self.api_key = os.environ.get(api_key_var) or None
        self.endpoint = self.base_url.rstrip("/") + "/chat/completions"
        self.client_timeout = client_timeout
        self.pool_size = pool_size
        self.wait = RetryAfterWait(initial=retry_initial, maximum=retry_max)
        self._client: tuple[asyncio.AbstractEventLoop, ShardedClient] | None = None
        """The client of the event loop it was made in (Inspect runs each eval in its own loop)."""

    def initialize(self) -> None:
        """Re-read the key (after a credential refresh) and drop the client built with the old one."""
        super().initialize()
        if self.api_key is None and self.api_key_var:
            self.api_key = os.environ.get(self.api_key_var) or None
        self._client = None

    def _http_client(self, config: GenerateConfig) -> ShardedClient:
        """The client of the running event loop."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client[0] is not loop:
            headers = {"Content-Type": "application/json"}
            if self.api_key:
                headers["Authorization"] = f"Bearer {self.api_key}"
            self._client = (loop, ShardedClient(self._pool_size(config), headers, self.client_timeout))
        return self._client[1]

    def _pool_size(self, config: GenerateConfig) -> int:
        """Connections to keep: as many as Inspect lets run at once (adaptive concurrency's ceiling if on)."""
        if self.pool_size:
            return self.pool_size
        if config.max_connections:
            return config.max_connections
        if config.adaptive_connections is not False and not config.batch:
            return resolve_adaptive(config.adaptive_connections).max
        return self.max_connections()

    async def aclose(self) -> None:
        if self._client is not None and self._client[0] is asyncio.get_running_loop():
            await self._client[1].aclose()
        self._client = None

    def connection_key(self) -> str:
        return self.endpoint

    def should_retry(self, ex: Exception) -> bool | RetryDecision:
        error = _in_chain(ex, LeanAPIError)
        if error is None or error.kind == "client":
            return RetryDecision.no()
        if error.kind == "rate_limit":
            return RetryDecision.rate_limit(error.retry_after)
        return RetryDecision.transient(error.retry_after)

    def retry_wait(self) -> RetryAfterWait:
        return self.wait

    def is_auth_failure(self, ex: Exception) -> bool:
        error = _in_chain(ex, LeanAPIError)
        return error is not None and error.status in (401, 403)

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> tuple[ModelOutput, ModelCall]:
        body = build_request(self.service_model_name(), input, tools, tool_choice, config)
        client = self._http_client(config)
        start = time.monotonic()
        try:
            response = await client.post(self.endpoint, json.dumps(body).encode())
            raw = response.content
        except httpx.TimeoutException as ex:
            raise LeanAPIError("timeout", f"{type(ex).__name__}: no answer from {self.endpoint} in time") from None
        except (httpx.NetworkError, httpx.RemoteProtocolError) as ex:
            reason = f" ({ex})" if str(ex) else ""
            if _in_chain(ex, ConnectionRefusedError):
                reason = " (connection refused)"
            message = f"{type(ex).__name__}: connection to {self.endpoint} failed{reason}"
            raise LeanAPIError("connection", message) from None
        elapsed = time.monotonic() - start
        if response.status_code != 200:
            raise self._status_error(response.status_code, raw, response.headers.get("retry-after"))
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise LeanAPIError(
                "malformed", f"malformed JSON body ({len(raw)} bytes) from {self.endpoint}", status=200
            ) from None
        output = parse_response(data, tools, self.model_name)
        return output, ModelCall.create(request=body, response=data, time=elapsed)

    def _status_error(self, status: int, raw: bytes, retry_after: str | None) -> LeanAPIError:
        detail = _error_detail(raw)
        if self.api_key:
            detail = detail.replace(self.api_key, REDACTED)
        message = f"HTTP {status} from {self.endpoint}: {detail}"
        if status == 429:
            return LeanAPIError("rate_limit", message, status, parse_retry_after(retry_after))
        if status >= 500 or status == 408:
            return LeanAPIError("server", message, status, parse_retry_after(retry_after))
        if status in (401, 403):
            where = f"the environment variable {self.api_key_var}" if self.api_key_var else "the server's API key"
            message += f" (check {where})"
        return LeanAPIError("client", message, status)


def _error_detail(raw: bytes) -> str:
    """The server's error message, short."""
    text = raw.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict) and error.get("message"):
            text = str(error["message"])
        elif isinstance(error, str):
            text = error
    except ValueError:
        pass
    return text[:500] or "(empty body)"


@modelapi(name="lean-openai")
def lean_openai() -> type[ModelAPI]:
    """Register `lean-openai/<model>` with Inspect."""
    return LeanOpenAIAPI
