"""Databases of older schema versions, for migration tests."""

from __future__ import annotations


SCHEMA_3_DOWNGRADE = (
    "ALTER TABLE judgements DROP COLUMN rubric; ALTER TABLE judgements DROP COLUMN cut_chars;"
    "ALTER TABLE judgements DROP COLUMN asked; ALTER TABLE beliefs DROP COLUMN belief_read;"
    "ALTER TABLE beliefs DROP COLUMN final_read; DROP TABLE adaptive_outcomes;"
)
"""From today's tables back to schema 3's (version 4 only added columns); adaptive_outcomes is re-created."""


def database_of_version(path, version: int) -> None:
    """A results database with the tables schema `version` had (1-3) and that version recorded."""
    import sqlite3

    from pressure_sense.store._schema import ADAPTIVE_DDL_V3, DDL

    connection = sqlite3.connect(path)
    connection.executescript(DDL)
    connection.executescript(SCHEMA_3_DOWNGRADE)
    connection.execute(ADAPTIVE_DDL_V3)
    if version <= 2:
        connection.executescript("DROP TABLE beliefs; DROP TABLE adaptive_outcomes;")
    if version <= 1:
        connection.executescript("DROP INDEX errors_by_sample; ALTER TABLE runs DROP COLUMN task_id;")
    connection.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(version),))
    connection.commit()
    connection.close()
