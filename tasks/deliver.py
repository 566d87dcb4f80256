"""Mail each result notice to its institution (issue 13 item 2): one mail per notice version, its PDF attached.

The address is the registry's optional `contact_email` (institutions.csv, DATA_CONTRACT.md), read from the
snapshot the cycle was scored from. The server comes from the settings (`CREDIT_SMTP_URL`: smtp://host:25,
smtp://user@host:587?starttls, smtps://user@host:465), the password from `CREDIT_SMTP_PASSWORD` or the
Prefect Secret block `smtp_password_secret`, never from a file. No server configured: delivery is off.

Each send is a Prefect task with retries; every outcome is recorded (sent with the server's answer, failed
after the retries, or 待邮寄 when there is no address, the address is not an e-mail address, there is no
PDF, or delivery is off). A version once sent is never sent again unless `resend`. Failures raise one alert
(tasks/notify.py) and never stop the caller: the publicity goes on.
"""

from __future__ import annotations

import os
import re
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from prefect import task
from prefect.cache_policies import NO_CACHE

from credit.rules import Rules
from store.settings import SMTP_PASSWORD_VARIABLE, Settings
from tasks.drop_io import read_snapshot
from tasks.notices import FAILED, POST, SENT
from tasks.notify import send_alert
from tasks.reporting import run_logger

# e-mail-ish: one @, no spaces or separators, a dot in the domain. A wrong one goes by post, with the reason.
EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+\.[^@\s<>,;:\"()\[\].]+$")
SEND_RETRIES = 2
SEND_RETRY_DELAY = 10.0  # seconds between the tries of one mail
SMTP_TIMEOUT = 30.0


class SmtpSettingsError(ValueError):
    """CREDIT_SMTP_URL cannot be used (exit code 2): says which part and how to write it."""


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send: host, port, TLS mode ("ssl", "starttls" or ""), login, From."""

    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    sender: str


def smtp_url_parts(text: str) -> tuple[str, int, str, str | None]:
    """(host, port, TLS mode, user) of a CREDIT_SMTP_URL; SmtpSettingsError when it cannot be used."""
    url = urlsplit(text)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise SmtpSettingsError(f"CREDIT_SMTP_URL={text!r}：应为 smtp://主机:端口 或 smtps://用户@主机:465")
    if url.password:
        raise SmtpSettingsError(f"CREDIT_SMTP_URL 不得包含密码：请用环境变量 {SMTP_PASSWORD_VARIABLE} 或 Prefect Secret 块")
    try:
        port = url.port
    except ValueError:
        raise SmtpSettingsError(f"CREDIT_SMTP_URL={text!r}：端口应为 1–65535 的数字") from None
    tls = "ssl" if url.scheme == "smtps" else ("starttls" if "starttls" in url.query else "")
    return url.hostname, port or (465 if tls == "ssl" else 25), tls, unquote(url.username) if url.username else None


def smtp_server(settings: Settings, rules: Rules, environ: Any = os.environ) -> SmtpServer | None:
    """The notices' SMTP server from the settings; None when none is configured (delivery off)."""
    if not settings.smtp_url:
        return None
    host, port, tls, user = smtp_url_parts(settings.smtp_url)
    sender = settings.smtp_sender or str(rules.bureau.settings["notices"]["sender"])
    return SmtpServer(host, port, tls, user, _password(settings, environ) if user else None, sender)


def _password(settings: Settings, environ: Any) -> str | None:
    if environ.get(SMTP_PASSWORD_VARIABLE):
        return str(environ[SMTP_PASSWORD_VARIABLE])
    if settings.smtp_password_secret:
        from store.uow import read_secret

        return read_secret(settings.smtp_password_secret)
    return None


def email_ok(address: str | None) -> bool:
    """An e-mail-ish `contact_email` (the registry's column is optional; a wrong one is not a quarantine)."""
    return bool(address) and EMAIL.match(address or "") is not None


def contact_emails(uow: Any, year: int) -> dict[str, str]:
    """institution_id → contact_email of the registry the cycle was scored from (empty when not given)."""
    cycle = uow.lifecycle.cycle(year)
    frame = read_snapshot(Path(uow.lifecycle.snapshot_path(cycle))).tables["institutions"].frame
    if "contact_email" not in frame.columns:
        return {}
    rows = frame[frame["contact_email"].notna()]
    return {str(i): str(e).strip() for i, e in zip(rows["institution_id"], rows["contact_email"], strict=True)}


# ---- the mail -----------------------------------------------------------------------------------------


def notice_mail(server: SmtpServer, rules: Rules, notice: Any, name: str, address: str) -> EmailMessage:
    """One mail: Chinese subject and body, the notice's PDF attached."""
    bureau = str(rules.bureau.settings["bureau"])
    title = str(rules.bureau.settings["notices"]["name"])
    message = EmailMessage()
    message["From"], message["To"] = server.sender, address
    message["Subject"] = f"{bureau}：{notice.year}年度{title}（{notice.document_no}）"
    message.set_content(
        f"{name}：\n\n{bureau}对你单位{notice.year}年度的{title}（{notice.document_no}）见附件 PDF，"
        f"其中列明评价得分、信用风险等级、各项扣分依据，以及公示期内书面申请复核的方式和期限（第十九条）。\n\n"
        f"本邮件由系统发送，请勿直接回复；异议请按告知书所列地址书面提出。\n\n{bureau}\n")
    pdf = Path(str(notice.pdf_path)).read_bytes()
    message.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=f"{title}-{notice.institution_id}-{notice.result_version}.pdf")
    return message


def send_mail(server: SmtpServer, message: EmailMessage) -> str:
    """Send one mail; the server's answer to the data, e.g. "250 OK". Raises on a refusal."""
    kind = smtplib.SMTP_SSL if server.tls == "ssl" else smtplib.SMTP
    with kind(server.host, server.port, timeout=SMTP_TIMEOUT) as smtp:
        if server.tls == "starttls":
            smtp.starttls()
        if server.user:
            smtp.login(server.user, server.password or "")
        refused = smtp.send_message(message)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        return "250 accepted"


@task(name="send-notice", cache_policy=NO_CACHE, retries=SEND_RETRIES, retry_delay_seconds=SEND_RETRY_DELAY)
def send_notice_task(server: SmtpServer, message: EmailMessage) -> tuple[str, int]:
    """A notice's mail, retried on any failure (the server may be back); the answer and the try it took."""
    from prefect.runtime import task_run

    return send_mail(server, message), int(task_run.run_count or 1)


# ---- the use case -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliverInput:
    """Deliver `year`'s newest notices (one institution if given); `resend` mails those sent already too."""

    year: int
    institution: str | None = None
    resend: bool = False
    retries: int | None = None  # None: SEND_RETRIES
    retry_delay: float | None = None  # None: SEND_RETRY_DELAY (seconds)


@dataclass
class DeliveryReport:
    """What happened to each notice: (institution_id, version, address or reason)."""

    year: int
    sent: list[tuple[str, int, str]] = field(default_factory=list)
    failed: list[tuple[str, int, str]] = field(default_factory=list)
    to_post: list[tuple[str, int, str]] = field(default_factory=list)
    alert: str | None = None


def deliver_notices(store: Any, rules: Rules, settings: Settings, given: DeliverInput) -> DeliveryReport:
    """Mail every notice not delivered yet; record each outcome; alert on failures; never raises for a send."""
    report = DeliveryReport(given.year)
    server = smtp_server(settings, rules)
    with store.unit_of_work(write=False) as uow:
        notices = [n for n in uow.notices.notices(given.year, given.institution) if given.resend or not n.delivered]
        addresses = contact_emails(uow, given.year) if notices else {}
        names = {r.institution_id: r.name or "" for r in uow.lifecycle.current(uow.lifecycle.cycle(given.year))}
    outcomes = [_deliver(server, rules, given, n, addresses.get(n.institution_id), names.get(n.institution_id, ""))
                for n in notices]
    with store.unit_of_work() as uow:
        for notice, (status, address, attempts, answer) in zip(notices, outcomes, strict=True):
            if status == POST and notice.last_status == POST:
                continue  # listed for the post already: one row is enough
            uow.notices.record_delivery(notice.id, status, address, attempts, answer, datetime.now(UTC))
            bucket = {SENT: report.sent, FAILED: report.failed, POST: report.to_post}[status]
            bucket.append((notice.institution_id, notice.result_version, answer if status == POST else address or ""))
    if report.failed:
        report.alert = send_alert(*failure_text(given.year, report.failed))
    return report


def _deliver(server: SmtpServer | None, rules: Rules, given: DeliverInput, notice: Any, address: str | None,
             name: str) -> tuple[str, str | None, int, str]:
    """(status, address, attempts, the server's answer or why it goes by post) of one notice."""
    if server is None:
        return POST, address, 0, "待邮寄：未配置邮件服务器（CREDIT_SMTP_URL），邮件送达已关闭"
    if not address:
        return POST, None, 0, "待邮寄：名录未提供联系邮箱（contact_email）"
    if not email_ok(address):
        return POST, address, 0, f"待邮寄：联系邮箱格式无效（{address}）"
    if not notice.pdf_path:
        return POST, address, 0, "待邮寄：告知书 PDF 未生成"
    message = notice_mail(server, rules, notice, name, address)
    retries = SEND_RETRIES if given.retries is None else given.retries
    delay = SEND_RETRY_DELAY if given.retry_delay is None else given.retry_delay
    sender = send_notice_task.with_options(retries=retries, retry_delay_seconds=delay)
    state = sender(server, message, return_state=True)
    if state.is_completed():
        answer, attempts = state.result()
        return SENT, address, attempts, answer
    error = _error_text(state)
    run_logger(__name__).warning("告知书 %s 发送至 %s 失败（已重试 %s 次）：%s", notice.document_no, address,
                                 retries, error)
    return FAILED, address, retries + 1, error


def _error_text(state: Any) -> str:
    try:
        state.result()
    except Exception as error:  # the send's own error: what the server said
        return f"{type(error).__name__}: {error}"[:500]
    return str(state.message or state.name)


def failure_text(year: int, failed: list[tuple[str, int, str]]) -> tuple[str, str]:
    """The alert's subject and body: which notices could not be mailed (they still count as not delivered)."""
    lines = [f"- {institution} 第{version}版 → {address}" for institution, version, address in failed]
    subject = f"晋城信用评价：{year}年度{len(failed)}份评价结果告知书邮件发送失败"
    body = "\n".join([f"{subject}（已按设置重试）：", *lines, "",
                      f"请核对邮件服务器与联系邮箱后运行 `credit notices --year {year}` 重新发送；"
                      "公示不受影响，必要时改为邮寄纸质告知书。"])
    return subject, body + "\n"
