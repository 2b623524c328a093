"""A small synthetic study whose first conversation carries hostile model, judge and tool text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.store.synthetic import write_synthetic_store

PAYLOAD = (
    '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> '
    '<a href="javascript:window.__pwned=1">x</a> \u2028 </script><!-- & done'
)
HOSTILE_MODEL = 'evil<b>"model"</b>'


def write_hostile_study(db: Path) -> Path:
    """Synthetic study (2 models x 2 scenarios x 2 variants x 3 epochs, 4 turns) with PAYLOAD in
    the first conversation's output, reasoning, a judge rationale and a tool result, and a model
    named HOSTILE_MODEL."""
    write_synthetic_store(db, 24, 4, models=("model-a", HOSTILE_MODEL), scenarios=("alpha", "beta"), seed=3)
    connection = sqlite3.connect(db)
    with connection:
        connection.execute(
            "UPDATE turns SET output = ?, reasoning = ? WHERE sample_pk = 1 AND turn_index = 1", (PAYLOAD, PAYLOAD)
        )
        connection.execute(
            "UPDATE scores SET rationale = ? WHERE judgement_pk = (SELECT judgement_pk FROM judgements "
            "WHERE sample_pk = 1 AND turn_index = 1) AND dimension = 'alignment'",
            (PAYLOAD,),
        )
        connection.execute(
            "INSERT INTO tool_events (sample_pk, turn_index, call_id, function, arguments, result, harmful, "
            "escalation, report) VALUES (1, 1, 'call-1', 'send_message', ?, ?, 1, 0, 0)",
            ('{"text": "<b>hi</b>"}', PAYLOAD),
        )
    connection.close()
    return db
