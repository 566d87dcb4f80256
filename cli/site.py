"""`credit site build`: the bureau's static website (第十八、二十、二十一条; CLI.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DbOption, DebugOption, out_dir, parse_day, run_guarded
from cli.runtime import no_heartbeat, prepare_prefect

site_app = typer.Typer(help="生态环境局网站：公示、评价结果、A级名单与开放数据（静态文件）。",
                       no_args_is_help=True)


@site_app.callback()
def site() -> None:
    """The bureau's website (第十八、二十、二十一条): `build` writes it as of a date."""


@site_app.command("build")
def build(
    out: Annotated[Path, typer.Option("--out", help="网站文件的输出文件夹（不存在时创建）")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="YYYY-MM-DD：生成日期，只含当日已公开的内容 "
                                                             "(default: today in China)")] = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """按日期生成静态网站：只含当日已公开的内容，附开放数据与 SHA-256 校验值。"""
    def action() -> None:
        day = parse_day(as_of, "--as-of") if as_of is not None else None
        out_dir(out)
        outcome = run_site_build(out, day, db)
        for path in outcome.get("repaired", []):  # issue 11 item 7: a tampered site is rebuilt, and said so
            typer.echo(f"网站文件与记录的 SHA-256 不一致，已重建：{path}", err=True)
        typer.echo(f"网站（截至 {outcome['as_of']}）：{len(outcome['files'])} 个文件，位于 {outcome['out']}")
        if outcome["removed"]:
            typer.echo(f"已删除不再公开的文件 {len(outcome['removed'])} 个")
        typer.echo(f"打开 {Path(outcome['out']) / 'index.html'} 查看")

    run_guarded(action, debug)


def run_site_build(out: Path, as_of: date | None, db: str | None) -> dict:
    """The flow, in Prefect's ephemeral mode unless PREFECT_API_URL names a server."""
    prepare_prefect()
    from flows.site_build import site_build

    with no_heartbeat():
        return site_build(out=str(out), as_of=as_of, db_url=db)
