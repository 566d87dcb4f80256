"""Issue 12 item 8: the run summary that evaluate writes states the run's own clock time and links its files."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from credit.rules import rules_for_year
from tasks.render import render_outputs
from tests.service.fake_evaluation import evaluation_input
from tests.support.builders import clean_drop

RULES = rules_for_year(2025, index_version="jc-2024.1")
AS_OF = date(2026, 1, 20)
BY_VALIDATION = {"data_docs", "validation_report"}  # written by the validate task, not by render_outputs
AT = datetime(2026, 1, 21, 15, 4, 5, tzinfo=timezone(timedelta(hours=8)))


def written(tmp_path, **options) -> tuple[dict, str]:
    given = evaluation_input(clean_drop(), RULES, AS_OF)
    paths = render_outputs(tmp_path, drop=given.drop, validated=given.validated, scored=given.scored, rules=RULES,
                           as_of=AS_OF, **options)
    summary = json.loads(paths["summary_json"].read_text(encoding="utf-8"))
    return summary, paths["summary_html"].read_text(encoding="utf-8")


def test_the_summary_states_the_clock_time_the_flow_passes_not_as_of(tmp_path):
    summary, html = written(tmp_path, generated_at=AT)
    assert summary["generated_at"] == "2026-01-21 15:04:05 +08:00" and summary["as_of"] == "2026-01-20"
    assert "<dt>生成时间</dt><dd>2026-01-21 15:04:05 +08:00</dd>" in html


def test_every_output_of_the_summary_is_a_relative_link_to_a_file_beside_it(tmp_path):
    summary, html = written(tmp_path, generated_at=AT)
    for output in summary["outputs"]:
        assert f'<a href="{output["href"]}">' in html
        target = tmp_path / output["href"]
        assert target.is_file() or output["name"] in BY_VALIDATION, output
    assert {o["name"] for o in summary["outputs"]} >= {"results", "findings", "publicity_xlsx", "summary_json"}
