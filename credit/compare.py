"""What-if (第十五条): the same snapshot scored under two index-system versions, compared without changing anything."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from credit.scoring import Scored


def grade_label(row: pd.Series) -> str:
    return row["grade"] if row["status"] == "rated" else "不予评定"


def compare(base: Scored, other: Scored) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(grade migrations: from, to, institutions) and the institutions whose grade changes, with why."""
    a = base.results.set_index("institution_id")
    b = other.results.set_index("institution_id")
    ids = sorted(set(a.index) | set(b.index))
    rows = []
    for institution_id in ids:
        before = grade_label(a.loc[institution_id]) if institution_id in a.index else "—"
        after = grade_label(b.loc[institution_id]) if institution_id in b.index else "—"
        rows.append({"institution_id": institution_id, "from": before, "to": after})
    moves = pd.DataFrame(rows, columns=["institution_id", "from", "to"])
    migrations = moves.groupby(["from", "to"]).size().reset_index(name="institutions")
    changed = moves[moves["from"] != moves["to"]].copy()
    changed["name"] = [a["name"].get(i, b["name"].get(i, "")) for i in changed["institution_id"]]
    changed["score_from"] = [a["score"].get(i, "") for i in changed["institution_id"]]
    changed["score_to"] = [b["score"].get(i, "") for i in changed["institution_id"]]
    changed["why"] = [_why(base, other, i) for i in changed["institution_id"]]
    columns = ["institution_id", "name", "from", "to", "score_from", "score_to", "why"]
    return migrations, changed[columns].reset_index(drop=True)


def _why(base: Scored, other: Scored, institution_id: str) -> str:
    """The indicators whose counted points differ, and a change of 第十七条 clause."""
    before, after = _points_by_indicator(base, institution_id), _points_by_indicator(other, institution_id)
    parts = [
        f"{code} {before.get(code, Decimal(0)):.1f}→{after.get(code, Decimal(0)):.1f}"
        for code in sorted(set(before) | set(after))
        if before.get(code, Decimal(0)) != after.get(code, Decimal(0))
    ]
    clause_a = _clause(base, institution_id)
    clause_b = _clause(other, institution_id)
    if clause_a != clause_b:
        parts.append(f"第十七条 {clause_a or '—'}→{clause_b or '—'}")
    return "; ".join(parts) or "grade bands"


def _points_by_indicator(scored: Scored, institution_id: str) -> dict[str, Decimal]:
    rows = scored.findings[scored.findings["institution_id"] == institution_id]
    totals: dict[str, Decimal] = {}
    for code, points in zip(rows["indicator"], rows["points"], strict=True):
        totals[code] = totals.get(code, Decimal(0)) + Decimal(points)
    return totals


def _clause(scored: Scored, institution_id: str) -> str:
    rows = scored.results[scored.results["institution_id"] == institution_id]
    return rows["clause"].iloc[0] if len(rows) else ""
