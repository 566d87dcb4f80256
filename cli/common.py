"""What every `credit` command shares: options, date parsing, and the exit codes of CLI.md."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

# Great Expectations announces its temporary folders at INFO: not news for an officer at a terminal.
logging.getLogger("great_expectations").setLevel(logging.WARNING)

DbOption = Annotated[str | None, typer.Option(
    "--db", help="数据库 URL（默认：CREDIT_DB_URL，或 CREDIT_CONFIG 所指文件中的 db_url，否则为内置 SQLite 文件）")]
DebugOption = Annotated[bool, typer.Option("--debug", help="出错时显示完整的调用栈（供技术人员排查）")]
# Issue 12 item 1: `credit --help` lists the commands in the order of the procedure, in these panels.
PANEL_EVALUATE = "评价"
PANEL_PUBLICITY = "公示与异议"
PANEL_PUBLISH = "确定、公布与共享"
PANEL_SUPERVISION = "监督检查"
PANEL_TOOLS = "工具"
PANELS = (PANEL_EVALUATE, PANEL_PUBLICITY, PANEL_PUBLISH, PANEL_SUPERVISION, PANEL_TOOLS)
BY_WIDTH = 128  # store/models.py: audit_log.by and every created_by are String(128)


def checked_by(value: str | None) -> str | None:
    """Issue 11 item 10: a `--by` the store cannot hold (PostgreSQL refuses it, SQLite would keep it) is
    refused at the edge with exit code 2, before anything runs, instead of a SQL error half way through."""
    if value is not None and (len(value) > BY_WIDTH or "\x00" in value):
        raise typer.BadParameter(f"--by 最长 {BY_WIDTH} 个字符且不能含 NUL 字符（给出的有 {len(value)} 个字符）", param_hint="--by")
    return value


ByOption = Annotated[str | None, typer.Option(
    "--by", help="操作人，记入审计日志（默认：操作系统用户名）", callback=checked_by)]


class BadInput(Exception):
    """Input that the user can fix: exit code 2."""


# Errors that mean the input (drop, option, settings, rules or calendar file) is wrong, not the program: where
# each is defined. An error of one of them was raised by its module, so a module not loaded is not imported
# to ask (issue 14: `tasks.drop_io` would bring pandas into an interactive command's exit code 2).
BAD_INPUT = (
    ("credit.calendar", "CalendarFileError"), ("credit.calendar", "UnknownYearError"),
    ("credit.indexsystem", "IndexSystemError"), ("credit.rules", "BureauPlaceholderError"),
    ("credit.supervision", "SupervisionRulesError"), ("store.repository", "CycleStartedError"),
    ("store.settings", "SettingsError"), ("tasks.drop_io", "StructuralError"), ("tasks.objections", "ObjectionError"),
    ("tasks.supervision", "SupervisionError"),
)


def bad_input_types() -> tuple[type[BaseException], ...]:
    """Errors that mean the input is wrong (exit code 2), of the modules this process has loaded."""
    loaded = [getattr(sys.modules.get(module), name, None) for module, name in BAD_INPUT]
    return (BadInput, LookupError, *(error for error in loaded if isinstance(error, type)))


def run_guarded(action: Callable[[], Any], debug: bool) -> Any:
    """Run `action`, turning errors into the documented exit codes and a message on stderr."""
    try:
        return action()
    except typer.Exit:
        raise
    except Exception as exc:  # the one place that decides exit codes
        bad = isinstance(exc, bad_input_types()) or _is_period_error(exc)
        if debug:
            traceback.print_exc()
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(2 if bad else 1) from None


def _is_period_error(exc: Exception) -> bool:
    return isinstance(exc, ValueError) and "--as-of" in str(exc)


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r}：不是 YYYY-MM-DD 格式的日期") from None


def today() -> date:
    """Today in Asia/Shanghai: the edge where a command's default date is read, once."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def out_dir(path: Path | str | None, option: str = "--out") -> Path | None:
    """Issue 11 item 11: an output folder option naming an existing file is bad input (exit code 2), said before
    anything runs, instead of "[Errno 20] Not a directory" half way through."""
    if path is None:
        return None
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{option} {path}：是已存在的文件，不是文件夹；请指定一个文件夹")
    for parent in folder.absolute().parents:
        if parent.exists() and not parent.is_dir():
            raise BadInput(f"{option} {path}：路径中的 {parent} 是文件，不是文件夹")
    return folder
