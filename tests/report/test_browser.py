"""The report in a real headless Chromium (Debian's chromium + chromium-driver): renders, filters,
makes no network request, and never runs model text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import open_page, requested_urls
from tests.report.hostile_study import PAYLOAD

pytestmark = pytest.mark.slow


def _visible_rows(driver, selector: str) -> int:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).filter(r => r.offsetParent !== null).length;",
        selector,
    )


def test_report_renders_filters_and_stays_offline(browser, hostile_report, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser
    open_page(driver, hostile_report.html)
    assert driver.title == "Pressure-Sense report"
    images = driver.find_elements(By.CSS_SELECTOR, "figure.chart img")
    assert len(images) == len(hostile_report.charts)
    assert all(
        driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 100;", i) for i in images
    )
    assert _visible_rows(driver, "#transcript-rows tr") == hostile_report.n_embedded == 24
    assert driver.find_elements(By.CSS_SELECTOR, "#transcript-detail .turn")

    Select(driver.find_element(By.ID, "filter-model")).select_by_value("model-a")
    assert _visible_rows(driver, "#transcript-rows tr") == 12
    assert _visible_rows(driver, 'table[data-table="means"] tbody tr') == 4
    Select(driver.find_element(By.ID, "filter-variant")).select_by_value("chat+reasoning")
    assert _visible_rows(driver, "#transcript-rows tr") == 6
    assert _visible_rows(driver, 'table[data-table="means"] tbody tr') == 2
    assert _visible_rows(driver, "figure.chart") == 5 + 1  # this variant's charts + the breaking points
    assert "6 of 24 embedded conversations shown" in driver.find_element(By.ID, "transcript-count").text
    Select(driver.find_element(By.ID, "filter-model")).select_by_value("")
    Select(driver.find_element(By.ID, "filter-variant")).select_by_value("")
    assert _visible_rows(driver, "#transcript-rows tr") == 24

    driver.save_screenshot(str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").read_bytes()[:4] == b"\x89PNG"
    urls = requested_urls(driver)
    assert urls and all(url.startswith(("file:", "data:")) for url in urls), urls


def test_hostile_model_output_is_shown_as_text_and_never_runs(browser, hostile_report) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    open_page(driver, hostile_report.html)
    rows = driver.find_elements(By.CSS_SELECTOR, "#transcript-rows tr")
    for row in rows:
        row.click()
        blocks = driver.find_elements(By.CSS_SELECTOR, "#transcript-detail .turn")
        if any(PAYLOAD in block.get_attribute("textContent") for block in blocks):
            break
    else:
        pytest.fail("the conversation with the hostile output is not in the viewer")
    turn = driver.find_element(By.CSS_SELECTOR, '#transcript-detail .turn[data-turn="1"]')
    texts = [
        node.get_attribute("textContent")
        for node in turn.find_elements(By.CSS_SELECTOR, ".output, .reasoning, .tool, td")
    ]
    assert sum(PAYLOAD in text for text in texts) == 4  # output, reasoning, tool result, judge rationale
    tool = turn.find_element(By.CSS_SELECTOR, ".tool").get_attribute("textContent")
    assert tool.startswith('tool call (harmful)send_message({"text": "<b>hi</b>"})')
    assert driver.execute_script("return typeof window.__pwned;") == "undefined"
    assert not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"], a[href^="javascript"], #transcript-detail script')
    assert 'evil<b>"model"</b>' in [
        o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#filter-model option")
    ]
    assert not driver.find_elements(By.CSS_SELECTOR, "option b")
    urls = requested_urls(driver)
    assert all(url.startswith(("file:", "data:")) for url in urls), urls
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_agentic_sections_render_and_filter(browser, agentic_report) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser
    open_page(driver, agentic_report.html)
    for key in agentic_report.sections:
        assert driver.find_element(By.ID, key).is_displayed()
    images = driver.find_elements(By.CSS_SELECTOR, "section#agent-vs-chat figure.chart img, section#belief-flips img")
    assert len(images) == 3
    assert all(
        driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 100;", i) for i in images
    )
    flips = 'table[data-table="belief_flips"] tbody tr'
    total = _visible_rows(driver, flips)
    Select(driver.find_element(By.ID, "filter-model")).select_by_value("m1")
    assert _visible_rows(driver, flips) == total // 2
    Select(driver.find_element(By.ID, "filter-variant")).select_by_value("agent")
    assert _visible_rows(driver, 'table[data-table="actions"] tbody tr') == 2
    assert _visible_rows(driver, flips) == 1
    urls = requested_urls(driver)
    assert all(url.startswith(("file:", "data:")) for url in urls), urls
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
