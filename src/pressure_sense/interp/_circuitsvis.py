"""CircuitsVis attention views that work offline: the package's bundled JavaScript, inlined once per page."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from pressure_sense.interp._extra import INTERP_INSTALL, InterpError

BUNDLE = Path("dist") / "cdn" / "iife.js"
"""CircuitsVis's browser build inside the installed Python package (defines the global `CircuitsVis`)."""


def bundle_path() -> Path:
    """The installed package's bundled CircuitsVis JavaScript."""
    spec = importlib.util.find_spec("circuitsvis")
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = Path(locations[0]) / BUNDLE if locations else None
    if path is None or not path.is_file():
        raise InterpError(
            f"the circuitsvis package or its bundled {BUNDLE} is missing; install it with: {INTERP_INSTALL}"
        )
    return path


def inline_script(source: str) -> str:
    """JavaScript made safe inside an inline <script>: no early end tag, no comment opener, no source map."""
    source = re.sub(r"//# sourceMappingURL=\S*\s*$", "", source)
    source = re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)
    return source.replace("<!--", "<\\!--")


def circuitsvis_script() -> str:
    """The CircuitsVis bundle, ready to inline in a page (about 1.3 MB)."""
    return inline_script(bundle_path().read_text(encoding="utf-8"))


def script_json(value: Any) -> str:
    """JSON that can sit inside a <script> element: <, > and & are written as unicode escapes."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for character, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(character, escape)
    return text


def attention_heads_props(tokens: list[str], attention: np.ndarray, layer: int) -> dict[str, Any]:
    """Props of CircuitsVis's AttentionHeads view: attention [head, destination, source] over `tokens`."""
    return {
        "tokens": tokens,
        "attention": np.round(attention.astype(float), 4).tolist(),
        "attentionHeadNames": [f"L{layer}H{head}" for head in range(attention.shape[0])],
        "maskUpperTri": True,
    }
