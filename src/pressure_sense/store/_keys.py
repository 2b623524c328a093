"""Names the store shares with the tasks that write to it."""

STUDY_METADATA_KEY = "pressure_sense"
"""Task metadata key holding {"db": path, "study_id": ..., "model_label": ..., "judge": ...}: a task that has it
is written to that results store as its samples finish."""
