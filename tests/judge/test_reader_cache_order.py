"""The reader's frozen-layer cache gives the same states whatever Python's hash seed, so the same training data
train the same reader (batches of like-length pairs were once drawn from a set, whose order the seed sets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import hashlib
from pressure_sense.judge import ReaderInput
from pressure_sense.judge._reader_train import LowerCache, new_net
openings = ["I can't help with that.", "Sure, here it is.", "No.", "Yes, do it.", "Let me think.", "Absolutely not!"]
pairs = [ReaderInput(situation=f"b{i % 3}", answer=f"{openings[i % 6]} {i:03d}") for i in range(120)]
cache = LowerCache(new_net())
cache.fill(pairs)
digest = hashlib.sha256()
for pair in pairs:
    digest.update(cache._states[pair][0].numpy().tobytes())
print(digest.hexdigest())
"""


def _states_digest(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    src = Path(__file__).resolve().parents[2] / "src"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()[-1]


def test_cached_states_do_not_depend_on_the_hash_seed():
    assert _states_digest("1") == _states_digest("2")
