"""The interp page in a real headless Chromium: CircuitsVis views render from the inlined bundle, nothing is
fetched from the network, and model text never runs."""

from __future__ import annotations

import pytest

from pressure_sense.interp import InterpSettings, run_interp, stored_conversations
from tests.browser import open_page, requested_urls

pytestmark = pytest.mark.slow


def test_interp_page_renders_offline_and_never_runs_model_text(browser, tmp_path, tiny_folder, judged_store) -> None:
    pytest.importorskip("transformer_lens")
    settings = InterpSettings(layers=(0, 1), shuffles=1, mask_heads=2)
    result = run_interp(tmp_path / "out", stored=stored_conversations(judged_store), model=str(tiny_folder),
                        settings=settings)  # fmt: skip
    driver = browser
    open_page(driver, result.html)
    assert driver.title == "Pressure-Sense interpretability"
    rendered = driver.execute_script(
        "return Array.from(document.querySelectorAll('.circuitsvis-view')).map(e => e.querySelectorAll('*').length);"
    )
    assert len(rendered) == 2 and min(rendered) > 20, rendered  # React drew each AttentionHeads view
    assert "Head Selector" in driver.find_element("css selector", "#circuitsvis-view-1").text
    images = driver.find_elements("css selector", "figure.chart img")
    assert images and all(driver.execute_script("return arguments[0].naturalWidth > 100;", image) for image in images)
    assert driver.execute_script("return window.__pwned === undefined;")
    urls = requested_urls(driver)
    assert urls and all(url.startswith(("file:", "data:")) for url in urls), urls
    assert not [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
