"""Helper model roles (pressurer, grader, simulator), defaulting to the embedded model."""

from inspect_ai.model import Model, get_model

from pressure_sense.models import EMBEDDED_MODEL


def role_model(role: str) -> Model:
    """The model given for `role` in the eval's model roles, else the embedded model."""
    return get_model(role=role, default=EMBEDDED_MODEL)
