"""validation/report.html: what validation read, kept and set aside, in Chinese, opening anywhere (issue 12 item 6).

Pure: frames in, HTML out. One self-contained page (inline CSS, no script, no request): it opens offline,
as on a government intranet, where GX Data Docs alone showed two buttons and a broken logo.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from reports.common import ENV, clean_text

TITLE = "输入数据校验报告"
TABLES_ZH = {
    "institutions": "机构名录",
    "qualifications": "资质认定",
    "personnel": "人员",
    "equipment": "仪器设备",
    "changes": "变更事项",
    "activities": "监测活动",
    "credit_events": "信用事件",
    "objections": "异议",
    "recorded_events": "已登记的监督检查、投诉举报事件",
}


def _reason(record: Mapping[str, Any]) -> str:
    """The Chinese reason when credit/checks.py gives one (`reason_zh`), else the English one."""
    return clean_text(record.get("reason_zh")) or clean_text(record.get("reason"))


def _rows(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for record in frame.to_dict("records"):
        row = {c: clean_text(record.get(c)) for c in columns}
        row["reason"] = _reason(record)
        rows.append(row)
    return rows


def validation_report_context(
    counts: pd.DataFrame, quarantine: pd.DataFrame, warnings: pd.DataFrame, *, snapshot: str = ""
) -> dict[str, Any]:
    """Per table read / accepted / quarantined, then every quarantined row and every warning, in file order."""
    tables: list[dict[str, Any]] = [
        {"table": clean_text(r["table"]), "name": TABLES_ZH.get(str(r["table"]), clean_text(r["table"])),
         "file": clean_text(r["file"]), "read": int(r["read"]), "accepted": int(r["accepted"]),
         "quarantined": int(r["quarantined"])}
        for r in counts.to_dict("records")
    ]
    totals = {k: sum(t[k] for t in tables) for k in ("read", "accepted", "quarantined")}
    return {
        "title": TITLE,
        "snapshot": snapshot,
        "tables": tables,
        "totals": totals,
        "quarantine": _rows(quarantine, ("table", "file", "row", "column", "value")),
        "warnings": _rows(warnings, ("file", "row", "key", "column")),
    }


def render_validation_report_html(
    counts: pd.DataFrame, quarantine: pd.DataFrame, warnings: pd.DataFrame, *, snapshot: str = ""
) -> str:
    """The page's HTML (reports/templates/validation_report.html)."""
    ctx = validation_report_context(counts, quarantine, warnings, snapshot=snapshot)
    return ENV.get_template("validation_report.html").render(**ctx)
