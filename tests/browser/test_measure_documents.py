"""The 第十条 measure documents in headless chromium: R-07 (书面告知书, 约见谈话通知书 print on A4),
R-20 (a name with <script> shows as text, nothing runs, nothing is fetched)."""

from __future__ import annotations

import re

import pytest

from reports.measures import MEASURE_TITLES, render_measure_html
from tests.browser.test_lifecycle_pages import assert_quiet, open_document
from tests.golden.publicity_sample import SCRIPT_NAME
from tests.unit.test_measure_documents import measure

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", sorted(MEASURE_TITLES))
def test_R07_R20_measure_document_shows_its_title_and_the_script_name_as_text_and_prints_on_A4(
    browser, serve, artifacts, kind
):
    facts = measure(kind, institution_name=SCRIPT_NAME, facts=f"记录中写有{SCRIPT_NAME}")
    context, page, seen = open_document(browser, serve, f"{kind}.html", render_measure_html(facts))
    try:
        assert page.title() == f"{MEASURE_TITLES[kind]}（{facts['document_no']}）"
        assert page.locator("h1").inner_text() == MEASURE_TITLES[kind]
        assert page.locator(".docno").inner_text() == facts["document_no"]
        assert page.locator(".addressee").inner_text().startswith(f"{SCRIPT_NAME}（统一社会信用代码：")
        assert page.get_by_text(f"记录中写有{SCRIPT_NAME}", exact=True).is_visible()
        assert page.locator("script").count() == 0
        assert "第十条第（一）项" in page.locator("#basis").inner_text()
        assert page.locator('#credit [data-indicator="YW-05"]').is_visible()
        assert page.locator(".signature p").all_inner_texts() == ["晋城市生态环境局", "2026年3月2日"]
        page.screenshot(path=str(artifacts / f"measure_{kind}.png"), full_page=True)
        pdf = page.pdf(path=str(artifacts / f"measure_{kind}.pdf"), format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        assert 1 <= len(re.findall(rb"/Type\s*/Page\b", pdf)) <= 2  # one letter, at most two A4 sheets
        assert_quiet(seen)
    finally:
        context.close()


def test_R07_interview_notice_states_when_and_where_to_attend(browser, serve):
    context, page, seen = open_document(
        browser, serve, "interview.html", render_measure_html(measure("interview"))
    )
    try:
        arrangement = page.locator("#requirement dl").inner_text()
        assert "2026年3月5日（星期四）9:30" in arrangement
        assert "晋城市生态环境局三楼会议室" in arrangement
        assert "法定代表人或主要负责人" in arrangement
        assert page.locator("#requirement time").get_attribute("datetime") == "2026-03-05T09:30"
        assert_quiet(seen)
    finally:
        context.close()
