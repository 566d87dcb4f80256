"""Issue 10 items 2–4 for publicize, advance and rescore: their artifacts and own log lines reach the API, and the
advance tells of deadlines due or overdue and of next year's missing calendar — in its log, its artifact, and by
mail through the alert block `credit server setup` saves (a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from flows.annual_evaluation import annual_evaluation
from flows.lifecycle import advance_flow, publicize_flow
from flows.rescore import rescore_flow
from store.lifecycle import Actor
from tests.support.paths import EXAMPLE_DROP
from tests.support.prefect_runs import artifacts, logs_to_api, run_logs
from tests.support.smtp import Inbox, local_smtp

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]
OBJECTED = "91140581173546984A"
CHANGED = "9114052119529778X6"  # A → B with a CX-01 warning at 10 points (tests/unit/test_compare.py variant)


@pytest.fixture
def alert_mail() -> Iterator[Inbox]:
    """A local SMTP server and the alert block saved under the name `credit server setup` gives it."""
    from prefect_email import EmailServerCredentials

    from cli.alert_mail import CreditAlertMail
    from cli.server import MAIL_BLOCK

    with local_smtp() as (port, inbox):
        credentials = EmailServerCredentials(smtp_server="127.0.0.1", smtp_port=port, smtp_type="INSECURE")
        CreditAlertMail(credentials=credentials, sender="credit@test", to=["ops@test"]).save(MAIL_BLOCK,
                                                                                           overwrite=True)
        try:
            yield inbox
        finally:
            CreditAlertMail.delete(MAIL_BLOCK)


def lines_of(state) -> list[str]:
    return [log.message for log in run_logs(state.state_details.flow_run_id)]


def latest(key: str, state):
    found = artifacts(key)[0]
    assert found.flow_run_id == state.state_details.flow_run_id
    return found


def test_publicize_and_advance_publish_what_they_did_and_tell_of_a_review_due_then_overdue(
    tmp_path, var_dir, alert_mail
):
    from credit.rules import rules_for_year
    from store.uow import Store
    from tasks.objections import AddInput, Filing, Intake, add_objection

    db_url = f"sqlite:///{tmp_path / 'credit.db'}"
    annual_evaluation(drop=str(EXAMPLE_DROP), year=2025, out=str(tmp_path / "eval"), as_of=date(2026, 1, 20),
                      db_url=db_url, by="test")
    with logs_to_api():
        state = publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=db_url, by="test",
                               return_state=True)
        assert state.is_completed()
        assert any("15 个评价结果进入公示期 2026-02-02 至 2026-02-28" in line for line in lines_of(state))
    notice = latest("publicize-2025", state)
    assert "2026-02-02 至 2026-02-28" in notice.data and str((tmp_path / "pub").resolve()) in notice.data
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("pub")) == ["pub"]  # no staging left

    proof = tmp_path / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    intake = Intake(year=2025, institution_id=OBJECTED, received_on=date(2026, 2, 24), filer_kind="institution",
                    filer_name="山西泽安生态环境技术有限公司", claim="对扣分事项有异议，申请复核", evidence=(proof,))
    with Store.open(db_url).unit_of_work() as uow:
        objection = add_objection(uow, rules_for_year(2025), AddInput(
            intake, Actor("reviewer", datetime.now(UTC), "test"), Filing(var_dir / "evidence", tmp_path / "letters")))
    assert objection.review_by == "2026-03-16"

    def advance(day: date):
        state = advance_flow(as_of=day, outbox=str(tmp_path / "outbox"), publish_dir=str(tmp_path / "web"),
                             db_url=db_url, by="test", site=str(tmp_path / "site"), return_state=True)
        assert state.is_completed()
        return state, state.result()

    with logs_to_api():
        first, report = advance(date(2026, 3, 13))  # Friday: the review is due on Monday 03-16
        lines = lines_of(first)
    assert report["moved"] == {"determined": 14, "published": 14, "shared": 14}
    assert any(line.startswith("2025年度 determine：已确定 14 项") for line in lines)
    assert any("2025年度 share：已共享 14 项；写入 " in line and str((tmp_path / "outbox").resolve()) in line
               for line in lines)
    assert any(line.startswith("网站已重建") for line in lines)
    due = [line for line in lines if line.startswith("法定期限提醒：1项即将到期")]
    assert len(due) == 1 and "异议" in due[0] and "2026-03-16，剩余1个工作日，下一个工作日到期" in due[0]
    assert any(line.startswith("提醒已发送") for line in lines)
    artifact = latest("advance-2025", first)
    assert "| determine | 已确定 14 项 | 0 |" in artifact.data and "## 公布与共享的文件" in artifact.data
    assert "2026-03-16" in artifact.data and "法定期限提醒" in artifact.data and "提醒渠道：已经通知块" in artifact.data
    [mail] = alert_mail.messages
    assert mail["Subject"] == "晋城信用评价 每日推进 2026-03-13：法定期限提醒：1项即将到期"
    assert "2026-03-16" in mail.get_content()

    with logs_to_api():
        second, report = advance(date(2026, 3, 17))
        lines = lines_of(second)
    assert report["moved"] == {}
    assert any(line.startswith("advance 2026-03-17：没有需要推进的评价结果") for line in lines)
    assert any(line.startswith("法定期限提醒：1项已逾期") and "已逾期1个工作日" in line for line in lines)
    artifact = latest("advance-2025", second)
    assert "没有需要推进的评价结果" in artifact.data and "## 已逾期" in artifact.data
    assert len(alert_mail.messages) == 2 and "已逾期1个工作日" in alert_mail.messages[1].get_content()


def test_an_advance_from_november_without_next_years_calendar_warns_in_log_artifact_and_mail(
    tmp_path, var_dir, alert_mail
):
    db_url = f"sqlite:///{tmp_path / 'credit.db'}"
    with logs_to_api():
        early = advance_flow(as_of=date(2026, 10, 31), db_url=db_url, by="test", return_state=True)
        assert early.is_completed() and early.result()["notices"] == []
        state = advance_flow(as_of=date(2026, 11, 2), db_url=db_url, by="test", return_state=True)
        assert state.is_completed()
        lines = lines_of(state)
    warned = [line for line in lines if line.startswith("2027年工作日历尚未载入")]
    assert len(warned) == 1 and "rules/calendar/README.md" in warned[0] and "credit workdays add" in warned[0]
    artifact = latest("advance", state)
    assert "没有未完成的评价周期" in artifact.data and "2027年工作日历尚未载入" in artifact.data
    [mail] = alert_mail.messages
    assert mail["Subject"].endswith("2027年工作日历尚未载入") and "overrides.yaml" in mail.get_content()

    later = advance_flow(as_of=date(2026, 11, 2), db_url=db_url, by="test", calendar_warning_from="12-01")
    assert later["notices"] == [] and len(alert_mail.messages) == 1


def test_an_advance_with_no_alert_block_logs_its_notices_and_completes(tmp_path, var_dir):
    with logs_to_api():
        state = advance_flow(as_of=date(2026, 11, 2), db_url=f"sqlite:///{tmp_path / 'c.db'}", by="test",
                             return_state=True)
        assert state.is_completed()
        lines = lines_of(state)
    assert any(line.startswith("2027年工作日历尚未载入") for line in lines)
    assert any(line.startswith("未发送提醒：未找到通知块") for line in lines)
    assert "提醒渠道：仅记录于运行日志" in latest("advance", state).data


def test_rescore_publishes_its_counts_and_the_changed_institutions(tmp_path, var_dir, monkeypatch):
    import credit.rules
    from tests.unit.test_compare import variant

    db_url = f"sqlite:///{tmp_path / 'credit.db'}"
    annual_evaluation(drop=str(EXAMPLE_DROP), year=2025, out=str(tmp_path / "eval"), as_of=date(2026, 1, 20),
                      db_url=db_url, by="test")
    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=db_url, by="test")
    real_loader = credit.rules.load_index_system
    monkeypatch.setattr(credit.rules, "load_index_system",
                        lambda v, rules_dir=None: variant(10) if v == "jc-test" else real_loader(v, rules_dir))
    with logs_to_api():
        state = rescore_flow(year=2025, index_version="jc-test", on=date(2026, 2, 5), db_url=db_url, by="test",
                             return_state=True)
        assert state.is_completed()
        lines = lines_of(state)
    changed = state.result()["changed"]
    assert CHANGED in changed
    said = [line for line in lines if line.startswith("2025年度重新评价（指标体系 jc-test）")]
    assert len(said) == 1 and f"变更 {len(changed)} 个" in said[0] and CHANGED in said[0]
    summary = latest("rescore-2025", state)
    assert f"| 15 | {len(changed)} | {15 - len(changed)} |" in summary.data and CHANGED in summary.data
    rows = json.loads(latest("rescore-2025-changed", state).data)
    assert {row["机构编码"]: (row["评定情况"], row["等级"]) for row in rows}[CHANGED] == ("予以评定", "B")
