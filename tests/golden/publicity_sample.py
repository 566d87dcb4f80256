"""The fixed, small publicity context of the golden and browser tests (importable by file path)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from credit.indexsystem import GradeBand
from credit.lifecycle import Procedure
from reports.render import publicity_context

SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点击")'

# Copies of the rules the documents state (rules/index/jc-2024.1.yaml grades, rules/procedure.yaml), so that
# editing the live rules does not move the golden files; test_publicity_golden checks they are still equal.
BANDS = (
    GradeBand("A", "较低风险", 900, "第十六条第（一）项"),
    GradeBand("B", "低风险", 800, "第十六条第（二）项"),
    GradeBand("C", "中风险", 600, "第十六条第（三）项"),
    GradeBand("D", "高风险", 0, "第十六条第（四）项"),
)
PROCEDURE = Procedure(publicity=15, review=15, publication=7)
DAYS = {"publicity_working_days": PROCEDURE.publicity, "review_working_days": PROCEDURE.review}

# A copy of rules/bureau.yaml, so that editing the live settings does not move the golden files.
BUREAU = {
    "bureau": "晋城市生态环境局",
    "system": "晋城社会环境监测机构管理系统",
    "website": "https://sthjj.jcgov.gov.cn",
    "counties": ["城区", "泽州县", "高平市", "阳城县", "陵川县", "沁水县"],
    "objections": {
        "address": "山西省晋城市城区泽州路生态环境局信用管理科（邮编 048000）",
        "email": "xinyong@sthjj.jcgov.example",
        "phone": "0356-2026936",
    },
}

COLUMNS = [
    "institution_id", "name", "county", "status", "score", "grade", "clause", "deduction_basic",
    "deduction_execution", "deduction_management", "deduction_integrity", "bonus", "index_version",
]
# Deliberately not in notice order; the extra column carries personal data that must never appear.
ROWS = [
    ["91140524110231598W", "太原天恒检测技术有限公司", "阳城县", "rated", "84.0", "B", "", "0.0", "6.0", "10.0", "5.0", "5.0", "jc-2024.1"],
    ["91140522156702316G", "太原嘉泰环境技术服务有限公司", "泽州县", "rated", "86.0", "D", "7", "0.0", "9.0", "0.0", "7.0", "2.0", "jc-2024.1"],
    ["9114050215097111XC", "太原衡立环境监测股份有限公司", "城区", "not_rated", "", "", "", "", "", "", "", "", "jc-2024.1"],
    ["121405241225528314", FORMULA_NAME, "高平市", "rated", "61.0", "C", "", "20.0", "9.0", "5.0", "5.0", "0.0", "jc-2024.1"],
    ["91140522192559211Y", "太原凤新环境检测有限公司", "城区", "rated", "100.0", "A", "", "1.0", "0.5", "0.0", "0.0", "3.0", "jc-2024.1"],
    ["91140502147557110D", SCRIPT_NAME, "泽州县", "rated", "80.5", "B", "", "7.0", "3.5", "0.0", "9.0", "0.0", "jc-2024.1"],
]
PERSONAL = {"legal_representative": "张伟", "contact_phone": "13912345678", "person_id": "EMP-0042"}


def sample_results() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=COLUMNS, dtype="string")
    for column, value in PERSONAL.items():
        frame[column] = value
    return frame


def sample_context(*, draft: bool = False, results: pd.DataFrame | None = None, **overrides) -> dict:
    kwargs = {
        "year": 2025,
        "publication_date": date(2026, 1, 21),
        "first_day": date(2026, 1, 22),
        "last_day": date(2026, 2, 11),
        "bureau": BUREAU,
        "draft": draft,
        "generated_at": "2026-01-20 09:30:00 +08:00",
        "snapshot": "sha256:a84cf5b5a1e54023533145b57fb772105d6da513c620a12d6827c0f1a755d56d",
        "index_version": "jc-2024.1",
        "grade_bands": BANDS,
        **DAYS,
    }
    kwargs.update(overrides)
    return publicity_context(sample_results() if results is None else results, **kwargs)


