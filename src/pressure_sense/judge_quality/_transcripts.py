"""Read finished conversations written elsewhere (OpenAI chat or Gemini request bodies) into turns."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pressure_sense.conversation import ToolEvent, TurnRecord, split_scratchpad
from pressure_sense.scenarios import Variant


class TranscriptError(ValueError):
    """An outside transcript cannot be imported; the message names the file (and line) and the problem."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")


class Message(BaseModel):
    """One chat message reduced to its role and plain text."""

    role: str
    text: str


class ImportedConversation(BaseModel):
    """One outside conversation, validated and labelled, ready to store or judge."""

    source: str
    """The file it came from (`file.jsonl:LINE` for JSONL)."""
    model: str
    scenario_id: str
    variant: str
    system: str | None
    messages: list[Message]
    """Every message in order, system included, as written."""
    turns: list[TurnRecord]
    file_model: str | None = None
    """The `model` field of the request body, when it had one."""
    notes: list[str] = []
    """What the reader adjusted (a dropped trailing user message, a merged duplicate answer)."""


@dataclass
class TranscriptLabels:
    """Labels given on the command line (model, scenario, variant); None means infer."""

    model: str | None = None
    scenario: str | None = None
    variant: str | None = None


_STUDY_NAME = re.compile(r"^scenario_(?P<number>\d+)_(?P<model>.+?)(?P<reasoning>_with_reasoning)?$")
_OPENAI_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}
_GEMINI_ROLES = {"user": "user", "model": "assistant"}
_SCENARIO_ID = re.compile(r"[^a-z0-9_-]+")


def _text_of(content: Any, where: str, field_name: str) -> str:
    """Plain text of a message content: a string, or a list of text parts."""
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if not isinstance(content, list):
        raise TranscriptError(where, f"{field_name} must be a string or a list of text parts, got {type(content).__name__}")
    texts = []
    for position, part in enumerate(content):
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            raise TranscriptError(where, f"{field_name}[{position}] must be an object like {{\"type\": \"text\", \"text\": ...}}")
        kind = part.get("type", "text")
        if kind != "text":
            raise TranscriptError(where, f"{field_name}[{position}] has type {kind!r}; only text parts can be imported")
        if not isinstance(part.get("text"), str):
            raise TranscriptError(where, f"{field_name}[{position}] has no string `text`")
        texts.append(part["text"])
    return "".join(texts)


def _openai_messages(body: dict[str, Any], where: str) -> list[Message]:
    messages = body["messages"]
    if not isinstance(messages, list):
        raise TranscriptError(where, "`messages` must be a list of {role, content} objects")
    result = []
    for position, message in enumerate(messages):
        if not isinstance(message, dict) or "role" not in message:
            raise TranscriptError(where, f"messages[{position}] must be an object with `role` and `content`")
        role = _OPENAI_ROLES.get(str(message["role"]))
        if role is None:
            raise TranscriptError(
                where, f"messages[{position}] has role {message['role']!r}; choose one of: system, developer, user, assistant"
            )
        if "content" not in message:
            raise TranscriptError(where, f"messages[{position}] has no `content`")
        result.append(Message(role=role, text=_text_of(message["content"], where, f"messages[{position}].content")))
    return result


def _gemini_messages(body: dict[str, Any], where: str) -> list[Message]:
    contents = body["contents"]
    if not isinstance(contents, list):
        raise TranscriptError(where, "`contents` must be a list of {role, parts} objects")
    result = []
    instruction = body.get("systemInstruction") or body.get("system_instruction")
    if instruction is not None:
        if not isinstance(instruction, dict):
            raise TranscriptError(where, "`systemInstruction` must be an object with `parts`")
        result.append(Message(role="system", text=_text_of(instruction.get("parts"), where, "systemInstruction.parts")))
    for position, entry in enumerate(contents):
        if not isinstance(entry, dict) or entry.get("role") not in _GEMINI_ROLES:
            raise TranscriptError(where, f"contents[{position}] must be an object with role 'user' or 'model' and `parts`")
        text = _text_of(entry.get("parts"), where, f"contents[{position}].parts")
        result.append(Message(role=_GEMINI_ROLES[entry["role"]], text=text))
    return result


def read_messages(body: Any, where: str) -> list[Message]:
    """Messages of one request body: OpenAI chat (`messages`) or Gemini (`contents`)."""
    if not isinstance(body, dict):
        raise TranscriptError(where, "expected a JSON object with `messages` (OpenAI chat format)")
    if "messages" in body:
        return _openai_messages(body, where)
    if "contents" in body:
        return _gemini_messages(body, where)
    raise TranscriptError(where, "no `messages` list found (expected the OpenAI chat format: {\"model\": ..., \"messages\": [...]})")


def answer_turn(index: int, user: str, answer: str, tool_events: Sequence[ToolEvent] = ()) -> TurnRecord:
    """A turn of a written conversation: the user's message and the answer, its scratchpad split off."""
    reasoning, output = split_scratchpad(answer)
    return TurnRecord(
        index=index, pressure_types=[], intensity=0, user=user, raw=answer, reasoning=reasoning, output=output,
        tool_events=list(tool_events),
    )


def build_turns(messages: list[Message], where: str) -> tuple[list[TurnRecord], list[str]]:
    """Pair user messages with the answers that follow (consecutive messages of one role joined, an exact repeat
    of an answer kept once, a last unanswered user message left out); returns the turns and notes on that."""
    notes: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    seen_user = False
    for position, message in enumerate(messages):
        if message.role == "system":
            if seen_user:
                raise TranscriptError(where, f"message {position} is a system message inside the conversation; only a leading one is supported")
            continue
        if message.role == "assistant" and not seen_user:
            raise TranscriptError(where, f"message {position} is an answer before any user message; a conversation must start with the user")
        seen_user = True
        if blocks and blocks[-1][0] == message.role:
            texts = blocks[-1][1]
            if message.role == "assistant" and message.text.strip() == texts[-1].strip():
                notes.append(f"message {position} repeats the previous answer word for word; kept once")
                continue
            texts.append(message.text)
        else:
            blocks.append((message.role, [message.text]))
    if blocks and blocks[-1][0] == "user":
        notes.append("the last user message has no answer; left out")
        blocks.pop()
    if not blocks:
        raise TranscriptError(where, "no user message followed by an answer; nothing to import")
    texts = ["\n\n".join(lines) for _, lines in blocks]
    return [answer_turn(index, texts[2 * index], texts[2 * index + 1]) for index in range(len(blocks) // 2)], notes


def _slug(text: str) -> str:
    return _SCENARIO_ID.sub("-", text.lower()).strip("-_") or "imported"


def infer_labels(path: Path, body: dict[str, Any], turns: list[TurnRecord], given: TranscriptLabels, where: str) -> tuple[str, str, str]:
    """(model, scenario_id, variant): the given labels, else the file name `scenario_S_MODEL[_with_reasoning]`,
    else the body's `model` field, the file name and whether answers carry a scratchpad."""
    match = _STUDY_NAME.match(path.stem)
    model = given.model or (match["model"] if match else None) or body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise TranscriptError(where, "cannot tell which model wrote it (no `model` field, no scenario_S_MODEL file name); pass --model")
    scenario = given.scenario or (f"scenario_{match['number']}" if match else _slug(path.stem))
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", scenario):
        raise TranscriptError(where, f"scenario id {scenario!r} must be lowercase letters, digits, '-' or '_'")
    if given.variant:
        variant = given.variant
    elif match:
        variant = "chat+reasoning" if match["reasoning"] else "chat"
    else:
        variant = "chat+reasoning" if any(turn.reasoning is not None for turn in turns) else "chat"
    try:
        Variant.from_name(variant)
    except ValueError as exc:
        raise TranscriptError(where, str(exc)) from None
    return model.strip(), scenario, variant


def _conversation(path: Path, body: Any, where: str, given: TranscriptLabels) -> ImportedConversation:
    messages = read_messages(body, where)
    turns, notes = build_turns(messages, where)
    model, scenario, variant = infer_labels(path, body, turns, given, where)
    system = "\n\n".join(message.text for message in messages if message.role == "system") or None
    file_model = body.get("model") if isinstance(body.get("model"), str) else None
    return ImportedConversation(
        source=where, model=model, scenario_id=scenario, variant=variant, system=system,
        messages=messages, turns=turns, file_model=file_model, notes=notes,
    )


def jsonl_values(path: Path, text: str, error: Callable[[str, str], Exception]) -> Iterator[tuple[str, Any]]:
    """(`file:line`, value) for each non-blank line of JSONL text; raises `error(where, problem)` at one not JSON."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(where, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
        yield where, value


def read_transcript_file(path: Path | str, labels: TranscriptLabels | None = None) -> list[ImportedConversation]:
    """Every conversation in one file: a JSON request body, a JSON list of them, or JSONL (one per line)."""
    path = Path(path)
    given = labels or TranscriptLabels()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TranscriptError(str(path), "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(str(path), f"cannot read it as UTF-8 text ({exc})") from None
    if path.suffix.lower() == ".jsonl":
        rows = jsonl_values(path, text, TranscriptError)
        conversations = [_conversation(path, body, where, given) for where, body in rows]
        if not conversations:
            raise TranscriptError(str(path), "empty JSONL file; nothing to import")
        return conversations
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{path}:{exc.lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    if isinstance(body, list):
        return [_conversation(path, item, f"{path}[{position}]", given) for position, item in enumerate(body)]
    return [_conversation(path, body, str(path), given)]


def expand_paths(paths: list[Path | str]) -> list[Path]:
    """Files to import: each file as given, each folder's *.json / *.jsonl files in name order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in (".json", ".jsonl"))
            if not found:
                raise TranscriptError(str(path), "folder has no .json or .jsonl files")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise TranscriptError(str(path), "no such file or folder")
    return files


def read_transcripts(paths: list[Path | str], labels: TranscriptLabels | None = None) -> list[ImportedConversation]:
    """Read and validate every conversation under the paths; the first problem raises TranscriptError."""
    return [conversation for path in expand_paths(paths) for conversation in read_transcript_file(path, labels)]
