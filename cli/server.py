"""`credit server start | stop | status | setup`: a long-running local Prefect server (README, deploy/README.md).

`start` runs `prefect server start` in the background with the project's PREFECT_HOME (`<var>/prefect`),
on the configured port (`--port`, CREDIT_PREFECT_PORT or prefect_port in the settings file), else 4200
when free, else a free one; it waits until the API answers and writes the pid file
`<var>/prefect/server.json`. While it runs, every flow command attaches to it (cli/runtime.py) instead of
starting Prefect's ephemeral API: the start-up is paid once. `stop` ends it by the pid in that file;
`status` says whether it runs and answers.

`setup` creates what `prefect deploy` does not: the process work pool, the work queue `credit-writers` whose
concurrency limit of 1 every state-changing deployment shares (on top of the store's writer lock), and
the failure alert of deploy/automation.yaml with its mail block. Run it again at will: it replaces the
alert and its blocks by name and leaves everything else as it is.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import BadInput, DbOption, DebugOption, run_guarded
from cli.runtime import SERVER_FILE, healthy, pid_alive, prefect_home, read_server_file

REPO_ROOT = Path(__file__).resolve().parents[1]
AUTOMATION = REPO_ROOT / "deploy" / "automation.yaml"
POOL = "credit-pool"
WRITERS_QUEUE = "credit-writers"  # prefect.yaml: the queue of annual-evaluation, daily-advance, rescore, publicize
SMTP_BLOCK = "credit-smtp"  # prefect-email's Email Server Credentials
MAIL_BLOCK = "credit-alert-mail"  # cli/alert_mail.py: the notification block the automation sends through
SMTP_SCHEMES = {"smtp": "INSECURE", "smtp+starttls": "STARTTLS", "smtps": "SSL"}

SERVER_LOG = "server.log"
DEFAULT_PORT = 4200
HOST = "127.0.0.1"

server_app = typer.Typer(help="本机常驻 Prefect 服务（start、stop、status）及部署的工作池、写入限制与失败告警（setup）。"
                              "work pool, writers' limit and failure alert (setup).", no_args_is_help=True)


@server_app.command("start")
def start(
    port: Annotated[int | None, typer.Option("--port", help="端口（默认：CREDIT_PREFECT_PORT，否则空闲时用 4200，再否则由系统分配）"
                                                            )] = None,
    ui: Annotated[bool, typer.Option("--ui/--no-ui", help="同时提供 Prefect 网页界面")] = True,
    timeout: Annotated[float, typer.Option("--timeout", help="等待 API 响应的秒数")] = 120.0,
    debug: DebugOption = False,
) -> None:
    """在后台启动 Prefect 服务。"""
    run_guarded(lambda: typer.echo(start_server(port, ui, timeout)), debug)


@server_app.command("stop")
def stop(debug: DebugOption = False) -> None:
    """停止 credit server start 启动的服务。"""
    run_guarded(lambda: typer.echo(stop_server()), debug)


@server_app.command("status")
def status(debug: DebugOption = False) -> None:
    """服务是否在运行并响应（退出码 0），否则退出码 1。"""
    def action() -> None:
        home = prefect_home()
        info = read_server_file(home)
        if info is None or not pid_alive(info["pid"]):
            typer.echo(f"Prefect 服务器未运行（{home / SERVER_FILE}）；流程命令使用临时（ephemeral）模式")
            raise typer.Exit(1)
        answers = healthy(info["api_url"], timeout=5.0)
        typer.echo(f"Prefect 服务器 pid {info['pid']}，{info['api_url']}："
                   f"{'运行中，流程命令连接到它' if answers else '进程存在但 API 未应答'}（PREFECT_HOME {home}）")
        if not answers:
            raise typer.Exit(1)

    run_guarded(action, debug)


def start_server(port: int | None, ui: bool, timeout: float) -> str:
    """Start `prefect server start` detached, wait until it answers, write the pid file; one line of report."""
    import subprocess
    import sys

    from store.settings import get_settings

    home = prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    info = read_server_file(home)
    if info is not None and pid_alive(info["pid"]) and healthy(info["api_url"], timeout=5.0):
        return f"Prefect 服务器已在运行：pid {info['pid']}，{info['api_url']}"
    chosen = choose_port(port if port is not None else get_settings().prefect_port)
    api_url = f"http://{HOST}:{chosen}/api"
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_PROFILES_PATH=str(home / "profiles.toml"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    command = [sys.executable, "-m", "prefect", "--no-prompt", "server", "start", "--host", HOST,
               "--port", str(chosen), "--ui" if ui else "--no-ui"]
    with (home / SERVER_LOG).open("ab") as log:
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=True)  # its own process group: `stop` ends it and its children
    record = {"pid": process.pid, "api_url": api_url, "port": chosen, "home": str(home),
              "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    (home / SERVER_FILE).write_text(json_text(record), encoding="utf-8")
    deadline = time.monotonic() + timeout
    while not healthy(api_url, timeout=2.0):
        if process.poll() is not None or time.monotonic() > deadline:
            _end(process.pid)
            (home / SERVER_FILE).unlink(missing_ok=True)
            raise RuntimeError(f"Prefect 服务器未能启动（{'已退出' if process.poll() is not None else '超时'}）；"
                               f"见 {home / SERVER_LOG}：{_tail(home / SERVER_LOG)}")
        time.sleep(0.3)
    return f"Prefect 服务器已启动：pid {process.pid}，{api_url}（PREFECT_HOME {home}）；流程命令将连接到它"


def stop_server() -> str:
    """End the recorded server's process group (TERM, then KILL after 20 s) and remove the pid file."""
    home = prefect_home()
    info = read_server_file(home)
    if info is None or not pid_alive(info["pid"]):
        (home / SERVER_FILE).unlink(missing_ok=True)
        return "Prefect 服务器未运行"
    if not _is_prefect(info["pid"]):
        (home / SERVER_FILE).unlink(missing_ok=True)
        return f"pid {info['pid']} 不是 Prefect 服务器（pid 文件已过期，已删除），未结束任何进程"
    _end(info["pid"])
    (home / SERVER_FILE).unlink(missing_ok=True)
    return f"Prefect 服务器已停止（pid {info['pid']}）"


def choose_port(configured: int | None) -> int:
    """The configured port if it is free (else BadInput), else 4200 if free, else one the system gives."""
    if configured is not None:
        if not _free(configured):
            raise BadInput(f"端口 {configured} 已被占用：请另选端口（--port 或 CREDIT_PREFECT_PORT）")
        return configured
    if _free(DEFAULT_PORT):
        return DEFAULT_PORT
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _end(pid: int, grace: float = 20.0) -> None:
    """TERM the process group led by `pid` (the server and its uvicorn), KILL it after `grace` seconds."""
    import signal

    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG) != (0, 0):  # our own child (start's failure path): reap it
                    return
            except ChildProcessError:
                if not pid_alive(pid):
                    return
            time.sleep(0.1)


def _is_prefect(pid: int) -> bool:
    """Whether `pid` runs Prefect (its command line on Linux); where /proc is missing, trust the pid file."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()
    except OSError:
        return True
    return b"prefect" in command


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def json_text(record: dict[str, Any]) -> str:
    import json

    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


@server_app.command("setup")
def setup(
    smtp_url: Annotated[str | None, typer.Option(
        "--smtp-url", help="告警邮件的 SMTP 服务器： smtp://host:25, smtp+starttls://user@host:587, "
                           "smtps://user:password@host:465")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="告警邮件收件人（可重复）")] = None,
    sender: Annotated[str | None, typer.Option("--from", help="发件人地址（默认 credit@<主机名>）")] = None,
    pool: Annotated[str, typer.Option("--pool", help="prefect.yaml 中的工作池")] = POOL,
    debug: DebugOption = False,
) -> None:
    """创建工作池、写入并发限制与失败告警。"""
    run_guarded(lambda: _setup(smtp_url, to or [], sender, pool), debug)


def migrate(db: DbOption = None, debug: DebugOption = False) -> None:
    """将存储升级到最新的数据库结构。"""
    def action() -> None:
        from store.uow import open_store

        store = open_store(db, run="migrate")  # the first open migrates, under the writer lock
        typer.echo(f"存储 {store.url}：已是最新的数据库结构")

    run_guarded(action, debug)


def _setup(smtp_url: str | None, to: list[str], sender: str | None, pool: str) -> None:
    if bool(smtp_url) != bool(to):
        raise BadInput("--smtp-url 与 --to 须一同给出（告警邮件的服务器与收件人）")
    smtp = smtp_settings(smtp_url) if smtp_url else None
    import asyncio
    import socket

    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise BadInput("未设置 PREFECT_API_URL：请指向 Prefect 服务器，例如 http://127.0.0.1:4200/api")
    mail = None if smtp is None else {"smtp": smtp, "to": to, "sender": sender or f"credit@{socket.getfqdn()}"}
    for line in asyncio.run(prepare_server(pool, mail)):
        typer.echo(line)


def smtp_settings(url: str) -> dict[str, Any]:
    """The fields of prefect-email's Email Server Credentials from an smtp:// URL."""
    from urllib.parse import unquote, urlsplit

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
