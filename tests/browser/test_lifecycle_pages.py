"""The published lifecycle pages in headless chromium: R-17 (final results), R-18 (A list), R-14/R-15
(change notice), R-16 (reply letter), R-20 (data shows as text, nothing runs, nothing is fetched)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from reports.lifecycle import (
    render_a_list_html,
    render_change_notice_html,
    render_final_results_html,
    render_reply_letter,
)
from tests.golden.lifecycle_sample import (
    A_ID_2,
    REVOKED_ID,
    change_context,
    final_context,
    final_results,
    reply_rejected,
)
from tests.golden.publicity_sample import SCRIPT_NAME

pytestmark = pytest.mark.browser

ROWS_PER_COUNTY = {"城区": 2, "泽州县": 2, "高平市": 1, "阳城县": 1, "陵川县": 1, "沁水县": 1}


def assert_quiet(seen: dict) -> None:
    """R-20: no dialog (nothing ran), no console or page error, no request beyond the local server."""
    assert seen["dialogs"] == []
    assert seen["errors"] == []
    assert seen["hosts"] == {"127.0.0.1"}


def open_document(browser, serve, name: str, html: str, **options):
    """Serve `html` as `name` and open it in a fresh context that records dialogs, errors and hosts."""
    url = serve({name: html})
    context = browser.new_context(**{"viewport": {"width": 1100, "height": 900}, **options})
    page = context.new_page()
    seen = {"dialogs": [], "errors": [], "hosts": set()}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["hosts"].add(urlsplit(r.url).hostname or urlsplit(r.url).scheme))
    page.goto(f"{url}/{name}", wait_until="load")
    return context, page, seen


def test_R17_R20_final_results_page_lists_every_county_shows_the_script_name_as_text_and_fetches_nothing(
    browser, serve, artifacts
):
    context, page, seen = open_document(browser, serve, "results.html", render_final_results_html(final_context()))
    try:
        assert page.title() == "晋城市社会环境监测机构2025年度信用风险等级评价结果"
        assert page.locator("h1").inner_text() == page.title()
        for county, count in ROWS_PER_COUNTY.items():
            assert page.locator(f'table[data-county="{county}"] tbody tr').count() == count, county
        assert page.get_by_role("rowheader", name=SCRIPT_NAME, exact=True).is_visible()
        assert page.locator("main script").count() == 0
        revoked = page.locator(f'tr[data-institution-id="{REVOKED_ID}"]')
        assert "原评定等级A级已撤销，直接评定为D级（第十七条第（四）项）" in revoked.inner_text()
        assert page.get_by_text("不予评定", exact=True).first.is_visible()
        totals = page.locator("table.counts tfoot td").all_inner_texts()
        assert totals == ["2", "2", "1", "2", "1", "8"]
        page.screenshot(path=str(artifacts / "final_results.png"), full_page=True)
        assert_quiet(seen)
    finally:
        context.close()


def test_R18_R20_a_list_page_shows_only_the_A_institutions_by_county_with_the_article_21_incentives(
    browser, serve, artifacts
):
    results = final_results()
    results.loc[results["name"] == SCRIPT_NAME, "grade"] = "A"  # so that the A list has a <script> name too
    context, page, seen = open_document(browser, serve, "a-list.html", render_a_list_html(final_context(results=results)))
    try:
        assert page.title() == "晋城市2025年度信用风险等级较低（A级）社会环境监测机构名单"
        assert page.locator("table.list tbody tr").count() == 3
        assert page.locator('table[data-county="城区"] tbody tr').count() == 1
        assert page.locator('table[data-county="泽州县"] tbody tr').count() == 1
        assert page.locator(f'table[data-county="沁水县"] tr[data-institution-id="{A_ID_2}"]').count() == 1
        assert page.locator(f'tr[data-institution-id="{REVOKED_ID}"]').count() == 0
        assert "本年度无A级机构" in page.locator('section[data-county="陵川县"]').inner_text()
        assert page.get_by_role("rowheader", name=SCRIPT_NAME, exact=True).is_visible()
        assert "优先安排生态环境监测科研项目、专项资金或其他补助资金" in page.locator("#incentives").inner_text()
        page.screenshot(path=str(artifacts / "a_list.png"), full_page=True)
        assert_quiet(seen)
    finally:
        context.close()


def test_R17_final_results_page_reads_on_a_phone_without_page_wide_horizontal_scrolling(browser, serve, artifacts):
    context, page, seen = open_document(
        browser, serve, "results.html", render_final_results_html(final_context()),
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
    )
    try:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(artifacts / "final_results-phone.png"), full_page=True)
        assert_quiet(seen)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("shot", "render"),
    [
        ("change_notice.png", lambda: render_change_notice_html(change_context())),
        ("reply_letter.png", lambda: render_reply_letter(reply_rejected())),
    ],
)
def test_R15_R16_R20_change_notice_and_reply_letter_render_quietly(browser, serve, artifacts, shot, render):
    context, page, seen = open_document(browser, serve, "document.html", render())
    try:
        assert page.locator("h1").inner_text() == page.title()
        assert page.locator("main script").count() == 0
        page.screenshot(path=str(artifacts / shot), full_page=True)
        assert_quiet(seen)
    finally:
        context.close()
