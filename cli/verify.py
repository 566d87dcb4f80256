"""`credit verify`: are the outbox packages, published lists and the site as the program wrote them? (issue 11 item 7)

Read-only, without Prefect: the files on disk against the SHA-256 kept in the store when they were
written. Exit code 0 when everything matches, 1 when any file was changed (被修改), removed (缺失) or added
to a package (多出), or an outbox holds a package folder the store has no record of (多出), each named with
the digest recorded and the one found. `--outbox`, `--published` and `--site` say where those files are now
(by default where they were written; the default outbox `<var>/outbox` is always searched for unrecorded
packages); a location that is not an existing folder is bad input (exit code 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import BadInput, DbOption, DebugOption, run_guarded, today


def verify(
    year: Annotated[int | None, typer.Option("--year", help="只核对该评价年度的共享数据包和公布名单（以及网站）；"
                                                            "默认核对全部")] = None,
    outbox: Annotated[Path | None, typer.Option("--outbox", metavar="DIR", help="共享数据包现在所在的文件夹"
                                                "（默认：写出时的位置）；其中没有记录的数据包文件夹报为多出")] = None,
    published: Annotated[Path | None, typer.Option("--published", metavar="DIR", help="公布名单现在所在的文件夹"
                                                   "（其下为各年度文件夹；默认：写出时的位置）")] = None,
    site: Annotated[Path | None, typer.Option("--site", metavar="DIR", help="网站现在所在的文件夹"
                                              "（默认：构建时的位置）")] = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """核对共享数据包、公布名单和网站文件与存储中记录的 SHA-256：全部一致退出码 0，否则列出差异，退出码 1。"""
    def action() -> None:
        for folder, option in ((outbox, "--outbox"), (published, "--published"), (site, "--site")):
            existing_folder(folder, option)
        from credit.rules import load_rules, rules_for_year
        from store.settings import get_settings
        from store.uow import open_store
        from tasks.verify import VerifyInput, verify_outputs

        settings = get_settings()
        rules_dir = settings.rules_dir
        rules = rules_for_year(year, rules_dir=rules_dir) if year else load_rules(today(), rules_dir=rules_dir)
        given = VerifyInput(year, outbox=outbox, published=published, site=site,
                            searched=(Path(settings.var_dir) / "outbox",))
        with open_store(db, run="credit verify").unit_of_work(write=False) as uow:
            report = verify_outputs(uow, rules, given)
        scope = f"{year}年度" if year else "全部年度"
        for difference in report.differences:
            typer.echo(difference.line())
        if report.ok:
            typer.echo(f"核对完成（{scope}）：{report.folders} 个文件夹、{report.files} 个文件与记录的 SHA-256 一致")
            return
        typer.echo(f"核对未通过（{scope}）：{len(report.differences)} 处差异，"
                   f"共核对 {report.folders} 个文件夹、{report.files} 个文件", err=True)
        raise typer.Exit(1)

    run_guarded(action, debug)


def existing_folder(path: Path | None, option: str) -> None:
    """A location to check must be an existing folder: a typo would otherwise report every file as 缺失."""
    if path is not None and not path.is_dir():
        raise BadInput(f"{option} {path}：" + ("不是文件夹" if path.exists() else "文件夹不存在") + "；请指定现有的文件夹")
