"""The 第二十二条 inspection plan: sample sizes, the reproducible draw, complaints, 双随机 inspectors (R-19)."""

from __future__ import annotations

import copy
import hashlib
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import yaml

from credit.indexsystem import IndexSystemError
from credit.sampling import (
    PLAN_COLUMNS,
    REPEATED_TEAM,
    SamplingRulesError,
    draw_inspectors,
    draw_order,
    inspector_order,
    load_sampling_rules,
    parse_sampling_rules,
    plan,
    sample_size,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "rules" / "sampling" / "jc-2024.1.yaml"
SPEC = ROOT.parent / "shared" / "INDEX_SYSTEM.md"
RULES = load_sampling_rules("jc-2024.1")
SEED = "jc-2025-plan"


def raw() -> dict:
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def results(**groups: int) -> pd.DataFrame:
    """`results(A=40, C=11)`: ids like A-001 … A-040, all in 城区; not_rated has an empty grade."""
    rows = []
    for grade, n in groups.items():
        for i in range(1, n + 1):
            rows.append({"institution_id": f"{grade}-{i:03}", "county": "城区",
                         "status": "not_rated" if grade == "not_rated" else "rated",
                         "grade": "" if grade == "not_rated" else grade})
    return pd.DataFrame(rows, columns=["institution_id", "county", "status", "grade"])


def complaints(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"institution_id": list(ids)}, dtype="string")


def by_id(rows: pd.DataFrame) -> dict[str, dict]:
    return {r["institution_id"]: r for r in rows.to_dict("records")}


def hand_order(seed: str, ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda i: hashlib.sha256((seed + ":" + i).encode("utf-8")).hexdigest())


# ------------------------------------------------------------------------------------------- rules

def spec_table() -> dict[str, tuple[Decimal, str]]:
    """grade → (ratio, rounding) from the table in INDEX_SYSTEM.md's 第二十二条 section."""
    text = SPEC.read_text(encoding="utf-8").split("## Differentiated supervision", 1)[1]
    table = {}
    for line in text.splitlines():
        match = re.fullmatch(r"\|\s*([A-D](?:, not rated)?)\s*\|\s*(\d+)%\s*\|\s*(down|up|—)\s*\|.*", line.strip())
        if match:
            ratio = Decimal(match[2]) / 100
            for grade in match[1].replace("not rated", "not_rated").split(", "):
                table[grade] = (ratio, match[3])
    return table


def test_R19_the_default_sampling_rules_load_with_version_source_and_effective_date():
    assert RULES.version == "jc-2024.1"
    assert RULES.effective_from.isoformat() == "2024-01-01"
    assert "第二十二条" in RULES.source and "晋城市社会环境监测机构服务管理办法" in RULES.source
    assert [g.grade for g in RULES.groups] == ["A", "B", "C", "D", "not_rated"]
    assert RULES.complaint_indicator == "JY-02"
    assert RULES.inspectors_per_inspection == 2


def test_R19_ratios_and_roundings_are_those_published_in_INDEX_SYSTEM_md():
    expected = spec_table()
    assert set(expected) == {"A", "B", "C", "D", "not_rated"}
    for grade, (ratio, rounding) in expected.items():
        rule = RULES.group(grade)
        assert rule.ratio == ratio, grade
        if rounding != "—":
            assert rule.rounding == rounding, grade


def test_R19_ratios_are_exact_decimals_never_binary_floats():
    assert all(isinstance(g.ratio, Decimal) for g in RULES.groups)
    assert RULES.group("A").ratio == Decimal("0.03")


def test_R19_第二十二条_A_is_off_site_unless_a_complaint_and_D_and_not_rated_are_inspected_twice_on_a_complaint():
    assert RULES.group("A").on_site == "complaint_only"
    assert {RULES.group(g).on_site for g in "BCD"} == {"always"}
    assert [RULES.group(g).inspections_with_complaint for g in ("A", "B", "C", "D", "not_rated")] == [1, 1, 1, 2, 2]
    assert RULES.complaint_on_site is True


def _group(data: dict, grade: str) -> dict:
    return next(g for g in data["groups"] if g["grade"] == grade)


BROKEN = {
    "a group is missing": lambda d: d["groups"].pop(),
    "a group appears twice": lambda d: d["groups"].append(copy.deepcopy(d["groups"][0])),
    "an unknown group": lambda d: d["groups"].append({**copy.deepcopy(d["groups"][0]), "grade": "E"}),
    "a ratio above 1": lambda d: _group(d, "B").update(ratio="1.05"),
    "a negative ratio": lambda d: _group(d, "B").update(ratio="-0.05"),
    "a ratio finer than 0.01 %": lambda d: _group(d, "A").update(ratio="0.03125"),
    "a ratio that is not a number": lambda d: _group(d, "A").update(ratio="3%"),
    "rounding to nearest": lambda d: _group(d, "A").update(rounding="nearest"),
    "B, at most 5 %, rounding up": lambda d: _group(d, "B").update(rounding="up"),
    "C, at least 10 %, rounding down": lambda d: _group(d, "C").update(rounding="down"),
    "D not inspected in full": lambda d: _group(d, "D").update(ratio="0.5", bound="reduced"),
    "not rated not inspected in full": lambda d: _group(d, "not_rated").update(ratio="0.9", bound="at_least"),
    "a complaint lowering the inspections": lambda d: _group(d, "D").update(inspections=2, inspections_with_complaint=1),
    "zero inspections": lambda d: _group(d, "B").update(inspections=0),
    "a complaint off site": lambda d: d["complaint"].update(on_site=False),
    "a single inspector": lambda d: d.update(inspectors_per_inspection=1),
    "no effective date": lambda d: d.pop("effective_from"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_R19_a_sampling_rules_file_that_breaks_its_own_rules_is_refused_on_load(name):
    data = raw()
    BROKEN[name](data)
    with pytest.raises(SamplingRulesError):
        parse_sampling_rules(data, where="copy")


def test_R19_a_sampling_rules_error_is_a_rules_file_error_and_a_value_error():
    assert issubclass(SamplingRulesError, IndexSystemError) and issubclass(SamplingRulesError, ValueError)


def test_R19_an_unknown_version_or_a_file_declaring_another_version_is_refused(tmp_path):
    with pytest.raises(SamplingRulesError, match="jc-2024.1"):
        load_sampling_rules("jc-1999.1")
    (tmp_path / "sampling").mkdir()
    (tmp_path / "sampling" / "jc-2026.1.yaml").write_text(DEFAULT.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SamplingRulesError, match="declares version"):
        load_sampling_rules("jc-2026.1", rules_dir=tmp_path)


# ------------------------------------------------------------------------------------- sample size

COUNTS = (0, 1, 9, 10, 11, 33, 34, 100)
EXPECTED_K = {  # worked by hand: n × ratio, then down or up
    "A": (0, 0, 0, 0, 0, 0, 1, 3),  # 3 % down: 33 → 0.99 → 0, 34 → 1.02 → 1
    "B": (0, 0, 0, 0, 0, 1, 1, 5),  # 5 % down: 11 → 0.55 → 0, 33 → 1.65 → 1
    "C": (0, 1, 1, 1, 2, 4, 4, 10),  # 10 % up: 1 → 0.1 → 1, 10 → 1.0 → 1, 11 → 1.1 → 2, 33 → 3.3 → 4
    "D": COUNTS,
    "not_rated": COUNTS,
}


@pytest.mark.parametrize("grade", EXPECTED_K)
def test_R19_sample_size_at_small_counts_rounds_n_times_ratio_as_第二十二条_says(grade):
    rule = RULES.group(grade)
    assert tuple(sample_size(n, rule.ratio, rule.rounding) for n in COUNTS) == EXPECTED_K[grade]


@pytest.mark.parametrize("grade", EXPECTED_K)
def test_R19_the_plan_draws_exactly_k_per_grade_at_small_counts(grade):
    for n, k in zip(COUNTS, EXPECTED_K[grade], strict=True):
        made = plan(results(**{grade: n}), complaints(), RULES, SEED)
        assert len(made.rows) == k, (grade, n)
        assert made.counts.set_index("grade").loc[grade, ["n", "k", "selected"]].tolist() == [n, k, k]


def test_R19_fewer_than_34_A_institutions_give_no_A_inspection_34_give_one():
    assert plan(results(A=33), complaints(), RULES, SEED).rows.empty
    assert len(plan(results(A=34), complaints(), RULES, SEED).rows) == 1


def test_R19_sample_size_is_exact_where_a_binary_float_would_round_wrongly():
    # In binary floats 0.07 * 100 == 7.000000000000001, whose ceiling is 8; the exact decimal gives 7.
    assert sample_size(100, Decimal("0.07"), "up") == 7
    assert sample_size(100, Decimal("0.29"), "down") == 29  # 0.29 * 100 == 28.999999999999996 in binary


def test_R19_sample_size_refuses_a_float_ratio_a_negative_count_and_an_unknown_rounding():
    with pytest.raises(TypeError):
        sample_size(10, 0.1, "up")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sample_size(-1, Decimal("0.1"), "up")
    with pytest.raises(ValueError):
        sample_size(10, Decimal("0.1"), "nearest")
    with pytest.raises(ValueError):
        sample_size(10, Decimal("1.1"), "up")


# ------------------------------------------------------------------------------------------ the draw

def test_R19_draw_order_is_sha256_of_seed_colon_id_in_lower_case_hex():
    assert draw_order("jc-2025-plan", "91140500MA0A00001X") == (
        "9e07180ffe2f0365adbd8c4dc5934ccf30e309abb6407321349aa097e9bbffad")  # printf … | sha256sum
    assert draw_order("晋城2026", "A-001") == "0fe6a2c7bd9d996f43b8bd920ef18657f71df531e57e0c9deb4fffb902d070a3"
    for seed, institution_id in [("s", "x"), ("2025", "91140522MA0KXXXX1Y"), ("种子", "机构")]:
        hand = hashlib.sha256((seed + ":" + institution_id).encode("utf-8")).hexdigest()
        assert draw_order(seed, institution_id) == hand == hand.lower()


def test_R19_within_a_grade_the_first_k_in_ascending_draw_order_are_drawn():
    made = plan(results(A=100, C=25), complaints(), RULES, SEED)
    a_ids = [f"A-{i:03}" for i in range(1, 101)]
    c_ids = [f"C-{i:03}" for i in range(1, 26)]
    assert made.rows["institution_id"].tolist() == hand_order(SEED, a_ids)[:3] + hand_order(SEED, c_ids)[:3]


def test_R19_the_same_seed_gives_identical_rows():
    data = results(A=60, B=40, C=30, D=3, not_rated=2)
    first = plan(data, complaints("B-007", "X-1"), RULES, SEED)
    again = plan(data.sample(frac=1, random_state=7), complaints("X-1", "B-007"), RULES, SEED)
    pd.testing.assert_frame_equal(first.rows, again.rows)
    pd.testing.assert_frame_equal(first.counts, again.counts)
    assert (first.seed, first.rules_version) == (SEED, "jc-2024.1")


def test_R19_a_different_seed_gives_a_different_selection():
    # 5 of 100 B institutions: C(100, 5) ≈ 75 million possible samples, so two seeds must not agree.
    data = results(B=100)
    first = set(plan(data, complaints(), RULES, "2025-A").rows["institution_id"])
    other = set(plan(data, complaints(), RULES, "2025-B").rows["institution_id"])
    assert len(first) == len(other) == 5 and first != other


def test_R19_rows_are_ordered_by_group_then_draw_order_with_the_documented_columns_and_types():
    made = plan(results(A=34, B=20, C=10, D=2, not_rated=2), complaints("Z-9"), RULES, SEED)
    rows = made.rows
    assert list(rows.columns) == PLAN_COLUMNS
    assert rows["grade"].tolist() == ["A", "B", "C", "D", "D", "not_rated", "not_rated", ""]
    assert rows["inspections"].dtype == "int64" and rows["on_site"].dtype == bool
    for grade in ("D", "not_rated"):
        ids = rows.loc[rows["grade"] == grade, "institution_id"].tolist()
        assert ids == hand_order(SEED, ids)
    assert rows.loc[rows["grade"] == "D", "reason"].tolist() == ["all", "all"]
    assert rows.loc[rows["grade"] == "B", "reason"].tolist() == ["sampled"]


def test_R19_A_drawn_without_a_complaint_is_checked_off_site_and_every_other_group_on_site():
    rows = by_id(plan(results(A=34, B=20, C=1, D=1, not_rated=1), complaints(), RULES, SEED).rows)
    assert {r["grade"]: bool(r["on_site"]) for r in rows.values()} == {
        "A": False, "B": True, "C": True, "D": True, "not_rated": True}


# ------------------------------------------------------------------------------------------ complaints

def test_R19_第二十二条_an_A_institution_with_a_verified_complaint_is_added_and_inspected_on_site():
    drawn = hand_order(SEED, [f"A-{i:03}" for i in range(1, 41)])
    rows = by_id(plan(results(A=40), complaints(drawn[-1]), RULES, SEED).rows)
    assert rows[drawn[0]] == {"institution_id": drawn[0], "county": "城区", "grade": "A", "reason": "sampled",
                              "inspections": 1, "on_site": False}
    assert rows[drawn[-1]] == {"institution_id": drawn[-1], "county": "城区", "grade": "A", "reason": "complaint",
                               "inspections": 1, "on_site": True}


def test_R19_an_institution_drawn_and_complained_of_keeps_one_row_that_names_the_complaint():
    drawn = hand_order(SEED, [f"A-{i:03}" for i in range(1, 41)])[0]
    made = plan(results(A=40), complaints(drawn, drawn), RULES, SEED)
    assert made.rows.to_dict("records") == [{"institution_id": drawn, "county": "城区", "grade": "A",
                                             "reason": "sampled;complaint", "inspections": 1, "on_site": True}]
    counts = made.counts.set_index("grade").loc["A"]
    assert (counts["k"], counts["complaints"], counts["complaint_added"], counts["selected"]) == (1, 1, 0, 1)


def test_R19_第二十二条_D_and_not_rated_with_a_verified_complaint_are_inspected_twice():
    rows = by_id(plan(results(D=2, not_rated=2), complaints("D-001", "not_rated-002"), RULES, SEED).rows)
    assert {i: (r["reason"], r["inspections"]) for i, r in rows.items()} == {
        "D-001": ("all;complaint", 2), "D-002": ("all", 1),
        "not_rated-001": ("all", 1), "not_rated-002": ("all;complaint", 2)}


def test_R19_B_and_C_institutions_with_a_complaint_are_added_on_top_of_k_and_inspected_once():
    b_ids = hand_order(SEED, [f"B-{i:03}" for i in range(1, 21)])
    c_ids = hand_order(SEED, [f"C-{i:03}" for i in range(1, 11)])
    made = plan(results(B=20, C=10), complaints(b_ids[-1], c_ids[-1], c_ids[0]), RULES, SEED)
    assert made.rows["institution_id"].tolist() == [b_ids[0], b_ids[-1], c_ids[0]] + [c_ids[-1]]
    assert made.rows["reason"].tolist() == ["sampled", "complaint", "sampled;complaint", "complaint"]
    assert made.rows["inspections"].tolist() == [1, 1, 1, 1]
    counts = made.counts.set_index("grade")
    assert counts.loc["B", ["n", "k", "complaint_added", "selected"]].tolist() == [20, 1, 1, 2]
    assert counts.loc["C", ["n", "k", "complaint_added", "selected"]].tolist() == [10, 1, 1, 2]


def test_R19_a_complained_of_institution_with_no_result_in_the_cycle_is_added_last_with_no_grade():
    # INDEX_SYSTEM.md "Bad rows": events may name an institution outside the registry, and its complaints
    # count for the supervision plan. No result means neither rated nor 不予评定: one on-site inspection.
    complained = pd.DataFrame({"institution_id": ["X-2", "X-1", "X-2"], "county": ["", "阳城县", "高平市"]})
    made = plan(results(D=1), complained, RULES, SEED)
    tail = made.rows.iloc[1:].to_dict("records")
    assert sorted(r["institution_id"] for r in tail) == ["X-1", "X-2"]
    assert [r["institution_id"] for r in tail] == hand_order(SEED, ["X-1", "X-2"])
    assert by_id(made.rows.iloc[1:])["X-1"] == {"institution_id": "X-1", "county": "阳城县", "grade": "",
                                                 "reason": "complaint", "inspections": 1, "on_site": True}
    assert by_id(made.rows.iloc[1:])["X-2"]["county"] == "高平市"
    assert made.counts.iloc[-1].tolist() == ["", 0, "", "", 0, 2, 2, 2]


def test_R19_a_complaint_file_without_a_county_column_leaves_the_county_empty():
    rows = plan(results(), complaints("X-1"), RULES, SEED).rows
    assert rows.to_dict("records") == [{"institution_id": "X-1", "county": "", "grade": "", "reason": "complaint",
                                         "inspections": 1, "on_site": True}]


@pytest.mark.parametrize("status, grade", [("rated", ""), ("rated", "E"), ("not_rated", "C"), ("scored", "A")])
def test_R19_results_that_break_R11_or_R13_are_refused(status, grade):
    bad = pd.DataFrame([{"institution_id": "Q-1", "county": "城区", "status": status, "grade": grade}])
    with pytest.raises(ValueError, match="Q-1"):
        plan(bad, complaints(), RULES, SEED)


def test_R19_a_duplicate_institution_an_empty_id_or_an_empty_seed_is_refused():
    with pytest.raises(ValueError, match="A-001"):
        plan(pd.concat([results(A=1), results(A=1)]), complaints(), RULES, SEED)
    with pytest.raises(ValueError, match="empty institution_id"):
        plan(results(A=1), complaints(""), RULES, SEED)
    with pytest.raises(ValueError, match="--seed 不能为空"):
        plan(results(A=1), complaints(), RULES, "")


def test_R19_not_rated_given_with_a_missing_grade_reads_as_an_empty_grade():
    data = results(not_rated=1).astype("string")
    data.loc[0, "grade"] = pd.NA
    assert plan(data, complaints(), RULES, SEED).rows["grade"].tolist() == ["not_rated"]


# ---------------------------------------------------------------------------------- inspector draw

COUNTIES = ["城区", "泽州县", "高平市", "阳城县", "陵川县", "沁水县"]


def roster(per_county: int = 2, city: int = 2) -> pd.DataFrame:
    """City-level staff S01… (county "") and, when there are any, S11 (county "市局"); K<c><i> per branch."""
    rows = [{"inspector_id": f"S0{i}", "name": f"市局{i}", "unit": "市生态环境局", "county": ""}
            for i in range(1, city + 1)]
    rows += [{"inspector_id": "S11", "name": "市局9", "unit": "市生态环境局", "county": "市局"}] if city else []
    rows += [{"inspector_id": f"K{c}{i}", "name": f"{county}{i}", "unit": f"{county}分局", "county": county}
             for c, county in enumerate(COUNTIES) for i in range(1, per_county + 1)]
    return pd.DataFrame(rows)


def spread_plan() -> pd.DataFrame:
    rows = []
    for i in range(30):
        grade = "D" if i % 5 == 0 else "C"
        rows.append({"institution_id": f"I-{i:03}", "county": COUNTIES[i % 6], "grade": grade, "reason": "all",
                     "inspections": 2 if grade == "D" else 1, "on_site": True})
    return pd.DataFrame(rows)


def teams(drawn: pd.DataFrame) -> list[frozenset[str]]:
    return [frozenset(p) for p in zip(drawn["inspector_1"], drawn["inspector_2"], strict=True)]


def test_R19_双随机_every_planned_inspection_gets_two_distinct_inspectors_and_never_its_own_county_branch():
    staff = roster().set_index("inspector_id")
    drawn = draw_inspectors(spread_plan(), roster(), SEED)
    assert len(drawn) == 30 + 6  # six D rows inspected twice
    assert (drawn["inspector_1"] != drawn["inspector_2"]).all()
    for row in drawn.itertuples():
        assert row.county not in {staff.loc[row.inspector_1, "county"], staff.loc[row.inspector_2, "county"]}


def test_R19_双随机_no_pair_of_inspectors_is_used_twice_in_a_plan_when_the_roster_allows():
    drawn = draw_inspectors(spread_plan(), roster(), SEED)
    assert max(Counter(teams(drawn)).values()) == 1
    assert (drawn["note"] == "").all()


def test_R19_双随机_the_inspector_draw_is_reproducible_and_depends_on_the_seed():
    first = draw_inspectors(spread_plan(), roster(), SEED)
    pd.testing.assert_frame_equal(first, draw_inspectors(spread_plan(), roster().iloc[::-1], SEED))
    assert teams(first) != teams(draw_inspectors(spread_plan(), roster(), "another seed"))


def test_R19_双随机_the_first_team_is_the_two_best_ranked_by_sha256_of_seed_id_inspection_and_inspector():
    one = pd.DataFrame([{"institution_id": "I-1", "county": "城区", "grade": "D", "reason": "all;complaint",
                         "inspections": 2, "on_site": True}])
    staff = roster()
    drawn = draw_inspectors(one, staff, SEED)
    for inspection in (1, 2):
        eligible = staff.loc[staff["county"] != "城区", "inspector_id"]
        ranked = sorted(eligible, key=lambda i, n=inspection: hashlib.sha256(
            f"{SEED}:I-1:{n}:{i}".encode()).hexdigest())
        assert inspector_order(SEED, "I-1", inspection, ranked[0]) == hashlib.sha256(
            f"{SEED}:I-1:{inspection}:{ranked[0]}".encode()).hexdigest()
        row = drawn.iloc[inspection - 1]
        if inspection == 1:
            assert (row["inspector_1"], row["inspector_2"]) == tuple(ranked[:2])
        assert row["inspection"] == inspection
    assert teams(drawn)[0] != teams(drawn)[1]


def test_R19_双随机_when_every_pair_is_used_a_pair_repeats_deterministically_and_the_row_says_so():
    # Three eligible inspectors give three pairs; the fourth inspection must repeat one.
    small = pd.DataFrame([
        {"inspector_id": "S1", "name": "甲", "unit": "市生态环境局", "county": ""},
        {"inspector_id": "S2", "name": "乙", "unit": "市生态环境局", "county": "市局"},
        {"inspector_id": "K1", "name": "丙", "unit": "泽州县分局", "county": "泽州县"},
        {"inspector_id": "K2", "name": "丁", "unit": "城区分局", "county": "城区"},
    ])
    rows = pd.DataFrame([{"institution_id": f"I-{i}", "county": "城区", "grade": "D", "reason": "all;complaint",
                          "inspections": 2, "on_site": True} for i in (1, 2)])
    drawn = draw_inspectors(rows, small, SEED)
    assert "K2" not in set(drawn["inspector_1"]) | set(drawn["inspector_2"])
    assert len(set(teams(drawn)[:3])) == 3
    assert drawn["note"].tolist() == ["", "", "", REPEATED_TEAM]
    eligible = ["S1", "S2", "K1"]
    last = sorted(eligible, key=lambda i: inspector_order(SEED, "I-2", 2, i))
    assert (drawn.iloc[3]["inspector_1"], drawn.iloc[3]["inspector_2"]) == tuple(last[:2])
    pd.testing.assert_frame_equal(drawn, draw_inspectors(rows, small, SEED))


def test_R19_双随机_fewer_than_two_eligible_inspectors_is_a_clear_error():
    own_branch_only = pd.DataFrame([
        {"inspector_id": "K1", "name": "丙", "unit": "城区分局", "county": "城区"},
        {"inspector_id": "K2", "name": "丁", "unit": "城区分局", "county": "城区"},
        {"inspector_id": "S1", "name": "甲", "unit": "市生态环境局", "county": ""},
    ])
    row = pd.DataFrame([{"institution_id": "I-1", "county": "城区", "grade": "C", "reason": "sampled",
                         "inspections": 1, "on_site": True}])
    with pytest.raises(ValueError, match=r"机构 I-1（位于城区）可抽取的执法检查人员只有 1 名，每组需要 2 名"):
        draw_inspectors(row, own_branch_only, SEED)
    drawn = draw_inspectors(row, own_branch_only, SEED, avoid_own_county=False)
    assert len(drawn) == 1


def test_R19_双随机_an_institution_of_unknown_county_is_inspected_by_city_level_staff_only():
    row = pd.DataFrame([{"institution_id": "X-1", "county": "", "grade": "", "reason": "complaint",
                         "inspections": 1, "on_site": True}])
    drawn = draw_inspectors(row, roster(), SEED)
    assert {drawn.iloc[0]["inspector_1"], drawn.iloc[0]["inspector_2"]} <= {"S01", "S02", "S11"}
    with pytest.raises(ValueError, match="只能由市局人员检查"):
        draw_inspectors(row, roster(city=0), SEED)


def test_R19_双随机_a_roster_with_a_duplicate_inspector_is_refused():
    staff = roster()
    with pytest.raises(ValueError, match="执法检查人员名录：S01 重复出现"):
        draw_inspectors(spread_plan(), pd.concat([staff, staff.iloc[:1]]), SEED)


def test_R19_the_plan_and_the_inspector_draw_compose():
    made = plan(results(A=40, B=20, C=11, D=2, not_rated=1), complaints("D-002", "X-1"), RULES, SEED)
    drawn = draw_inspectors(made.rows, roster(), SEED)
    assert len(drawn) == int(made.rows["inspections"].sum())
