"""信用风险等级评价结果告知书 (issue 13): one institution's own result, its deductions and how to object.

Pure: a context from the stored result and findings of ONE institution (第十四、十六、十七条) and the
bureau's settings, rendered to print-ready HTML (A4, CSS paged media). The points shown sum exactly to
the score (base − deductions + bonus, then the index system's floor and ceiling): `notice_context`
refuses a result whose findings do not add up, so a notice never explains a score it cannot justify.
Only that institution's rows are read; no other institution's data can reach its notice. Indicator
names, articles and evidence are worded by reports/explain.py, as in the bureau's other documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from credit.indexsystem import IndexSystem
from reports.common import (
    ENV,
    NOT_RATED,
    NOT_RATED_NOTE,
    REGULATION,
    clause_label,
    clean_text,
    cn_date,
    contact,
)
from reports.explain import evidence_words, indicator_article, indicator_name

TITLE = "信用风险等级评价结果告知书"
ONE_PLACE = Decimal("0.1")


class NoticeSumError(ValueError):
    """A result whose findings do not add up to its score: no notice may explain it."""


@dataclass(frozen=True)
class NoticeFacts:
    """What one notice says besides the result: its number, dates, the window and the procedure."""

    document_no: str
    issued_on: date
    year: int
    version: int
    first_day: date | None  # the publicity window of this version (第十八条); None: not in publicity yet
    last_day: date | None
    publicity_working_days: int
    review_working_days: int
    changed: bool = False  # a later version after an upheld objection or a 第十七条 event


def tenths(value: object) -> Decimal:
    """A stored point value ("12.5", Decimal, "") as an exact Decimal with one place."""
    text = clean_text(value)
    return Decimal(text or "0").quantize(ONE_PLACE)


def finding_rows(index: IndexSystem, findings: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Every finding in words: indicator, article, date, evidence, raw and counted points, the cap applied."""
    rows = []
    for f in findings:
        code = clean_text(f["indicator"])
        indicator = index.indicators.get(code)
        raw, counted = tenths(f["raw_points"]), tenths(f["points"])
        cap = "" if raw == counted else f"受扣分上限限制，计{counted}分（原{raw}分）"
        rows.append({"dimension": clean_text(f["dimension"]), "indicator": f"{indicator_name(index, code)}（{code}）",
                     "article": indicator_article(index, code), "date": _date_text(f["date"]),
                     "evidence": evidence_words(clean_text(f["evidence"]), indicator.trigger if indicator else None),
                     "raw": str(raw), "points": str(counted), "cap": cap})
    return rows


def _date_text(value: object) -> str:
    text = clean_text(value)
    return cn_date(date.fromisoformat(text[:10])) if text else "—"


def dimension_rows(index: IndexSystem, result: Mapping[str, Any],
                   findings: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The four dimensions (and the bonus) with their points and their findings, in the index system's order."""
    rows = []
    for dim in index.dimensions:
        column = "bonus" if dim.is_bonus else f"deduction_{dim.code}"
        own = [f for f in findings if f["dimension"] == dim.code]
        rows.append({"code": dim.code, "name": dim.name, "is_bonus": dim.is_bonus, "cap": str(Decimal(dim.cap) / 10),
                     "points": str(tenths(result.get(column))), "findings": own})
    return rows


def score_lines(index: IndexSystem, result: Mapping[str, Any], dimensions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """基础分 − each dimension + bonus = the score; refuses (NoticeSumError) when they do not add up."""
    base = (Decimal(index.base) / 10).quantize(ONE_PLACE)
    total, lines = base, [{"label": "基础分", "points": str(base)}]
    for dim in dimensions:
        points = Decimal(dim["points"])
        counted = sum((Decimal(f["points"]) for f in dim["findings"]), Decimal("0.0"))
        if counted != points:
            raise NoticeSumError(f"{result['institution_id']}: {dim['name']} findings {counted} ≠ {points}")
        total += points if dim["is_bonus"] else -points
        lines.append({"label": dim["name"] if dim["is_bonus"] else f"{dim['name']}扣分",
                      "points": f"{'+' if dim['is_bonus'] else '−'}{points}"})
    floor, ceiling = (Decimal(index.floor) / 10).quantize(ONE_PLACE), (Decimal(index.ceiling) / 10).quantize(ONE_PLACE)
    clipped = min(max(total, floor), ceiling)
    if clipped != total:
        lines.append({"label": f"按评分{'上' if clipped < total else '下'}限{clipped}分计", "points": str(clipped)})
    score = tenths(result.get("score"))
    if clipped != score:
        raise NoticeSumError(f"{result['institution_id']}: points add up to {clipped}, the stored score is {score}")
    lines.append({"label": "评价得分", "points": str(score)})
    return lines


def notice_context(result: Mapping[str, Any], findings: Sequence[Mapping[str, Any]], index: IndexSystem,
                   bureau: Mapping[str, Any], facts: NoticeFacts) -> dict[str, Any]:
    """第十四—十七、十九条: one institution's notice; `findings` must be that institution's only."""
    institution_id = clean_text(result["institution_id"])
    if any(clean_text(f["institution_id"]) != institution_id for f in findings):
        raise ValueError(f"{institution_id}: findings of another institution given to its notice")
    rated = clean_text(result["status"]) == "rated"
    rows = finding_rows(index, findings) if rated else []
    dimensions = dimension_rows(index, result, rows) if rated else []
    return {
        "title": TITLE, "regulation": REGULATION, "document_no": facts.document_no,
        "institution_id": institution_id, "name": clean_text(result["name"]), "year": facts.year,
        "period": f"{facts.year}年1月1日至{facts.year}年12月31日", "version": facts.version, "changed": facts.changed,
        "rated": rated, "not_rated": NOT_RATED, "not_rated_reason": NOT_RATED_NOTE,
        "score": str(tenths(result.get("score"))) if rated else "", **_grade(index, result, rated),
        "dimensions": [d for d in dimensions if not d["is_bonus"]],
        "bonus": next((d for d in dimensions if d["is_bonus"] and Decimal(d["points"])), None),
        "score_lines": score_lines(index, result, dimensions) if rated else [],
        "finding_count": len(rows), "index_version": index.version,
        "first_day": cn_date(facts.first_day) if facts.first_day else "",
        "last_day": cn_date(facts.last_day) if facts.last_day else "",
        "publicity_working_days": facts.publicity_working_days, "review_working_days": facts.review_working_days,
        "bureau": clean_text(bureau.get("bureau")), "contact": contact(bureau),
        "issued_on": cn_date(facts.issued_on), "issued_on_iso": facts.issued_on.isoformat(),
    }


def _grade(index: IndexSystem, result: Mapping[str, Any], rated: bool) -> dict[str, str]:
    """The grade, its 第十六条 label, and the 第十七条 clause that forced it, if any."""
    if not rated:
        return {"grade": "", "grade_text": NOT_RATED, "clause_text": ""}
    grade, clause = clean_text(result["grade"]), clean_text(result.get("clause"))
    label = next((band.label for band in index.grades if band.grade == grade), "")
    clause_text = ""
    if clause:
        clause_text = f"{clause_label(clause)}：{index.clauses.get(int(clause), '')}".rstrip("：")
    return {"grade": grade, "grade_text": f"{grade}级（{label}）" if label else f"{grade}级", "clause_text": clause_text}


def render_notice_html(ctx: Mapping[str, Any]) -> str:
    """The print-ready notice (A4, paged media); every value autoescaped (R-20)."""
    return ENV.get_template("notice.html.j2").render(**ctx)
