"""`credit verify`: are the outbox packages, published lists and the site as the program wrote them? (issue 11 item 7)

Read-only, without Prefect: the files on disk against the SHA-256 kept in the store when they were
written. Exit code 0 when everything matches, 1 when any file was changed (被修改), removed (缺失) or added
to a package (多出), each named with the digest recorded and the one found.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import DbOption, DebugOption, run_guarded, today


def verify(
    year: Annotated[int | None, typer.Option("--year", help="只核对该评价年度的共享数据包和公布名单（以及网站）；"
                                                            "默认核对全部")] = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """核对共享数据包、公布名单和网站文件与存储中记录的 SHA-256：全部一致退出码 0，否则列出差异，退出码 1。"""
    def action() -> None:
        from credit.rules import load_rules, rules_for_year
        from store.settings import get_settings
        from store.uow import open_store
        from tasks.verify import VerifyInput, verify_outputs

        rules_dir = get_settings().rules_dir
        rules = rules_for_year(year, rules_dir=rules_dir) if year else load_rules(today(), rules_dir=rules_dir)
        with open_store(db, run="credit verify").unit_of_work(write=False) as uow:
            report = verify_outputs(uow, rules, VerifyInput(year))
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
