"""`credit server setup`: make a Prefect server ready for the deployments of prefect.yaml (deploy/README.md).

It creates what `prefect deploy` does not: the process work pool, the work queue `credit-writers` whose
concurrency limit of 1 every state-changing deployment shares (on top of the store's writer lock), and
the failure alert of deploy/automation.yaml with its mail block. Run it again at will: it replaces the
alert and its blocks by name and leaves everything else as it is.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

import typer

from cli.common import BadInput, DbOption, DebugOption, run_guarded

REPO_ROOT = Path(__file__).resolve().parents[1]
AUTOMATION = REPO_ROOT / "deploy" / "automation.yaml"
POOL = "credit-pool"
WRITERS_QUEUE = "credit-writers"  # prefect.yaml: the queue of annual-evaluation, daily-advance, rescore, publicize
SMTP_BLOCK = "credit-smtp"  # prefect-email's Email Server Credentials
MAIL_BLOCK = "credit-alert-mail"  # cli/alert_mail.py: the notification block the automation sends through
SMTP_SCHEMES = {"smtp": "INSECURE", "smtp+starttls": "STARTTLS", "smtps": "SSL"}

server_app = typer.Typer(help="The Prefect server of the deployments: work pool, writers' limit, failure alert.",
                         no_args_is_help=True)


@server_app.command("setup")
def setup(
    smtp_url: Annotated[str | None, typer.Option(
        "--smtp-url", help="SMTP server of the alert: smtp://host:25, smtp+starttls://user@host:587, "
                           "smtps://user:password@host:465")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="Who receives the alert (repeat for more)")] = None,
    sender: Annotated[str | None, typer.Option("--from", help="From address (default credit@<host>)")] = None,
    pool: Annotated[str, typer.Option("--pool", help="Work pool of prefect.yaml")] = POOL,
    debug: DebugOption = False,
) -> None:
    """Create the work pool, the writers' concurrency limit and the failure alert on PREFECT_API_URL's server."""
    run_guarded(lambda: _setup(smtp_url, to or [], sender, pool), debug)


def migrate(db: DbOption = None, debug: DebugOption = False) -> None:
    """Bring the store to the newest schema (the upgrade's step after stopping the worker, deploy/README.md)."""
    def action() -> None:
        from store.uow import open_store

        store = open_store(db, run="migrate")  # the first open migrates, under the writer lock
        typer.echo(f"存储 {store.url}：已是最新的数据库结构")

    run_guarded(action, debug)


def _setup(smtp_url: str | None, to: list[str], sender: str | None, pool: str) -> None:
    if bool(smtp_url) != bool(to):
        raise BadInput("--smtp-url 与 --to 须一同给出（告警邮件的服务器与收件人）")
    smtp = smtp_settings(smtp_url) if smtp_url else None
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise BadInput("未设置 PREFECT_API_URL：请指向 Prefect 服务器，例如 http://127.0.0.1:4200/api")
    mail = None if smtp is None else {"smtp": smtp, "to": to, "sender": sender or f"credit@{socket.getfqdn()}"}
    for line in asyncio.run(prepare_server(pool, mail)):
        typer.echo(line)


def smtp_settings(url: str) -> dict[str, Any]:
    """The fields of prefect-email's Email Server Credentials from an smtp:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise BadInput(f"--smtp-url {url!r}：应为 smtp://、smtp+starttls:// 或 smtps:// 加主机名")
    try:
        port = parts.port
    except ValueError:
        raise BadInput(f"--smtp-url {url!r}：端口无效") from None
    fields: dict[str, Any] = {"smtp_server": parts.hostname, "smtp_type": SMTP_SCHEMES[parts.scheme],
                              "smtp_port": port}
    if parts.username:
        fields["username"] = unquote(parts.username)
        fields["password"] = unquote(parts.password or "")
    return fields


async def prepare_server(pool: str, mail: dict[str, Any] | None) -> list[str]:
    """Make the pool, the writers' queue and (given `mail`) the alert; one line of report each."""
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        lines = [await ensure_pool(client, pool), await ensure_writers_queue(client, pool)]
        if mail is None:
            lines.append("告警：未设置（给出 --smtp-url 与 --to 以创建失败告警）")
        else:
            lines.append(await ensure_alert(client, mail))
    return lines


async def ensure_pool(client: Any, pool: str) -> str:
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.utilities import get_default_base_job_template_for_infrastructure_type

    try:
        found = await client.read_work_pool(pool)
        return f"工作池 {pool}：已存在（类型 {found.type}）"
    except ObjectNotFound:
        template = await get_default_base_job_template_for_infrastructure_type("process")
        await client.create_work_pool(WorkPoolCreate(name=pool, type="process", base_job_template=template or {}))
        return f"工作池 {pool}：已创建（process）"


async def ensure_writers_queue(client: Any, pool: str) -> str:
    """The queue of every state-changing deployment, one run at a time across all of them."""
    from prefect.exceptions import ObjectNotFound

    try:
        queue = await client.read_work_queue_by_name(WRITERS_QUEUE, work_pool_name=pool)
        if queue.concurrency_limit != 1:
            await client.update_work_queue(queue.id, concurrency_limit=1)
    except ObjectNotFound:
        await client.create_work_queue(
            WRITERS_QUEUE, work_pool_name=pool, concurrency_limit=1,
            description="改变存储的部署（年度评价、每日推进、公示、重新评价）共用：一次只运行一个。")
    return f"工作队列 {pool}/{WRITERS_QUEUE}：并发上限 1"


async def ensure_alert(client: Any, mail: dict[str, Any]) -> str:
    """Save the SMTP and mail blocks, then (re)create the automation of deploy/automation.yaml."""
    import yaml
    from prefect.events.schemas.automations import AutomationCore
    from prefect_email import EmailServerCredentials

    from cli.alert_mail import CreditAlertMail

    credentials = EmailServerCredentials(**mail["smtp"])
    await credentials.asave(SMTP_BLOCK, overwrite=True)
    block_id = await CreditAlertMail(credentials=credentials, sender=mail["sender"], to=mail["to"]).asave(
        MAIL_BLOCK, overwrite=True)
    spec = yaml.safe_load(AUTOMATION.read_text(encoding="utf-8"))
    for action in spec["actions"]:
        if action["type"] == "send-notification":
            action["block_document_id"] = str(block_id)
    automation = AutomationCore.model_validate(spec)
    for old in await client.read_automations_by_name(automation.name):
        await client.delete_automation(old.id)
    await client.create_automation(automation)
    return f"告警 {automation.name}：运行失败或崩溃时发邮件给 {', '.join(mail['to'])}（经 {mail['smtp']['smtp_server']}）"
