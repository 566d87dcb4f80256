"""`credit audit verify`: walk the audit log's hash chain and name the first broken or missing row (issue 11 item 8).

Read-only, without Prefect. Exit code 0 when the chain is intact (how many rows were checked), 1 when it
is not (the first row edited, deleted or forged, in Chinese).
"""

from __future__ import annotations

import inspect
from typing import Any, get_type_hints

import typer

from cli.common import DbOption, DebugOption, run_guarded
from cli.records import audit


def audit_verify(db: DbOption = None, debug: DebugOption = False) -> None:
    """校验审计日志的哈希链：逐行核对内容哈希与上一行哈希，完好时退出码 0，发现被改动、删除或伪造的行时退出码 1。"""
    def action() -> None:
        from store.uow import open_store
        from tasks.integrity import audit_chain

        with open_store(db, run="credit audit verify").unit_of_work(write=False) as uow:
            check = audit_chain(uow)
        if check.ok:
            typer.echo(f"审计日志完好：共核对 {check.rows} 行，哈希链无断开、无缺行")
            return
        typer.echo(f"审计日志校验未通过：{check.problem}", err=True)
        typer.echo(f"第一处问题在编号 {check.bad_row} 的行；其前 {check.rows} 行完好", err=True)
        raise typer.Exit(1)

    run_guarded(action, debug)


def audit_group(ctx: typer.Context, **options: Any) -> None:
    """审计日志：谁、何时（北京时间）、做了什么、变更前 → 变更后（R-21）；`credit audit verify` 校验其哈希链。"""
    if ctx.invoked_subcommand is None:
        audit(**options)


def _with_options_of(command: Any, group: Any) -> None:
    """`credit audit` keeps its options when it becomes a group: the callback takes `command`'s, after ctx."""
    own = inspect.signature(command, eval_str=True)
    context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    group.__signature__ = own.replace(parameters=[context, *own.parameters.values()])
    group.__annotations__ = {"ctx": typer.Context, **get_type_hints(command, include_extras=True)}


_with_options_of(audit, audit_group)
