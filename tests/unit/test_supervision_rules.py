"""The supervision rules as data and the credit events records become (R-06, R-07, R-09, R-10)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
import yaml

from credit.contract import TABLES
from credit.indexsystem import RULES_DIR, load_index_system
from credit.supervision import (
    ComplaintRecord,
    FindingRecord,
    SupervisionRulesError,
    check_against_index,
    complaint_event,
    finding_event,
    in_period,
    load_supervision_rules,
    parse_supervision_rules,
)
from tasks.drop_io import Drop, RawTable, with_recorded_events
from tasks.validation import DUPLICATE_RECORDED, validate_drop
from tests.support.builders import INST, clean_drop, event

RULES = load_supervision_rules("jc-2024.1")
FINDING = FindingRecord("INS-2025-0001-1", INST, "on_site", 1, "记录不全", date(2025, 6, 10), "verified", None,
                        date(2025, 7, 1), "晋环监告〔2025〕1号")
COMPLAINT = ComplaintRecord("CMP-2025-0001", INST, "hotline_12345", date(2025, 8, 1), "数据不符", "verified",
                            None, date(2025, 8, 20))


def test_R07_the_six_situations_of_article_10_map_to_the_indicators_of_index_system():
    index = load_index_system("jc-2024.1")
    mapped = {item: s.indicator for item, s in RULES.situations.items()}
    assert mapped == {1: "YW-05", 2: "JB-05", 3: "YW-07", 4: "JY-03", 5: None, 6: "JY-04"}
    for item, code in mapped.items():
        if code:
            assert f"第十条（{'一二三四五六'[item - 1]}）" in index.indicators[code].article
    assert RULES.complaint_indicator == "JY-02"


def test_R06_methods_and_matters_are_the_items_of_articles_9_and_8():
    assert sorted({m.item for m in RULES.methods.values()}) == [1, 2, 3, 4, 5, 6]
    assert sorted(m.item for m in RULES.matters.values()) == [1, 2, 3, 4, 5, 6]
    assert (RULES.method("blind_sample").source, RULES.method("interlab").source) == ("blind_sample", "interlab")


def test_R10_rules_naming_an_auto_indicator_are_refused_on_load():
    raw = yaml.safe_load((RULES_DIR / "supervision" / "jc-2024.1.yaml").read_text(encoding="utf-8"))
    raw["situations"][5]["indicator"] = "JB-01"
    with pytest.raises(SupervisionRulesError, match="JB-01 is not an event indicator"):
        check_against_index(parse_supervision_rules(raw), load_index_system("jc-2024.1"), "test")
    del raw["situations"][6]
    with pytest.raises(SupervisionRulesError, match="exactly the six items"):
        parse_supervision_rules(raw)


def test_R07_a_verified_finding_is_an_event_decided_on_the_inspection_day():
    row = finding_event(FINDING, RULES)
    assert (row["indicator"], row["decided_on"], row["verified"], row["verified_on"]) == (
        "YW-05", "2025-06-10", "true", "2025-07-01")
    assert finding_event(replace(FINDING, decided_on=date(2025, 6, 30)), RULES)["decided_on"] == "2025-06-30"
    pending = finding_event(replace(FINDING, outcome="pending", verified_on=None), RULES)
    assert (pending["verified"], pending["verified_on"]) == ("false", None)
    assert finding_event(replace(FINDING, outcome="not_verified"), RULES) is None
    assert finding_event(replace(FINDING, situation=5), RULES) is None


def test_R09_only_a_verified_complaint_scores_and_an_unfounded_one_is_no_event():
    row = complaint_event(COMPLAINT, RULES)
    assert (row["indicator"], row["source"], row["decided_on"], row["occurred_on"]) == (
        "JY-02", "complaint", "2025-08-20", "2025-08-01")
    pending = complaint_event(replace(COMPLAINT, outcome="pending", verified_on=None), RULES)
    assert (pending["decided_on"], pending["verified"]) == (None, "false")
    assert complaint_event(replace(COMPLAINT, outcome="unfounded", verified_on=None), RULES) is None


@pytest.mark.parametrize(("decided", "occurred", "inside"), [
    ("2025-12-31", "2025-12-01", True), ("2026-01-01", "2025-12-31", False), ("2025-01-01", "2024-12-30", True),
    (None, "2025-12-31", True), (None, "2026-01-01", False),
])
def test_R10_a_recorded_event_belongs_to_the_period_of_its_decision(decided, occurred, inside):
    assert in_period({"decided_on": decided, "occurred_on": occurred}, date(2025, 1, 1), date(2025, 12, 31)) is inside


def drop_of(tables: dict[str, list[dict]]) -> Drop:
    raw = {}
    for name, rows in tables.items():
        frame = pd.DataFrame(rows, columns=list(TABLES[name].columns), dtype="string")
        frame.index = pd.RangeIndex(2, len(frame) + 2)
        raw[name] = RawTable(name, f"{name}.csv", frame)
    return Drop(raw, "sha256:" + "0" * 64, "test")


def test_R10_recorded_events_join_the_drop_and_an_id_the_drop_has_keeps_the_drop_row():
    rows = clean_drop()
    rows["credit_events"] = [event("INS-2025-0001-1", "YW-07", decided_on="2025-03-01", verified="true",
                                   verified_on="2025-03-02")]
    drop = drop_of(rows)
    recorded = pd.DataFrame([finding_event(FINDING, RULES), complaint_event(COMPLAINT, RULES)], dtype="string")

    merged = with_recorded_events(drop, recorded)
    validated = validate_drop(merged, event_indicators=set(load_index_system("jc-2024.1").event_codes),
                              auto_indicators=set(load_index_system("jc-2024.1").auto_codes), counties=["城区"])

    assert merged.snapshot != drop.snapshot and with_recorded_events(drop, recorded.iloc[:0]) is drop
    events = validated.tables["credit_events"].set_index("event_id")
    assert events.loc["INS-2025-0001-1", "indicator"] == "YW-07"  # the drop's row
    assert events.loc["CMP-2025-0001", "indicator"] == "JY-02"
    warning = validated.warnings[validated.warnings["reason"] == DUPLICATE_RECORDED]
    assert warning[["file", "row", "key"]].values.tolist() == [["store:recorded_events", 2, "INS-2025-0001-1"]]
