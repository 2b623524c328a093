"""A whole interp run on the tiny model: a scenario it answers itself plus judged stored conversations;
the files, the numbers, and a page that cannot reach the network or run model text."""

from __future__ import annotations

import importlib.util
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from pressure_sense.cli import app
from pressure_sense.interp import COMPLIANCE_WORDS, REFUSAL_WORDS, InterpSettings, run_interp, stored_conversations
from pressure_sense.scenarios import load_scenario
from tests.interp.conftest import HOSTILE

pytest.importorskip("transformer_lens")
pytest.importorskip("circuitsvis")

URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "ping", "manifest"}
TABLES = (
    "turns", "attention_shares", "attention_trend", "activations", "logit_lens", "probe", "head_masking",
    "behaviour", "correlations",
)  # fmt: skip


class _Resources(HTMLParser):
    """Collects everything in a page that could make the browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.csp: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("link", "iframe", "object", "embed", "base", "frame", "audio", "video", "source"):
            self.references.append(f"<{tag}>")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(values.get("content") or "")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.references.append("meta refresh")
        if tag == "script":
            self.scripts.append(values)
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value and not value.startswith(("data:", "#")):
                self.references.append(f"{tag}.{name}={value[:60]}")


def external_references(html: str) -> tuple[list[str], list[str]]:
    """(references that would load something from outside the page, Content-Security-Policy values)."""
    parser = _Resources()
    parser.feed(html)
    styles = " ".join(re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.DOTALL))
    parser.references += [f"css {match}" for match in re.findall(r"url\((?!\s*['\"]?data:)[^)]*\)|@import", styles)]
    parser.references += [f"script src={s['src']}" for s in parser.scripts if s.get("src")]
    return parser.references, parser.csp


@pytest.fixture(scope="module")
def hostile_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import TINY_SCENARIO

    path = tmp_path_factory.mktemp("scenario") / "tiny-hostile.yaml"
    path.write_text(
        TINY_SCENARIO.replace("Last chance.", f"Last chance. {HOSTILE}".replace('"', "'")), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory, tiny_folder, judged_store, hostile_scenario):
    out = tmp_path_factory.mktemp("interp-out")
    settings = InterpSettings(layers=(0, 1), max_new_tokens=6, shuffles=2, mask_heads=3)
    stored = stored_conversations(judged_store)
    return run_interp(out, scenarios=[load_scenario(hostile_scenario)], stored=stored, model=str(tiny_folder),
                      settings=settings)  # fmt: skip


def test_run_writes_the_page_parquet_tables_and_arrays(run) -> None:
    assert run.html.name == "interp.html" and run.html.is_file()
    assert sorted(path.name for path in run.files) == sorted([f"{name}.parquet" for name in TABLES] + ["interp.npz"])
    tables = {name: pd.read_parquet(run.html.parent / f"{name}.parquet") for name in TABLES}
    turns = tables["turns"]
    assert len(turns) == 4 * 5 + 3 and turns["conversation"].nunique() == 5
    assert turns["alignment"].notna().sum() == 20  # stored turns are judged, the scenario's are not
    shares = tables["attention_shares"].groupby(["conversation", "turn_index", "layer", "head"])["share"].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0, atol=1e-5)
    assert len(shares) == 23 * 2 * 4
    assert set(tables["probe"]["cv"]) == {"conversations"} and len(tables["probe"]) == 2
    assert len(tables["head_masking"]) == 3
    correlations = tables["correlations"].set_index("measure")
    assert len(correlations) == 5 and (correlations["turns"] == 20).all()
    assert correlations["spearman_rho"].between(-1, 1).all()
    activations = tables["activations"]
    assert (activations.groupby("conversation")["cosine_distance"].min().abs() < 1e-6).all()  # the calmest turn
    arrays = np.load(run.html.parent / "interp.npz")
    assert arrays["residuals"].shape == (23, 2, 64)
    assert arrays["pressure_direction"].shape == (2, 64)
    for layer in (0, 1):
        view = arrays[f"view_layer_{layer}"]
        assert view.shape[1:] == (len(arrays["view_labels"]),) * 2
        np.testing.assert_allclose(view.sum(-1), 1.0, atol=1e-4)


def test_page_is_self_contained_and_escapes_model_text(run) -> None:
    html = run.html.read_text(encoding="utf-8")
    references, csp = external_references(html)
    assert references == []
    assert csp and "default-src 'none'" in csp[0] and "connect-src" not in csp[0]
    assert html.count("var CircuitsVis=") == 1  # the bundle from the installed package, inlined once
    assert "unpkg.com" not in html and "sourceMappingURL" not in html
    assert html.count('class="circuitsvis-view"') == 2
    for props in re.findall(
        r'<script type="application/json" id="circuitsvis-props-\d+">(.*?)</script>', html, re.DOTALL
    ):
        view = json.loads(props)
        items = len(view["tokens"])
        assert np.array(view["attention"]).shape == (4, items, items)
        rounding = 0.5e-4 * items  # values are rounded to 4 decimals
        np.testing.assert_allclose(np.array(view["attention"]).sum(-1), 1.0, atol=rounding)
    assert HOSTILE not in html and "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html


def test_cli_runs_a_scenario_and_prints_the_findings(tmp_path, tiny_folder, tiny_scenario_file) -> None:
    result = CliRunner().invoke(
        app,
        ["interp", "--scenario", str(tiny_scenario_file), "--model", str(tiny_folder), "--layers", "1",
         "--max-new-tokens", "4", "--mask-heads", "2", "--shuffles", "1", "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "interp.html").is_file()
    assert "Page:" in result.output
    assert "No probe: fewer than two low- or high-intensity turns." in result.output  # intensities 2, 4, 5


def test_cli_library_mode_over_a_stored_run(tmp_path, tiny_folder, judged_store) -> None:
    result = CliRunner().invoke(
        app,
        ["interp", "--db", str(judged_store), "--run", "synthetic-study", "--model", str(tiny_folder), "--layers", "0",
         "--mask-heads", "1", "--shuffles", "1", "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(tmp_path / "turns.parquet")["conversation"].nunique() == 4
    assert "Strongest link to judged alignment:" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--layers", "7"], "layers [7] do not exist; the model has layers 0-1"),
        (["--layers", "one"], "--layers takes comma-separated layer numbers"),
        (["--high-min", "2"], "--high-min (2) must be above --low-max (2)"),
        (["--refusal-tokens", "Sorry", "--compliance-tokens", "Sorry,Yes"], "share first tokens ('Sorry')"),
        (["--model", "/nowhere"], "no Hugging Face model folder at /nowhere"),
    ],
)
def test_cli_mistakes_are_one_clear_line(tmp_path, tiny_folder, tiny_scenario_file, arguments, message) -> None:
    base = ["interp", "--scenario", str(tiny_scenario_file), "--model", str(tiny_folder), "--out", str(tmp_path)]
    result = CliRunner().invoke(app, [*base, *arguments])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_without_the_extra_the_command_says_what_to_install(monkeypatch, tiny_scenario_file, tmp_path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "transformer_lens" else real(name, *a)
    )
    result = CliRunner().invoke(app, ["interp", "--scenario", str(tiny_scenario_file), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert (
        "pressure-sense interp needs the interp extra (missing: transformer-lens). "
        "Install it with: pip install 'pressure-sense[interp]'"
    ) in " ".join(result.output.split())


def test_help_states_the_default_token_lists() -> None:
    text = " ".join(CliRunner().invoke(app, ["interp", "--help"], env={"COLUMNS": "400"}).output.split())
    assert ",".join(REFUSAL_WORDS) in text and ",".join(COMPLIANCE_WORDS) in text


def test_inlined_javascript_cannot_end_its_script_tag_early():
    from pressure_sense.interp._page import inline_script

    safe = inline_script('a = "</SCRIPT><img src=x>"; b = "</script>"; c = "<!--";')
    assert "</script" not in safe.lower() and "<!--" not in safe
