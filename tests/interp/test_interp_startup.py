"""TransformerLens stays out of every start-up: the command line imports no interp package, and Inspect
skips TransformerLens's plugins once the command line has loaded the others (fresh interpreters)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

HEAVY = ("transformer_lens", "circuitsvis", "sklearn", "torch")


def _run(code: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_the_command_line_imports_no_interp_package() -> None:
    loaded = _run(
        "import json, sys; import pressure_sense.cli; "
        f"print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))"
    )
    assert loaded == []


@pytest.mark.skipif(importlib.util.find_spec("transformer_lens") is None, reason="the interp extra is not installed")
def test_inspect_start_up_skips_the_transformer_lens_plugins() -> None:
    result = _run(
        "import json, sys\n"
        "from pressure_sense.inspect_plugins import load_inspect_plugins\n"
        "skipped = load_inspect_plugins()\n"
        "from inspect_ai.hooks._startup import init_hooks\n"
        "from inspect_ai.hooks._hooks import get_all_hooks\n"
        "from inspect_ai._util.registry import registry_info\n"
        "from inspect_ai.model import get_model\n"
        "init_hooks()\n"
        "model = get_model('mockllm/model')\n"
        "print(json.dumps({'skipped': skipped, 'imported': 'transformer_lens' in sys.modules,\n"
        "                  'hooks': [registry_info(hook).name for hook in get_all_hooks()],\n"
        "                  'again': load_inspect_plugins()}))"
    )
    assert result["skipped"] == ["tl_bridge", "tl_bridge_vllm"]
    assert result["imported"] is False
    assert "pressure_sense/pressure_sense_store" in result["hooks"]  # other plugins still load
    assert result["again"] == []


def test_an_argument_mistake_is_named_before_torch_is_imported() -> None:
    result = _run(
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from pressure_sense.cli import app\n"
        "done = CliRunner().invoke(app, ['interp', '--high-min', '1', '--low-max', '2'])\n"
        f"print(json.dumps({{'code': done.exit_code, 'output': done.output,\n"
        f"                  'loaded': [name for name in {HEAVY!r} if name in sys.modules]}}))"
    )
    assert result["code"] == 2 and "must be above --low-max" in result["output"]
    assert result["loaded"] == []
