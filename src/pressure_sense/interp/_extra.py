"""The optional `interp` extra: which of its packages are missing, and the error that says what to install."""

from __future__ import annotations

import importlib.util

INTERP_INSTALL = "pip install 'pressure-sense[interp]'"
"""The command that installs everything `pressure-sense interp` needs."""

INTERP_PACKAGES = {"transformer_lens": "transformer-lens", "circuitsvis": "circuitsvis", "sklearn": "scikit-learn"}
"""Module imported by interp -> the pip package that provides it."""


class InterpError(Exception):
    """Interpretability cannot run or cannot read its input; the message says what to do."""


def missing_interp_packages() -> list[str]:
    """The pip names of the interp extra's packages that are not installed (never imports them)."""
    return [package for module, package in INTERP_PACKAGES.items() if importlib.util.find_spec(module) is None]


def require_interp_extra() -> None:
    """Raise InterpError naming the install command when a package of the interp extra is missing."""
    missing = missing_interp_packages()
    if missing:
        raise InterpError(
            f"pressure-sense interp needs the interp extra (missing: {', '.join(missing)}). "
            f"Install it with: {INTERP_INSTALL}"
        )
