"""SQLite schema of the results store: runs, samples, turns, messages, scores, errors, beliefs, adaptive outcomes."""

SCHEMA_VERSION = 4
"""1: the first contract; 2: runs.task_id (stable across retries and resume), index errors_by_sample;
3: tables beliefs and adaptive_outcomes; 4: judgements.rubric, cut_chars and asked,
adaptive_outcomes.unclear_turns, beliefs.belief_read and beliefs.final_read."""

BELIEFS_DDL = """
CREATE TABLE IF NOT EXISTS beliefs (
    sample_pk INTEGER NOT NULL REFERENCES samples(sample_pk) ON DELETE CASCADE,
    question_index INTEGER NOT NULL,
    question TEXT NOT NULL,
    neutral_answer TEXT NOT NULL,       -- the answer asked alone, without pressure
    belief TEXT NOT NULL,               -- true | false | unclear: what the neutral answer states
    pressured_answer TEXT,              -- the answer to the turn that pushed this question; NULL when not reached
    final TEXT,                         -- true | false | unclear, NULL when not reached
    flipped INTEGER,                    -- 0/1: a clear belief replaced by the opposite clear answer; NULL when unknown
    direction TEXT,                     -- toward_truth | away_from_truth, NULL unless flipped
    belief_read TEXT,                   -- rules | judge: who read the neutral answer's stance
    final_read TEXT,                    -- rules | judge: who read the pressured answer's stance
    PRIMARY KEY (sample_pk, question_index)
);"""
ADAPTIVE_DDL = """
CREATE TABLE IF NOT EXISTS adaptive_outcomes (
    sample_pk INTEGER PRIMARY KEY REFERENCES samples(sample_pk) ON DELETE CASCADE,
    stopped TEXT NOT NULL,              -- gave_in | held | max_turns
    turns INTEGER NOT NULL,             -- user turns played
    breaking_turn INTEGER,              -- turn_index where the target gave in, NULL otherwise
    -- unclear_turns: replies the give-in check could not classify
    unclear_turns INTEGER NOT NULL DEFAULT 0
);"""
BELIEFS_DDL_V3 = (
    "CREATE TABLE IF NOT EXISTS beliefs (sample_pk INTEGER NOT NULL REFERENCES samples(sample_pk) ON DELETE CASCADE, "
    "question_index INTEGER NOT NULL, question TEXT NOT NULL, neutral_answer TEXT NOT NULL, belief TEXT NOT NULL, "
    "pressured_answer TEXT, final TEXT, flipped INTEGER, direction TEXT, PRIMARY KEY (sample_pk, question_index))"
)
"""beliefs as schema 3 made it (migration 3 adds belief_read and final_read)."""
ADAPTIVE_DDL_V3 = (
    "CREATE TABLE IF NOT EXISTS adaptive_outcomes (sample_pk INTEGER PRIMARY KEY REFERENCES samples(sample_pk) "
    "ON DELETE CASCADE, stopped TEXT NOT NULL, turns INTEGER NOT NULL, breaking_turn INTEGER)"
)
"""adaptive_outcomes as schema 3 made it (migration 3 adds unclear_turns)."""

DDL = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,            -- Inspect eval_id of the task run (one per target model)
    study_id TEXT NOT NULL,             -- groups the runs started by one `pressure-sense run`
    created_at TEXT NOT NULL,           -- ISO 8601 UTC
    model TEXT NOT NULL,                -- target model name as given (e.g. "embedded", "openai/gpt-4o")
    judge TEXT,                         -- judge model name(s), comma separated; NULL when not judged
    log_path TEXT,                      -- the Inspect .eval log
    status TEXT NOT NULL,               -- started | success | error | cancelled
    config TEXT NOT NULL DEFAULT '{}',  -- JSON: scenarios, variants, epochs, max_turns, versions
    source TEXT NOT NULL DEFAULT 'run', -- run | import
    task_id TEXT                        -- Inspect task_id: a retried or resumed task keeps its run_id
);
CREATE TABLE IF NOT EXISTS samples (
    sample_pk INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    sample_id TEXT NOT NULL,            -- "{scenario_id}:{variant}"
    epoch INTEGER NOT NULL,
    model TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    variant TEXT NOT NULL,              -- Variant.name, e.g. chat+reasoning
    reasoning INTEGER NOT NULL,         -- 0/1
    mode TEXT NOT NULL,                 -- chat | agent
    condition TEXT NOT NULL,            -- scripted | control | adaptive
    status TEXT NOT NULL,               -- success | error
    error TEXT,
    total_tokens INTEGER,
    finished_at TEXT,
    UNIQUE (run_id, sample_id, epoch)
);
CREATE TABLE IF NOT EXISTS turns (
    sample_pk INTEGER NOT NULL REFERENCES samples(sample_pk) ON DELETE CASCADE,
    turn_index INTEGER NOT NULL,
    pressure_types TEXT NOT NULL,       -- JSON list
    intensity INTEGER NOT NULL,
    source TEXT NOT NULL,               -- script | control | pressurer | belief_probe
    user_content TEXT NOT NULL,
    reasoning TEXT,                     -- the private scratchpad, NULL when absent
    output TEXT NOT NULL,               -- what the user saw
    error TEXT,
    PRIMARY KEY (sample_pk, turn_index)
);
CREATE TABLE IF NOT EXISTS messages (
    sample_pk INTEGER NOT NULL REFERENCES samples(sample_pk) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,                 -- system | user | assistant | tool
    turn_index INTEGER,                 -- NULL for the system message
    content TEXT NOT NULL,              -- full text as the model saw or wrote it
    reasoning TEXT,
    output TEXT,
    PRIMARY KEY (sample_pk, position)
);
CREATE TABLE IF NOT EXISTS tool_events (
    sample_pk INTEGER NOT NULL REFERENCES samples(sample_pk) ON DELETE CASCADE,
    turn_index INTEGER NOT NULL,
    call_id TEXT NOT NULL,
    function TEXT NOT NULL,
    arguments TEXT NOT NULL,            -- JSON
    result TEXT NOT NULL,
    harmful INTEGER NOT NULL,
    escalation INTEGER NOT NULL,
    report INTEGER NOT NULL,
    PRIMARY KEY (sample_pk, turn_index, call_id)
);
CREATE TABLE IF NOT EXISTS judgements (
    judgement_pk INTEGER PRIMARY KEY,
    sample_pk INTEGER NOT NULL REFERENCES samples(sample_pk) ON DELETE CASCADE,
    turn_index INTEGER,                 -- NULL for the whole conversation
    rubric TEXT NOT NULL DEFAULT 'conversation',  -- the rubric judged: conversation | actions | give_in | a user's
    judge TEXT NOT NULL,                -- the judge as the user named it; scenario-flags for measured scores
    method TEXT NOT NULL,               -- json | logprob | flags (measured from tool flags, not judged) | trained
    disagreement INTEGER,               -- reasoning and output disagree (0/1), NULL when unknown
    disagreement_rationale TEXT,
    error TEXT,                         -- set when the judgement could not be parsed
    raw TEXT,                           -- the judge's raw text, kept when it failed
    attempts INTEGER NOT NULL DEFAULT 1,
    cut_chars INTEGER NOT NULL DEFAULT 0, -- quoted characters cut to fit a small judge's context
    -- asked: JSON list of every dimension asked (one without a score or flag failed)
    asked TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS scores (
    judgement_pk INTEGER NOT NULL REFERENCES judgements(judgement_pk) ON DELETE CASCADE,
    dimension TEXT NOT NULL,            -- a dimension of the judgement's rubric
    score REAL NOT NULL,                -- 1..5 (probability-weighted means may be fractional); harmful_action 0/1
    rationale TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (judgement_pk, dimension)
);
CREATE TABLE IF NOT EXISTS errors (
    error_pk INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    sample_pk INTEGER,
    turn_index INTEGER,
    stage TEXT NOT NULL,                -- target | judge | sample | run
    message TEXT NOT NULL,
    raw TEXT
);
CREATE INDEX IF NOT EXISTS samples_by_run ON samples(run_id);
CREATE INDEX IF NOT EXISTS judgements_by_sample ON judgements(sample_pk);
CREATE INDEX IF NOT EXISTS errors_by_sample ON errors(sample_pk);
""" + BELIEFS_DDL + ADAPTIVE_DDL

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "ALTER TABLE runs ADD COLUMN task_id TEXT",
        "CREATE INDEX IF NOT EXISTS errors_by_sample ON errors(sample_pk)",
    ),
    2: (BELIEFS_DDL_V3, ADAPTIVE_DDL_V3),
    3: (
        "ALTER TABLE judgements ADD COLUMN rubric TEXT NOT NULL DEFAULT 'conversation'",
        "ALTER TABLE judgements ADD COLUMN cut_chars INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE judgements ADD COLUMN asked TEXT NOT NULL DEFAULT '[]'",
        "UPDATE judgements SET rubric = 'actions' WHERE method = 'flags' OR judgement_pk IN "
        "(SELECT judgement_pk FROM scores WHERE dimension IN ('harmful_action', 'escalation', 'report_honesty'))",
        "ALTER TABLE adaptive_outcomes ADD COLUMN unclear_turns INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE beliefs ADD COLUMN belief_read TEXT",
        "ALTER TABLE beliefs ADD COLUMN final_read TEXT",
    ),
}
"""Statements that bring a database from version N to N + 1."""
