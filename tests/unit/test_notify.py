"""What the advance tells the operators (tasks/notify.py): deadlines due or overdue, next year's calendar, the mail."""

from __future__ import annotations

from datetime import date

import pytest
from prefect_email import EmailServerCredentials

from cli.alert_mail import CreditAlertMail
from credit.calendar import WorkCalendar
from tasks import notify
from tasks.notify import calendar_notice, deadline_notice, mail_text, send, send_alert, warning_start
from tests.support.smtp import free_port, local_smtp

CALENDAR = WorkCalendar.load()  # chinesecalendar knows 2026, not 2027


def review(objection: str, day: str, left: int, **extra) -> dict:
    return {"year": 2025, "what": f"review objection {objection}", "kind": "review", "institution_id": "JC-003",
            "name": "晋城市环境检测有限公司", "date": day, "deadline": day, "working_days_left": left,
            "objection_id": objection, **extra}


def test_a_review_due_on_the_next_working_day_is_told_with_its_deadline_and_days_left():
    notice = deadline_notice([review("OBJ-1", "2026-03-02", 1), review("OBJ-2", "2026-03-20", 9)], [])
    assert notice is not None and notice.subject == "法定期限提醒：1项即将到期"
    assert notice.lines == ("2025年度 晋城市环境检测有限公司（JC-003）：异议OBJ-1复核期限（第十九条） 2026-03-02，"
                            "剩余1个工作日，下一个工作日到期",)


def test_a_deadline_due_today_and_an_overdue_publication_are_told_the_publicity_end_is_not():
    today = review("OBJ-1", "2026-03-02", 0)
    publicity = {**review("x", "2026-03-02", 0), "kind": "publicity", "what": "publicity ends"}
    late = {"year": 2025, "what": "publish by", "kind": "publication", "institution_id": "JC-007", "name": "甲",
            "date": "2026-03-10", "deadline": "2026-03-10", "working_days_left": -2, "done_on": None, "days_late": 2}
    met_late = {**late, "institution_id": "JC-008", "done_on": "2026-03-11", "days_late": 1}
    notice = deadline_notice([today, publicity], [late, met_late])
    assert notice is not None and notice.subject == "法定期限提醒：1项已逾期，1项即将到期"
    assert notice.lines[0].endswith("异议OBJ-1复核期限（第十九条） 2026-03-02，今天到期")
    assert notice.lines[1] == "2025年度 甲（JC-007）：公布期限（第二十条） 2026-03-10，尚未完成，已逾期2个工作日"
    assert len(notice.lines) == 2


def test_nothing_due_soon_and_nothing_overdue_is_no_notice():
    assert deadline_notice([review("OBJ-1", "2026-03-20", 9)], []) is None


def test_next_years_calendar_missing_is_told_from_the_first_of_november_with_how_to_add_it():
    assert calendar_notice(CALENDAR, date(2026, 10, 31)) is None
    notice = calendar_notice(CALENDAR, date(2026, 11, 1))
    assert notice is not None and notice.subject == "2027年工作日历尚未载入"
    text = notice.text
    assert "rules/calendar/README.md" in text and "rules/calendar/overrides.yaml" in text
    assert "credit workdays add" in text and "《关于2027年部分节假日安排的通知》" in text


def test_the_warning_date_is_configurable_and_a_known_next_year_is_no_notice():
    assert calendar_notice(CALENDAR, date(2026, 11, 15), "12-01") is None
    assert calendar_notice(CALENDAR, date(2026, 12, 1), "12-01") is not None
    assert calendar_notice(CALENDAR, date(2025, 12, 30)) is None  # 2026 is known
    assert warning_start(2026) == date(2026, 11, 1)
    with pytest.raises(ValueError, match="MM-DD"):
        warning_start(2026, "November")


def test_the_mail_names_the_run_date_and_every_notice():
    notices = [deadline_notice([review("OBJ-1", "2026-11-02", 0)], []), calendar_notice(CALENDAR, date(2026, 11, 2))]
    subject, body = mail_text(notices, date(2026, 11, 2))
    assert subject == "晋城信用评价 每日推进 2026-11-02：法定期限提醒：1项即将到期；2027年工作日历尚未载入"
    assert "今天到期" in body and "credit workdays add" in body and "2026-11-02" in body


def test_the_notice_goes_out_through_the_alert_mail_block_to_a_real_smtp_server():
    with local_smtp() as (port, inbox):
        credentials = EmailServerCredentials(smtp_server="127.0.0.1", smtp_port=port, smtp_type="INSECURE")
        block = CreditAlertMail(credentials=credentials, sender="credit@test", to=["ops@test"])
        subject, body = mail_text([calendar_notice(CALENDAR, date(2026, 11, 2))], date(2026, 11, 2))
        send(block, subject, body)  # from sync code, as inside the flow
    [message] = inbox.messages
    assert message["Subject"] == subject and message["To"] == "ops@test"
    assert "rules/calendar/README.md" in message.get_content()


def test_a_mail_that_cannot_go_raises_in_send_and_send_alert_only_logs(monkeypatch, caplog):
    credentials = EmailServerCredentials(smtp_server="127.0.0.1", smtp_port=free_port(), smtp_type="INSECURE")
    block = CreditAlertMail(credentials=credentials, sender="credit@test", to=["ops@test"])
    from prefect.blocks.abstract import NotificationError

    with pytest.raises(NotificationError):
        send(block, "s", "b")  # nobody listens on that port

    from prefect.blocks.core import Block

    monkeypatch.setattr(Block, "load", classmethod(lambda cls, name: block))
    assert "发送失败" in send_alert("s", "b")

    def missing(cls, name):
        raise ValueError(f"Unable to find block document named {name}")

    monkeypatch.setattr(Block, "load", classmethod(missing))
    with caplog.at_level("WARNING", logger=notify.__name__):
        assert send_alert("s", "b").startswith("仅记录于运行日志")
    assert "credit server setup" in caplog.text
