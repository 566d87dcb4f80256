"""The alert's mail block sends through prefect-email's SMTP settings; `credit server setup` reads its URL."""

from __future__ import annotations

import pytest
from prefect_email import EmailServerCredentials

from cli.alert_mail import CreditAlertMail
from cli.common import BadInput
from cli.server import smtp_settings
from tests.support.smtp import free_port, local_smtp, run_async


def test_the_mail_block_delivers_subject_and_body_to_every_recipient():
    with local_smtp() as (port, inbox):
        credentials = EmailServerCredentials(smtp_server="127.0.0.1", smtp_port=port, smtp_type="INSECURE")
        block = CreditAlertMail(credentials=credentials, sender="credit@test", to=["ops@test", "lead@test"])
        run_async(block.notify("年度评价运行失败", subject="【信用评价】运行Failed"))
    [raw] = inbox.raw
    text = raw.decode()
    assert "To: ops@test, lead@test" in text and "From: credit@test" in text
    assert "Subject: =?utf-8?" in text  # the Chinese subject, encoded


def test_an_unreachable_server_raises_only_when_asked_to():
    credentials = EmailServerCredentials(smtp_server="127.0.0.1", smtp_port=free_port(), smtp_type="INSECURE")
    block = CreditAlertMail(credentials=credentials, sender="credit@test", to=["ops@test"])
    run_async(block.notify("x"))  # logged, not raised
    from prefect.blocks.abstract import NotificationError

    with block.raise_on_failure(), pytest.raises(NotificationError):
        run_async(block.notify("x"))


def test_smtp_urls_give_the_server_the_kind_of_connection_and_the_login():
    assert smtp_settings("smtp://127.0.0.1:8025") == {"smtp_server": "127.0.0.1", "smtp_type": "INSECURE",
                                                      "smtp_port": 8025}
    assert smtp_settings("smtps://alerts%40bureau:p%3Ass@mail.bureau:465") == {
        "smtp_server": "mail.bureau", "smtp_type": "SSL", "smtp_port": 465, "username": "alerts@bureau",
        "password": "p:ss"}
    assert smtp_settings("smtp+starttls://mail.bureau")["smtp_type"] == "STARTTLS"
    with pytest.raises(BadInput, match="smtp://"):
        smtp_settings("http://mail.bureau")
