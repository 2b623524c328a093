"""Inspect entry point: registers the task, the model providers and the results-store hook."""

from pressure_sense import models, store  # noqa: F401  (registration on import)
from pressure_sense.study import pressure_study  # noqa: F401  (registers the task)
