"""The 复核意见告知书 an officer sends names each set-aside indicator and says its evidence (issue 12 item 2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tasks.objections import DecideInput, decide
from tests.service.test_objections import (  # noqa: F401 (fixtures)
    ACTOR,
    OBJECTED,
    add,
    filing,
    proof,
    rules,
    uow,
    validated_once,
)


def test_the_reply_letter_of_a_decision_names_the_set_aside_indicator(
        uow: Any, rules: Any, filing: Any, proof: Path) -> None:  # noqa: F811 (the fixtures above)
    objection: Any = add(uow, rules, filing, date(2026, 2, 24), OBJECTED, (proof,))
    with uow:
        report = decide(uow, rules, DecideInput(objection.id, date(2026, 3, 18), "upheld", "签字人授权记录已补正",
                                                ACTOR, filing, set_aside=(("YW-04", "A2025000000096"),)))
    letter = report.letter.read_text(encoding="utf-8")
    assert "指标 <code>YW-04</code> 报告非授权签字人签发（业务执行；" in letter
    assert "依据 监测活动（A2025000000096）" in letter
