"""Helper model roles (pressurer, grader, simulator), defaulting to the embedded model."""

from inspect_ai.model import Model, get_model

EMBEDDED_MODEL = "embedded/smollm2-135m-instruct"
"""The Inspect name of the embedded default model."""


def role_model(role: str) -> Model:
    """The model given for `role` in the eval's model roles, else the embedded model."""
    return get_model(role=role, default=EMBEDDED_MODEL)
