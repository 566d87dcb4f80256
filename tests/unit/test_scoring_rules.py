"""Every indicator, cap walk, tier, clause and grade boundary of jc-2024.1, named by rule id."""

from __future__ import annotations

from datetime import date

import pytest

from credit.indexsystem import load_index_system
from tests.support.builders import (
    INST,
    OTHER,
    REGULATOR,
    SUBJECT,
    activity,
    clean_drop,
    event,
    findings_of,
    result_of,
    run,
    with_rows,
)


def change(item: str, changed_on: str, filed_on: str | None) -> dict:
    return {"institution_id": INST, "item": item, "changed_on": changed_on, "filed_on": filed_on}


def drop_with(**tables):
    return with_rows(clean_drop(), **tables)


def replace(rows: dict, table: str, **fields) -> dict:
    """The drop with every row of `table` updated."""
    for row in rows[table]:
        row.update(fields)
    return rows


# --- R-11 who is evaluated -------------------------------------------------------------------------

def test_R11_a_clean_registered_active_institution_scores_100_and_grade_A():
    result = result_of(run(clean_drop()))
    assert (result["status"], result["score"], result["grade"], result["clause"]) == ("rated", "100.0", "A", "")
    assert [result[f"deduction_{d}"] for d in ("basic", "execution", "management", "integrity")] == ["0.0"] * 4
    assert result["bonus"] == "0.0"


@pytest.mark.parametrize(
    ("registered_on", "status", "status_changed_on", "expected"),
    [
        ("2025-12-31", "registered", None, "rated"),
        ("2026-01-01", "registered", None, "not_rated"),
        ("2020-01-01", "removed", "2025-12-31", "not_rated"),
        ("2020-01-01", "removed", "2026-01-01", "rated"),
        ("2020-01-01", "removed", None, "not_rated"),
        ("2020-01-01", "suspended", "2025-06-01", "rated"),
    ],
)
def test_R11_registry_test_at_its_boundaries(registered_on, status, status_changed_on, expected):
    rows = replace(clean_drop(), "institutions", registered_on=registered_on, status=status,
                   status_changed_on=status_changed_on)
    assert result_of(run(rows))["status"] == expected


def test_R11_an_active_institution_absent_from_the_registry_is_listed_not_rated_without_points():
    rows = drop_with(activities=[activity("X1", OTHER, institution_name="外地监测公司", county="泽州县",
                                          signatory_id=None)])
    scored = run(rows)
    result = result_of(scored, OTHER)
    assert result["status"] == "not_rated"
    assert (result["name"], result["county"]) == ("外地监测公司", "泽州县")
    assert all(result[c] == "" for c in ("score", "grade", "clause", "deduction_basic", "bonus"))
    assert findings_of(scored, OTHER) == []


def test_R11_a_registered_institution_without_activity_in_the_period_is_out_of_scope():
    rows = replace(clean_drop(), "activities", sampled_on="2024-12-31")
    assert run(rows).results.empty


def test_R11_an_as_of_inside_the_period_is_refused():
    with pytest.raises(ValueError, match="as-of"):
        run(clean_drop(), as_of=date(2025, 12, 31))


# --- 基本素质 basic ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("changed_on", "filed_on", "expected_date"),
    [
        ("2025-05-22", "2025-06-24", "2025-06-23"),  # deadline 06-22 is a Sunday: moved to Monday
        ("2025-05-22", None, "2025-06-23"),
        ("2025-05-22", "2025-06-23", None),  # filed on the deadline: in time
        ("2025-01-31", "2025-03-03", "2025-02-28"),  # no 31 February: the month's last day
        ("2025-12-10", None, None),  # deadline 2026-01-12 lies after the period
        ("2024-12-20", "2025-01-31", "2025-01-20"),  # change before the period, deadline inside it
    ],
)
def test_R05_JB01_change_filed_after_its_one_month_deadline(changed_on, filed_on, expected_date):
    scored = run(drop_with(changes=[change("address", changed_on, filed_on)]))
    expected = [] if expected_date is None else [
        ("JB-01", expected_date, "2.0", "2.0", f"change:address:{changed_on}")
    ]
    assert findings_of(scored, indicator="JB-01") == expected


def test_JB01_caps_at_six_points_in_date_order():
    changes = [change(item, f"2025-0{m}-02", None) for m, item in
               zip(range(1, 5), ("name", "address", "legal_nature", "key_personnel"), strict=True)]
    found = findings_of(run(drop_with(changes=changes)), indicator="JB-01")
    assert [f[3] for f in found] == ["2.0", "2.0", "2.0", "0.0"]


def test_JB02_each_distinct_known_missing_material_counts_once_unknown_items_are_ignored():
    rows = replace(clean_drop(), "institutions", materials_missing="staff; cma;staff;photos")
    assert findings_of(run(rows), indicator="JB-02") == [
        ("JB-02", "2025-12-31", "2.0", "2.0", "materials:cma"),
        ("JB-02", "2025-12-31", "2.0", "2.0", "materials:staff"),
    ]


@pytest.mark.parametrize(("valid_to", "found"), [("2025-12-01", False), ("2025-11-30", True)])
def test_JB03_key_role_vacant_more_than_30_days_is_a_finding(valid_to, found):
    rows = clean_drop()
    rows["personnel"][4]["valid_to"] = valid_to  # quality_manager leaves; valid_to is the last day held
    expected = [("JB-03", "2025-12-31", "3.0", "3.0", "role:quality_manager")] if found else []
    assert findings_of(run(rows), indicator="JB-03") == expected


def test_JB03_vacancy_is_the_total_of_uncovered_days_not_one_run():
    rows = clean_drop()
    rows["personnel"][4].update(valid_to="2025-03-13")  # off 03-14..04-02: 20 days
    rows["personnel"].append({"institution_id": INST, "person_id": "P9", "name": "新任", "role": "quality_manager",
                              "valid_from": "2025-04-03", "valid_to": "2025-09-30"})
    rows["personnel"].append({"institution_id": INST, "person_id": "P9", "name": "新任", "role": "quality_manager",
                              "valid_from": "2025-10-12"})  # 11 days off in October: 31 in all
    assert [f[4] for f in findings_of(run(rows), indicator="JB-03")] == ["role:quality_manager"]


def test_JB03_window_starts_at_registration_within_the_period():
    rows = replace(clean_drop(), "institutions", registered_on="2025-06-01")
    replace(rows, "personnel", valid_from="2025-07-01")  # 30 days uncovered: June
    rows["activities"][0].update(sampled_on="2025-08-01", report_issued_on="2025-08-04", submitted_on="2025-08-05")
    assert findings_of(run(rows), indicator="JB-03") == []


@pytest.mark.parametrize(
    ("equipment_ids", "calibration_valid_to", "found"),
    [
        ("EQ-1", "2025-03-03", False),  # calibrated up to the sampling day itself
        ("EQ-1", "2025-03-02", True),
        ("EQ-1", None, True),  # empty calibration_valid_to
        ("EQ-9", "2030-01-01", True),  # not in the institution's equipment list
        (None, "2030-01-01", False),  # no equipment named
    ],
)
def test_JB04_equipment_past_calibration_or_unknown(equipment_ids, calibration_valid_to, found):
    rows = replace(clean_drop(), "equipment", calibration_valid_to=calibration_valid_to)
    replace(rows, "activities", equipment_ids=equipment_ids)
    expected = [("JB-04", "2025-03-03", "1.0", "1.0", "A1")] if found else []
    assert findings_of(run(rows), indicator="JB-04") == expected


def test_JB04_applies_to_operation_and_maintenance_too_and_caps_at_5():
    acts = [activity(f"B{i}", kind="operation_maintenance", equipment_ids="EQ-9", sampled_on=f"2025-04-0{i}",
                     report_issued_on=f"2025-04-0{i}", submitted_on=f"2025-04-0{i}") for i in range(1, 8)]
    found = findings_of(run(drop_with(activities=acts)), indicator="JB-04")
    assert [f[3] for f in found] == ["1.0"] * 5 + ["0.0"] * 2


# --- 业务执行 execution -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("report_issued_on", "submitted_on", "found"),
    [
        ("2025-03-05", "2025-03-19", False),  # the 10th working day after issue
        ("2025-03-05", "2025-03-20", True),
        ("2025-09-26", "2025-10-16", False),  # make-up days 09-28 and 10-11 count, 10-01..08 do not
        ("2025-09-26", "2025-10-17", True),
        ("2025-03-05", None, True),  # never submitted, deadline long before as_of
        (None, None, False),  # no report: nothing to be late with
    ],
)
def test_YW01_activity_reported_after_ten_working_days(report_issued_on, submitted_on, found):
    rows = replace(clean_drop(), "activities", report_issued_on=report_issued_on, submitted_on=submitted_on,
                   sampled_on=(report_issued_on or "2025-03-03"))
    expected = {"A1"} if found else set()
    assert {f[4] for f in findings_of(run(rows), indicator="YW-01")} == expected


def test_YW01_unsubmitted_report_whose_deadline_is_not_before_as_of_is_no_finding():
    rows = replace(clean_drop(), "activities", sampled_on="2025-12-30", report_issued_on="2025-12-31",
                   submitted_on=None)
    # 2025-12-31 + 10 working days = 2026-01-15
    assert findings_of(run(rows, as_of=date(2026, 1, 15)), indicator="YW-01") == []
    assert len(findings_of(run(rows, as_of=date(2026, 1, 16)), indicator="YW-01")) == 1


def test_YW03_no_valid_certificate_on_the_sampling_day_and_no_YW02_beside_it():
    rows = replace(clean_drop(), "qualifications", valid_to="2025-03-02")
    rows["activities"][0]["parameters"] = "COD;SO2"
    scored = run(rows)
    assert findings_of(scored, indicator="YW-03") == [("YW-03", "2025-03-03", "10.0", "10.0", "A1")]
    assert findings_of(scored, indicator="YW-02") == []


def test_YW02_parameter_outside_the_union_of_certificates_valid_that_day():
    rows = clean_drop()
    rows["qualifications"].append({"institution_id": INST, "certificate_no": "C2", "valid_from": "2025-03-03",
                                   "parameter_code": "SO2", "method_standard": "HJ 57-2017"})
    rows["activities"] += [
        activity("A2", parameters="COD;SO2"),  # both covered on 03-03 by C1 ∪ C2
        activity("A3", parameters="SO2", sampled_on="2025-03-02", report_issued_on="2025-03-05"),
        activity("A4", parameters=" NOISE ", kind="operation_maintenance"),  # O&M: no CMA check
    ]
    assert findings_of(run(rows), indicator="YW-02") == [("YW-02", "2025-03-02", "5.0", "5.0", "A3")]


@pytest.mark.parametrize(
    ("signatory_id", "valid_to", "found"),
    [("P4", None, False), ("P4", "2025-03-05", False), ("P4", "2025-03-04", True), (None, None, True),
     ("P1", None, True)],
)
def test_YW04_report_signed_by_someone_not_authorized_on_the_issue_day(signatory_id, valid_to, found):
    rows = clean_drop()
    rows["personnel"][3]["valid_to"] = valid_to
    rows["activities"][0]["signatory_id"] = signatory_id
    assert bool(findings_of(run(rows), indicator="YW-04")) == found


def test_YW04_does_not_apply_to_operation_and_maintenance():
    rows = replace(clean_drop(), "activities", signatory_id=None, kind="operation_maintenance")
    assert findings_of(run(rows), indicator="YW-04") == []


# --- 经营管理 management ----------------------------------------------------------------------------

def test_R02_JY01_regulator_and_regulated_commissions_on_one_subject():
    acts = [
        activity("R2", client_id=REGULATOR, client_role="regulator", subject_id=SUBJECT, sampled_on="2025-05-01"),
        activity("R1", client_id=REGULATOR, client_role="regulator", subject_id=SUBJECT, sampled_on="2025-05-01"),
        activity("S1", client_id=SUBJECT, client_role="regulated", subject_id=SUBJECT, sampled_on="2025-06-01",
                 kind="operation_maintenance"),
        activity("S0", client_id=SUBJECT, client_role="regulated", subject_id=SUBJECT, sampled_on="2025-07-01"),
    ]
    found = findings_of(run(drop_with(activities=acts)), indicator="JY-01")
    assert found == [("JY-01", "2025-06-01", "10.0", "10.0", "R1;S1")]


def test_JY01_needs_a_subject_id():
    acts = [activity("R1", client_role="regulator", subject_id=None),
            activity("S1", client_role="regulated", subject_id=None)]
    assert findings_of(run(drop_with(activities=acts)), indicator="JY-01") == []


# --- events -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("fields", "scored"),
    [
        ({}, True),
        ({"verified": "false", "verified_on": None}, False),
        ({"verified_on": None}, False),  # true without a date: pending
        ({"verified_on": "2026-01-21"}, False),  # verified after as_of
        ({"verified_on": "2026-01-20"}, True),
        ({"decided_on": "2024-12-31"}, False),
        ({"decided_on": "2025-12-31", "verified_on": "2026-01-05"}, True),
        ({"decided_on": "2026-01-01", "verified_on": "2026-01-05"}, False),
    ],
)
def test_R10_only_verified_events_decided_in_the_period_are_scored(fields, scored):
    rows = drop_with(credit_events=[event("E1", "CX-01", **fields)])
    result = run(rows)
    assert bool(findings_of(result, indicator="CX-01")) == scored
    assert (len(result.pending) == 1) == (("verified" in fields) or fields.get("verified_on", "") is None
                                          or fields.get("verified_on") == "2026-01-21")


@pytest.mark.parametrize(
    ("amount", "points"),
    [("1", "10.0"), ("10000", "10.0"), ("10000.01", "15.0"), ("50000", "15.0"), ("50000.5", "20.0"),
     ("100000", "20.0"), ("100000.01", "25.0"), ("2000000", "25.0")],
)
def test_CX02_fine_tiers_at_their_bounds(amount, points):
    scored = run(drop_with(credit_events=[event("F1", "CX-02", source="penalty", amount_yuan=amount)]))
    assert findings_of(scored, indicator="CX-02") == [("CX-02", "2025-05-10", points, points, "F1")]


def test_event_date_is_decided_on_and_evidence_is_the_event_id():
    scored = run(drop_with(credit_events=[event("E7", "YW-06", decided_on="2025-08-08", verified_on="2025-08-09")]))
    assert findings_of(scored) == [("YW-06", "2025-08-08", "5.0", "5.0", "E7")]


# --- caps, score, grade --------------------------------------------------------------------------------

def test_caps_walk_in_date_then_indicator_then_evidence_order_against_both_caps():
    events = [event("E1", "JB-05", decided_on="2025-02-01"), event("E2", "JB-05", decided_on="2025-02-01"),
              event("E3", "JB-05", decided_on="2025-01-15")]  # JB-05 cap 6: E3, E1 count, E2 capped
    changes = [change(i, "2025-01-02", None) for i in ("name", "address", "legal_nature")]  # 6, dated 02-05
    rows = drop_with(credit_events=events, changes=changes)
    rows = replace(rows, "institutions", materials_missing="cma;staff;licence")  # dated 12-31: 3 left of 15
    found = findings_of(run(rows))
    assert found == [
        ("JB-05", "2025-01-15", "3.0", "3.0", "E3"),
        ("JB-05", "2025-02-01", "3.0", "3.0", "E1"),
        ("JB-05", "2025-02-01", "3.0", "0.0", "E2"),
        ("JB-01", "2025-02-05", "2.0", "2.0", "change:address:2025-01-02"),
        ("JB-01", "2025-02-05", "2.0", "2.0", "change:legal_nature:2025-01-02"),
        ("JB-01", "2025-02-05", "2.0", "2.0", "change:name:2025-01-02"),
        ("JB-02", "2025-12-31", "2.0", "2.0", "materials:cma"),
        ("JB-02", "2025-12-31", "2.0", "1.0", "materials:licence"),
        ("JB-02", "2025-12-31", "2.0", "0.0", "materials:staff"),
    ]
    assert result_of(run(rows))["deduction_basic"] == "15.0"


def test_bonus_is_capped_and_kept_in_results_even_when_the_score_is_clipped_at_100():
    events = [event(f"B{i}", "BN-02", decided_on=f"2025-0{i}-01") for i in range(1, 4)]
    events += [event("B9", "BN-01"), event("B8", "BN-03")]
    result = result_of(run(drop_with(credit_events=events)))
    assert (result["bonus"], result["score"], result["grade"]) == ("5.0", "100.0", "A")


def test_score_is_clipped_at_zero():
    events = [event(f"E{i}{c}", c, decided_on=f"2025-0{i}-01") for i in range(1, 8)
              for c in ("JB-05", "YW-05", "YW-06", "YW-07", "JY-02", "JY-03", "JY-04", "CX-01", "CX-03", "CX-04")]
    events += [event(f"F{i}", "CX-02", amount_yuan="200000", decided_on=f"2025-0{i}-02") for i in range(1, 3)]
    acts = [activity("R1", client_role="regulator", subject_id=SUBJECT), activity("S1", client_role="regulated")]
    rows = replace(drop_with(credit_events=events, activities=acts), "institutions",
                   materials_missing="cma;staff;licence")
    result = result_of(run(rows))
    assert (result["score"], result["grade"]) == ("0.0", "D")
    assert (result["deduction_management"], result["deduction_integrity"]) == ("15.0", "40.0")


@pytest.mark.parametrize(
    ("tenths", "grade"),
    [(1000, "A"), (900, "A"), (899, "B"), (800, "B"), (799, "C"), (600, "C"), (599, "D"), (0, "D")],
)
def test_R13_grade_bands_at_the_bound_and_one_tenth_below(tenths, grade):
    assert load_index_system("jc-2024.1").grade_for(tenths) == grade


@pytest.mark.parametrize(("deducted_events", "score", "grade"), [(2, "90.0", "A"), (3, "85.0", "B")])
def test_R13_a_scored_institution_at_90_is_A_and_below_is_B(deducted_events, score, grade):
    events = [event(f"E{i}", "CX-01", decided_on=f"2025-0{i}-01") for i in range(1, deducted_events + 1)]
    result = result_of(run(drop_with(credit_events=events)))
    assert (result["score"], result["grade"]) == (score, grade)


def test_R13_half_points_reach_89_5_which_is_B():
    acts = [activity("L1", submitted_on=None)]
    events = [event("E1", "CX-01"), event("E2", "CX-01", decided_on="2025-06-01")]
    result = result_of(run(drop_with(activities=acts, credit_events=events)))
    assert (result["score"], result["grade"]) == ("89.5", "B")


# --- 第十七条 direct D --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("fields", "clause"),
    [
        ({}, "4"),
        ({"verified": "false", "verified_on": None}, ""),
        ({"verified_on": "2026-01-21"}, ""),
        ({"decided_on": "2026-01-10", "verified_on": "2026-01-12"}, "4"),  # decided after the period, by as_of
        ({"decided_on": "2026-01-21", "verified_on": "2026-01-12"}, ""),
        ({"decided_on": "2024-06-01", "verified_on": "2024-06-02"}, ""),
        ({"decided_on": "2024-06-01", "verified_on": "2024-06-02", "effective_until": "2025-01-01"}, "4"),
        ({"decided_on": "2024-06-01", "verified_on": "2024-06-02", "effective_until": "2024-12-31"}, ""),
    ],
)
def test_R14_verified_clause_event_forces_D_keeping_the_score(fields, clause):
    rows = drop_with(credit_events=[event("D1", None, clause="4", source="penalty", **fields)])
    result = result_of(run(rows))
    assert (result["clause"], result["score"]) == (clause, "100.0")
    assert result["grade"] == ("D" if clause else "A")


def test_R14_the_lowest_clause_is_named_and_clause_rows_carry_no_points():
    events = [event("D7", "CX-04", clause="7", amount_yuan="x"), event("D2", None, clause="2", source="procurement")]
    scored = run(drop_with(credit_events=events))
    assert result_of(scored)["clause"] == "2"
    assert findings_of(scored) == []


# --- calendar ---------------------------------------------------------------------------------------

def test_a_deadline_in_a_year_without_calendar_fails_the_run_naming_the_year_and_file():
    from credit.calendar import UnknownYearError

    rows = replace(clean_drop(), "activities", sampled_on="2026-12-24", report_issued_on="2026-12-28",
                   submitted_on="2027-01-04")
    with pytest.raises(UnknownYearError) as error:
        run(rows, year=2026, as_of=date(2027, 1, 20))
    assert error.value.year == 2027
    assert "overrides.yaml" in str(error.value)
