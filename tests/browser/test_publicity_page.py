"""The rendered publicity.html in headless chromium: R-15 (what the public sees), R-20 (nothing runs)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from reports.render import render_publicity_html
from tests.golden.publicity_sample import SCRIPT_NAME, sample_context

pytestmark = pytest.mark.browser

ROWS_PER_COUNTY = {"城区": 2, "泽州县": 2, "高平市": 1, "阳城县": 1, "陵川县": 0, "沁水县": 0}


def open_page(browser, url: str, **context_options):
    """A page that records dialogs, console errors, page errors and every request's host."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    seen = {"dialogs": [], "errors": [], "hosts": set()}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["hosts"].add(urlsplit(r.url).hostname or urlsplit(r.url).scheme))
    page.goto(f"{url}/publicity.html", wait_until="load")
    return context, page, seen


def test_R15_R20_publicity_page_shows_title_window_and_rows_per_county_and_runs_nothing(browser, serve, artifacts):
    url = serve({"publicity.html": render_publicity_html(sample_context())})
    context, page, seen = open_page(browser, url, viewport={"width": 1100, "height": 900})
    try:
        assert page.title() == "晋城市社会环境监测机构2025年度信用风险等级评价结果公示"
        assert page.locator("h1").inner_text() == page.title()
        assert page.locator("p.window").inner_text() == "公示期：2026年1月22日至2026年2月11日（15个工作日）"
        for county, count in ROWS_PER_COUNTY.items():
            assert page.locator(f'table[data-county="{county}"] tbody tr').count() == count, county
            if count == 0:
                assert "本次无参评机构" in page.locator(f'section[data-county="{county}"]').inner_text()
        # the name is text on the page, not an element
        assert page.get_by_role("rowheader", name=SCRIPT_NAME, exact=True).is_visible()
        assert page.locator("main script").count() == 0
        assert page.get_by_text("D级（第十七条第（七）项）").is_visible()
        assert page.get_by_text("不予评定", exact=True).first.is_visible()
        page.screenshot(path=str(artifacts / "publicity.png"), full_page=True)
        assert seen["dialogs"] == []
        assert seen["errors"] == []
        assert seen["hosts"] == {"127.0.0.1"}
    finally:
        context.close()


def test_R15_draft_page_reads_on_a_phone_without_page_wide_horizontal_scrolling(browser, serve, artifacts):
    url = serve({"publicity.html": render_publicity_html(sample_context(draft=True))})
    context, page, seen = open_page(
        browser, url, viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    try:
        assert page.locator("p.draft").inner_text().startswith("草稿（未发布）")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(artifacts / "publicity-phone.png"), full_page=True)
        assert seen["dialogs"] == [] and seen["errors"] == [] and seen["hosts"] == {"127.0.0.1"}
    finally:
        context.close()
