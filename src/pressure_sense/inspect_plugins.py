"""Inspect plugins at start-up: load the installed ones except those Pressure-Sense never uses.

TransformerLens 4.x (the `interp` extra) registers the Inspect providers `tl_bridge` and `tl_bridge_vllm`, whose
import costs about 5 s and 550 MB on every run; no model name of ours reaches them. So the command line loads every
other plugin itself and marks the set complete, and Inspect's `ensure_entry_points()` then skips the deferred ones.
"""

from __future__ import annotations

from importlib.metadata import entry_points

DEFERRED_PLUGIN_PACKAGES = frozenset({"transformer_lens"})
"""Top-level packages whose Inspect plugins the command line leaves unloaded."""


def load_inspect_plugins(deferred: frozenset[str] = DEFERRED_PLUGIN_PACKAGES) -> list[str]:
    """Load every Inspect plugin except those from `deferred` packages; return the skipped names.

    Call it once per process, before the first model or eval. When Inspect's bookkeeping is not where this
    expects it (another Inspect version), it loads nothing and Inspect behaves as usual, only slower.
    """
    try:
        from inspect_ai._util import entrypoints as inspect_plugins
    except ImportError:
        return []
    if getattr(inspect_plugins, "_inspect_ai_eps_loaded_all", None) is not False:  # already loaded, or unknown
        return []
    skipped: list[str] = []
    for plugin in entry_points(group="inspect_ai"):
        if plugin.module.split(".")[0] in deferred:
            skipped.append(plugin.name)
        else:
            inspect_plugins.ensure_entry_points(plugin.name)
    inspect_plugins._inspect_ai_eps_loaded_all = True
    return skipped
