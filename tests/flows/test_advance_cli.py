"""What `credit advance` prints (第十八—二十条), in Chinese: before the publicity it says what to run; after it,
each file it wrote by folder, and a publication made after its 第二十条 deadline with the deadline and the
publication date each named."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.integration.test_cycle_status import evaluated

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-lifecycle")]


def credit(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_advance_says_what_to_run_before_the_publicity_then_what_it_wrote_and_what_was_late(var_dir, tmp_path):
    db = f"sqlite:///{tmp_path / 'credit.db'}"
    evaluated(db, var_dir)
    web, outbox = tmp_path / "web", tmp_path / "outbox"
    advance = ("advance", "--published", str(web), "--outbox", str(outbox), "--db", db, "--by", "test")

    before = credit(*advance, "--as-of", "2026-01-26").stdout
    assert "每日推进（2026-01-26）：没有需要推进的评价结果" in before and "未写入文件" in before
    assert "2025年度评价结果尚未公示：请先运行 credit publicize --year 2025 --on YYYY-MM-DD" in before

    shown = credit("publicize", "--year", "2025", "--on", "2026-02-02", "--out", str(tmp_path / "pub"), "--db", db,
                   "--by", "test").stdout
    assert "公示期 2026-02-02 至 2026-02-28（15个工作日）" in shown and "working days" not in shown

    after = credit(*advance, "--as-of", "2026-03-13")  # determined 03-01, to be published by 03-10
    assert "已确定15项、已公布15项、已共享15项" in after.stdout and "尚未公示" not in after.stdout
    assert f"已写入 {web / '2025'}：final_results.html、final_results.csv" in after.stdout
    assert f"已写入 {outbox / '2025-001'}：" in after.stdout and "files written" not in after.stdout
    assert "公布期限（第二十条） 2026-03-10，实际公布日期 2026-03-13，逾期3个工作日" in after.stderr
    assert after.stderr.count("逾期：") == 1  # the 15 results of one deadline: one line, counted
    assert "等15家" in after.stderr
