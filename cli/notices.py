"""`credit notices`: each institution's 信用风险等级评价结果告知书, written and delivered (issue 13; 第十九条).

The lead registers it in cli/main.py: `app.command()(notices)` (with `from cli.notices import notices`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import BadInput, DbOption, DebugOption, parse_day, run_guarded, today


def notices(
    year: Annotated[int, typer.Option("--year", help="评价年度，如 2025")],
    institution: Annotated[str | None, typer.Option(
        "--institution", help="只处理该机构（统一社会信用代码）")] = None,
    resend: Annotated[bool, typer.Option(
        "--resend", help="已经邮件送达的告知书也重新发送")] = False,
    on: Annotated[str | None, typer.Option(
        "--on", metavar="YYYY-MM-DD", help="YYYY-MM-DD：尚未进入公示的告知书的落款日期（默认今天；已公示的以公示开始日为落款日期）")] = None,
    db: DbOption = None, debug: DebugOption = False,
) -> None:
    """生成尚未生成的评价结果告知书（HTML 与 PDF），并通过邮件送达尚未送达的告知书；无邮箱或未配置邮件服务器的列为待邮寄。"""
    def action() -> None:
        day = parse_day(on, "--on") if on else today()
        _check_smtp()
        from cli.runtime import no_heartbeat, prepare_prefect

        prepare_prefect()
        from flows.notices import notices_flow

        with no_heartbeat():
            report = notices_flow(year=year, on=day, institution=institution, resend=resend, db_url=db)
        typer.echo(summary_text(year, report))

    run_guarded(action, debug)


def _check_smtp() -> None:
    """A CREDIT_SMTP_URL that cannot be used is bad input (exit code 2), said before anything is written."""
    from store.settings import get_settings
    from tasks.deliver import SmtpSettingsError, smtp_url_parts

    url = get_settings().smtp_url
    try:
        if url:
            smtp_url_parts(url)
    except SmtpSettingsError as error:
        raise BadInput(str(error)) from None


def summary_text(year: int, report: dict) -> str:
    """What the command prints: notices written, mailed, failed, to be delivered by post (with why)."""
    lines = [f"{year}年度评价结果告知书：新生成 {len(report['issued'])} 份；邮件送达 {len(report['sent'])} 份；"
             f"发送失败 {len(report['failed'])} 份；待邮寄 {len(report['to_post'])} 份"]
    lines += [f"  已生成 {number}（{institution}，第{version}版）" for institution, version, number in report["issued"]]
    lines += [f"  发送失败 {institution}（第{version}版）：{why}" for institution, version, why in report["failed"]]
    lines += [f"  待邮寄 {institution}（第{version}版）：{why}" for institution, version, why in report["to_post"]]
    if report.get("pdf_error"):
        lines.append(f"  PDF 未生成：{report['pdf_error']}")
    return "\n".join(lines)
