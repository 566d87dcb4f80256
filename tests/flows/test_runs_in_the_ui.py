"""Issue 10 items 2, 4, 5 for the annual evaluation and the site build: what a run shows in Prefect's UI,
the calendar checked before anything is stored, and outputs replaced whole or not at all."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from cli.main import app
from flows.annual_evaluation import annual_evaluation
from flows.site_build import site_build
from store import models
from tests.support.paths import EXAMPLE_DROP
from tests.support.prefect_runs import artifacts, logs_to_api, run_logs

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

AS_OF = date(2026, 1, 20)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def results_stored(db_url: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(models.Result))
    engine.dispose()
    return int(count or 0)


@pytest.fixture
def broken_drop(tmp_path) -> Path:
    """The example drop without the filed_on column of changes.csv: a structural error."""
    drop = tmp_path / "drop"
    shutil.copytree(EXAMPLE_DROP, drop)
    path = drop / "changes.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    index = lines[0].split(",").index("filed_on")
    path.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines)
                    + "\n", encoding="utf-8")
    return drop


def test_the_evaluation_and_the_site_build_publish_their_artifacts_and_their_own_log_lines(tmp_path, var_dir):
    db_url = f"sqlite:///{tmp_path / 'credit.db'}"
    with logs_to_api():
        state = annual_evaluation(drop=str(EXAMPLE_DROP), year=2025, out=str(tmp_path / "out"), as_of=AS_OF,
                                  db_url=db_url, by="test", return_state=True)
        assert state.is_completed()
        lines = [log.message for log in run_logs(state.state_details.flow_run_id)]
    assert any("activities.csv：读取 906 行，接受 906 行，隔离 0 行" in line for line in lines)
    assert any(line.startswith("存储：新增 ") for line in lines)
    assert any(f"输出文件夹 {(tmp_path / 'out').resolve()}" in line for line in lines)

    summary = artifacts("evaluation-2025")[0]
    assert summary.type == "markdown" and summary.flow_run_id == state.state_details.flow_run_id
    assert "2025年度" in summary.data and "| activities | activities.csv | 906 | 906 | 0 |" in summary.data
    assert "公示名单（草稿）" in summary.data and str((tmp_path / "out").resolve()) in summary.data
    table = artifacts("evaluation-2025-grades-by-county")[0]
    rows = json.loads(table.data)
    assert table.type == "table" and rows[-1]["县（市、区）"] == "合计" and rows[-1]["合计"] == 15
    assert sum(row["A级"] for row in rows[:-1]) == rows[-1]["A级"] == 7

    built = site_build(out=str(tmp_path / "site"), as_of=date(2026, 1, 21), db_url=db_url, return_state=True)
    assert built.is_completed()
    site = artifacts("site-build")[0]
    assert site.flow_run_id == built.state_details.flow_run_id and str((tmp_path / "site").resolve()) in site.data


def test_a_structural_input_error_is_logged_once_and_without_a_traceback(tmp_path, var_dir, broken_drop):
    """As a worker runs a deployment: the task, the flow and the engine each log a failure (three tracebacks)."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import flow_run_logger, run_flow

    from tasks.drop_io import StructuralError

    parameters = {"drop": str(broken_drop), "year": 2025, "out": str(tmp_path / "out"), "as_of": "2026-01-20",
                  "db_url": f"sqlite:///{tmp_path / 'c.db'}", "by": "test"}
    with logs_to_api():
        with get_client(sync_client=True) as client:
            flow_run = client.create_flow_run(annual_evaluation, parameters=parameters)
        with pytest.raises(StructuralError):
            run_flow(annual_evaluation, flow_run=flow_run, error_logger=flow_run_logger(flow_run))
        logs = run_logs(flow_run.id)
    said = [log.message for log in logs if "filed_on" in log.message and not log.message.startswith("Finished in")]
    assert len(said) == 1, said  # besides the task's and the flow's final states, which name it too
    assert "changes.csv, column 'filed_on': required column missing" in said[0]
    assert not any("Traceback" in log.message for log in logs)
    assert not (tmp_path / "out").exists()


def test_a_run_failing_half_way_leaves_the_previous_outputs_byte_identical(tmp_path, var_dir, monkeypatch):
    db_url, out = f"sqlite:///{tmp_path / 'credit.db'}", tmp_path / "out"
    annual_evaluation(drop=str(EXAMPLE_DROP), year=2025, out=str(out), as_of=AS_OF, db_url=db_url, by="test")
    (out / "note.txt").write_text("not the evaluation's: stays", encoding="utf-8")
    before = tree(out)

    def broken(ctx):
        raise RuntimeError("the XLSX renderer failed")

    monkeypatch.setattr("tasks.render.render_publicity_xlsx", broken)  # after the CSVs and the HTML list
    with pytest.raises(RuntimeError, match="XLSX renderer"):
        annual_evaluation(drop=str(EXAMPLE_DROP), year=2025, out=str(out), as_of=date(2026, 1, 21), db_url=db_url,
                          by="test")
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == ["out"]


def test_evaluate_as_of_2027_without_its_calendar_exits_2_before_storing_and_leaves_the_earlier_outputs(
    tmp_path, var_dir
):
    out, db = tmp_path / "out", tmp_path / "credit.db"
    out.mkdir()
    (out / "results.csv").write_bytes(b"institution_id\r\nearlier\r\n")
    (out / "run-summary.json").write_text('{"year": 2025}\n', encoding="utf-8")
    before = tree(out)
    result = CliRunner().invoke(app, ["evaluate", "--drop", str(EXAMPLE_DROP), "--year", "2026", "--as-of",
                                      "2027-01-05", "--out", str(out), "--db", f"sqlite:///{db}", "--by", "t"])
    assert result.exit_code == 2, result.output
    assert "2027" in result.stderr and "rules/calendar/overrides.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(out) == before
    assert not db.exists() or results_stored(f"sqlite:///{db}") == 0
    assert not (var_dir / "snapshots").exists()
