"""Golden test of the run summary (运行报告) that `evaluate` writes beside its outputs."""

from __future__ import annotations

import pandas as pd

from reports.render import render_run_summary_html
from tests.golden.publicity_sample import sample_results

COUNTS = pd.DataFrame(
    [
        ["institutions", "institutions.csv", 16, 15, 1],
        ["activities", "activities.csv", 120, 118, 2],
        ["credit_events", "credit_events.csv", 30, 30, 0],
    ],
    columns=["table", "file", "read", "accepted", "quarantined"],
)


def summary(**overrides) -> dict:
    value = {
        "drop": "data/sample-drop",
        "snapshot": "sha256:a84cf5b5a1e54023533145b57fb772105d6da513c620a12d6827c0f1a755d56d",
        "year": 2025,
        "as_of": "2026-01-20",
        "index_version": "jc-2024.1",
        "generated_at": "2026-01-20 09:30:00 +08:00",
        "counts": COUNTS,
        "results": sample_results(),
        "warnings": pd.DataFrame({"file": ["activities.csv"] * 3}),
        "outputs": {"results.csv": "out/results.csv", "publicity.html": "out/publicity.html"},
        "publicity": {"publication_date": "2026-01-21", "first_day": "2026-01-22", "last_day": "2026-02-11", "draft": True},
    }
    value.update(overrides)
    return value


def test_run_summary_html_matches_its_golden_file(golden):
    golden("run_summary.html", render_run_summary_html(summary()).encode("utf-8"))


def test_run_summary_shows_counts_read_accepted_quarantined_grades_statuses_and_warnings():
    html = render_run_summary_html(summary())
    assert '<td class="num">166</td><td class="num">163</td><td class="num">3</td>' in html
    assert '<tr><th scope="row">B级</th><td class="num">2</td></tr>' in html
    assert '<tr><th scope="row">不予评定</th><td class="num">1</td></tr>' in html
    assert "校验警告：<strong>3</strong> 条" in html
    assert "<code>out/publicity.html</code>" in html
    assert "（草稿，未发布）" in html


def test_run_summary_accepts_plain_counts_instead_of_dataframes():
    html = render_run_summary_html(
        summary(counts=COUNTS.to_dict("records"), results=None, grades={"A": 3}, statuses={"rated": 3}, warnings=0)
    )
    assert '<tr><th scope="row">A级</th><td class="num">3</td></tr>' in html
    assert '<tr><th scope="row">C级</th><td class="num">0</td></tr>' in html


def test_R20_run_summary_escapes_what_it_shows():
    html = render_run_summary_html(summary(drop="<img src=x onerror=alert(1)>"))
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_run_summary_links_every_output_and_states_the_run_time_given():
    html = render_run_summary_html(summary(generated_at="2026-01-20 09:30:00 +08:00"))
    assert "<dt>生成时间</dt><dd>2026-01-20 09:30:00 +08:00</dd>" in html
    for path in ("out/results.csv", "out/publicity.html"):
        assert f'<a href="{path}"><code>{path}</code></a>' in html


def test_run_summary_counts_the_rated_apart_from_the_not_rated():
    html = render_run_summary_html(summary())
    results = sample_results()
    rated = int((results["status"] == "rated").sum())
    assert rated and rated < len(results)
    assert f"参评机构（评定信用风险等级）<strong>{rated}</strong> 家；不予评定" in html
    assert f"<strong>{len(results) - rated}</strong> 家；合计 <strong>{len(results)}</strong> 家" in html


def test_R20_run_summary_links_only_relative_paths_inside_the_output_folder():
    outputs = [{"name": n, "path": p} for n, p in
               (("a", "javascript:alert(1)"), ("b", "/etc/passwd"), ("c", "../x.csv"), ("d", "http://x.example/"))]
    html = render_run_summary_html(summary(outputs=outputs))
    assert "<a href" not in html and "<code>javascript:alert(1)</code>" in html
