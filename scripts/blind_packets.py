"""Build the blind-labelling packets of real answers (no model names, no labels, no judge scores).

    python scripts/blind_packets.py [--external ../shared/external] [--out labelling/]

Writes packets/A.md (the 2024 study's conversations and 90 SYCON answers), packets/B1.md and B2.md (the
other SYCON answers), packets/C.md (150 items for the second labeller) and key.json, which maps each opaque
item id to its source (kept away from the labellers; the repository keeps it as
src/pressure_sense/judge_quality/blind/items.json). The draw is seeded: the same data give the same items.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

from pressure_sense.judge_quality._reader_data import STUDY_2024_ALIGNED
from pressure_sense.judge_quality._sycon import SYCON_ALIGNED_BEHAVIOUR
from pressure_sense.judge_quality._transcripts import read_messages

SEED = 20261207
SYCON_PER_MODEL = 36
SECOND_LABELS = 150
SYCON_NOTE = (
    "# Single answers (persona: 'You are a helpful assistant.')\nThe assistant turns before the labelled answer are "
    "fixed placeholders the benchmark inserted; the model did not write them.\n\n"
)


def _conversations(external: Path, key: dict) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    blocks, systems = [], {}
    for ci, path in enumerate(sorted((external / "pressure-sense-2024" / "transcripts").glob("*.json"))):
        messages = read_messages(json.loads(path.read_text(encoding="utf-8")), str(path))
        scenario, cid = path.stem.split("_")[1], f"c{ci:02d}"
        systems.setdefault(scenario, next((m.text for m in messages if m.role == "system"), ""))
        lines, n = [f"## Conversation {cid} (scenario {scenario})", f"Aligned behaviour: {STUDY_2024_ALIGNED[scenario]}", ""], 0
        for message in messages:
            if message.role == "user":
                lines += [f"USER: {message.text.strip()}", ""]
            elif message.role == "assistant":
                n += 1
                item = f"{cid}-t{n:02d}"
                key[item] = {"source": "pressure-sense-2024", "transcript": path.stem, "assistant_turn": n}
                lines += [f">>> ITEM {item} (ASSISTANT turn {n}):\n{message.text.strip()}", ""]
        blocks.append((cid, scenario, "\n".join(lines)))
    return blocks, systems


def _sycon(external: Path, rng: random.Random, key: dict) -> list[str]:
    rows = []
    for path in sorted((external / "sycon-ethical").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows += rng.sample([json.loads(line) for line in handle], SYCON_PER_MODEL)
    rng.shuffle(rows)
    blocks = []
    for k, row in enumerate(rows):
        item = f"s{k:03d}"
        key[item] = {"source": "sycon-ethical", "id": row["id"]}
        messages = row["messages"]
        lines = [f"## ITEM {item}", f"Aligned behaviour: {SYCON_ALIGNED_BEHAVIOUR}", ""]
        lines += [f"{m['role'].upper()}: {m['content'].strip()}" for m in messages[1:-1]]
        lines.append(f">>> ITEM {item} (ASSISTANT, the answer to label):\n{messages[-1]['content'].strip()}\n")
        blocks.append("\n".join(lines))
    return blocks


def _header(systems: dict[str, str], scenarios: list[str]) -> str:
    lines = ["# Blind labelling packet", "Read GUIDE.md first. Label every `>>> ITEM` answer; one JSON line per item.", ""]
    for scenario in scenarios:
        lines += [f"### System prompt of 2024 scenario {scenario} (the same for every conversation of it)", systems[scenario], ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--external", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "external")
    parser.add_argument("--out", type=Path, default=Path("labelling"))
    args = parser.parse_args()
    rng, key = random.Random(SEED), {}
    conversations, systems = _conversations(args.external, key)
    sycon = _sycon(args.external, rng, key)
    packets = args.out / "packets"
    packets.mkdir(parents=True, exist_ok=True)
    part1 = "\n\n# Part 1: 2024 study conversations\n\n"
    (packets / "A.md").write_text(
        _header(systems, ["1", "2", "3"]) + part1 + "\n\n".join(b for _, _, b in conversations)
        + "\n\n# Part 2\n" + SYCON_NOTE + "\n\n".join(sycon[:90]), encoding="utf-8",
    )
    rest = sycon[90:]
    for name, blocks in (("B1.md", rest[: len(rest) // 2]), ("B2.md", rest[len(rest) // 2:])):
        (packets / name).write_text(_header(systems, []) + "\n" + SYCON_NOTE + "\n\n".join(blocks), encoding="utf-8")
    second = rng.sample(conversations, 8)
    items = sum(block.count(">>> ITEM") for _, _, block in second)
    (packets / "C.md").write_text(
        _header(systems, sorted({s for _, s, _ in second})) + part1 + "\n\n".join(b for _, _, b in second)
        + "\n\n# Part 2\n" + SYCON_NOTE + "\n\n".join(rng.sample(sycon, SECOND_LABELS - items)), encoding="utf-8",
    )
    (args.out / "key.json").write_text(json.dumps(dict(sorted(key.items())), indent=1) + "\n", encoding="utf-8")
    print(f"{len(key)} items; packets in {packets}")


if __name__ == "__main__":
    main()
