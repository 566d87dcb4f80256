"""Issue 12 item 6: validation/report.html is Chinese, self-contained, and opens with the network blocked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.validation import REPORT_NAME, validate_drop
from tests.browser.test_data_docs import AUTO, COUNTIES, EVENT, SCRIPT, hostile_drop


@pytest.fixture(scope="module")
def validated_out(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("validation")
    validated = validate_drop(hostile_drop(), event_indicators=EVENT, auto_indicators=AUTO, counties=COUNTIES,
                              docs_dir=out / "data-docs")
    return validated, out / REPORT_NAME


def test_the_report_opens_offline_and_lists_counts_rows_and_warnings(browser, validated_out, artifacts: Path) -> None:
    validated, report = validated_out
    page = browser.new_page()
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    text = page.inner_text("body")
    title = page.title()
    page.screenshot(path=str(artifacts / "validation-report.png"), full_page=True)
    page.close()
    assert outside == []
    assert title == "输入数据校验报告"
    assert "各表读取、接受、隔离行数" in text and "机构名录" in text
    counts = validated.counts
    assert (counts["read"] == counts["accepted"] + counts["quarantined"]).all()
    assert f"被隔离的行（{len(validated.quarantine)} 行）" in text
    assert f"保留但有疑点的行（{len(validated.warnings)} 行）" in text
    assert SCRIPT in text  # the hostile value is shown, as text
    for record in validated.quarantine.head(5).to_dict("records"):
        assert str(record["file"]) in text and str(record["column"]) in text


def test_the_report_has_no_script_and_no_external_resource(validated_out) -> None:
    html = validated_out[1].read_text(encoding="utf-8")
    assert "<script" not in html
    assert "http://" not in html and "https://" not in html
    assert 'href="data-docs/index.html"' in html


def test_the_run_summary_links_the_report() -> None:
    from tasks.render import OUTPUTS

    assert OUTPUTS["validation_report"][0] == "validation/report.html"
