"""credit/checks.py without Great Expectations (INDEX_SYSTEM.md "Bad rows", "Event dates")."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from credit import checks
from credit.contract import TABLES

A = "91140581173546984A"  # valid 统一社会信用代码
WRONG = "91140581173546984B"  # same body, wrong check character


def strings(*values: object, start: int = 2) -> pd.Series:
    return pd.Series(list(values), dtype="string", index=range(start, start + len(values)))


def frame(table: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    columns = TABLES[table].all_columns
    out = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=list(columns)).astype("string")
    out.index = pd.RangeIndex(2, len(rows) + 2)
    return out


def test_a_date_parses_only_as_iso_year_month_day() -> None:
    values = strings("2025-01-05", "2025-1-5", "2025-02-30", "20250105", "2025-01-05 00:00", None)
    parsed = checks.parse_dates(values)
    assert str(parsed.dtype) == "datetime64[s]"
    assert parsed.iloc[0] == pd.Timestamp("2025-01-05")
    assert parsed.iloc[1:].isna().all()
    assert checks.date_parses(values).tolist() == [True, False, False, False, False, True]


def test_an_empty_code_passes_the_check_character_test_and_a_wrong_one_fails() -> None:
    assert checks.code_ok(strings(A, WRONG, None, "short")).tolist() == [True, False, True, False]


def test_the_first_row_with_valid_ids_takes_the_key() -> None:
    rows = frame(
        "activities",
        [
            {"activity_id": "X", "institution_id": WRONG},  # invalid ids: does not take the key
            {"activity_id": "X", "institution_id": A},  # takes it
            {"activity_id": "X", "institution_id": A},  # duplicate
            {"activity_id": None, "institution_id": A},  # no own id: out of the contest
            {"activity_id": None, "institution_id": A},
        ],
    )
    assert checks.first_of_key(rows, TABLES["activities"]).tolist() == [True, True, False, True, True]


def test_a_table_without_a_key_has_no_duplicates() -> None:
    rows = frame("personnel", [{"institution_id": A, "person_id": "P1"}] * 2)
    assert checks.first_of_key(rows, TABLES["personnel"]).all()


def test_dates_out_of_order_are_flagged_only_when_both_parse() -> None:
    earlier = strings("2025-02-01", "2025-02-01", "unknown", "2025-02-01", None)
    later = strings("2025-01-31", "2025-02-01", "2025-01-01", None, "2025-01-01")
    assert checks.not_after(earlier, later).tolist() == [False, True, True, True, True]


def test_materials_missing_accepts_only_the_contract_items() -> None:
    values = strings("cma;staff", "cma; bogus", None, "other;")
    assert checks.known_items(values, checks.MATERIAL_ITEMS).tolist() == [True, False, True, True]


def test_cx02_without_a_clause_needs_a_plain_decimal_amount() -> None:
    rows = frame(
        "credit_events",
        [
            {"indicator": "CX-02", "amount_yuan": "12000"},
            {"indicator": "CX-02", "amount_yuan": "12000.5"},
            {"indicator": "CX-02", "amount_yuan": "12,000"},
            {"indicator": "CX-02", "amount_yuan": "-1"},
            {"indicator": "CX-02", "amount_yuan": "1."},
            {"indicator": "CX-02", "amount_yuan": None},
            {"indicator": "CX-02", "clause": "4", "amount_yuan": "abc"},
            {"indicator": "CX-01", "amount_yuan": "abc"},
        ],
    )
    assert checks.fine_amount_ok(rows).tolist() == [True, True, False, False, False, False, True, True]


def test_cx02_is_quarantined_when_the_amount_column_is_absent() -> None:
    rows = frame("credit_events", [{"indicator": "CX-02"}]).drop(columns=["amount_yuan"])
    assert checks.fine_amount_ok(rows).tolist() == [False]


def test_the_check_frame_normalises_enums_and_derives_every_check_column() -> None:
    rows = frame(
        "credit_events",
        [
            {"event_id": "E1", "institution_id": A, "verified": "TRUE", "indicator": "YW-07"},
            {"event_id": "E2", "institution_id": "91140525176119700X", "verified": None, "clause": "1"},
            {"event_id": "E3", "institution_id": A, "decided_on": "2025-01-02", "occurred_on": "2025-01-03"},
        ],
    )
    out = checks.check_frame(TABLES["credit_events"], rows, registry={A})
    assert out["verified"].tolist() == ["true", "", ""]
    assert out["indicator_or_clause__given"].tolist() == [True, True, False]
    assert out["institution_id__registered"].tolist() == [True, False, True]
    assert out["occurred_on__not_after__decided_on"].tolist() == [True, True, False]
    assert out["effective_until__parses"].all()
    assert "summary" not in out  # only what the suite reads goes to GX
    assert list(out.index) == [2, 3, 4]


def test_a_removed_institution_needs_a_readable_status_date_and_others_are_not_checked() -> None:
    rows = frame(
        "institutions",
        [
            {"institution_id": A, "status": "removed", "status_changed_on": "2025-13-01"},
            {"institution_id": A, "status": "removed", "status_changed_on": None},
            {"institution_id": A, "status": "registered", "status_changed_on": "someday"},
        ],
    )
    out = checks.check_frame(TABLES["institutions"], rows)
    assert out["status_changed_on__parses_when_removed"].tolist() == [False, True, True]
    assert out["status_changed_on__given_when_removed"].tolist() == [True, False, True]


def test_an_unregistered_activity_is_flagged_only_when_it_has_no_institution_name() -> None:
    rows = frame(
        "activities",
        [
            {"activity_id": "1", "institution_id": A},
            {"activity_id": "2", "institution_id": "91140525176119700X", "institution_name": "某公司"},
            {"activity_id": "3", "institution_id": "91140525176119700X"},
        ],
    )
    out = checks.check_frame(TABLES["activities"], rows, registry={A})
    assert out["institution_id__registered_or_named"].tolist() == [True, True, False]


def test_settle_keeps_the_first_reason_and_drops_warnings_of_quarantined_rows() -> None:
    table = TABLES["activities"]
    rows = frame(
        "activities",
        [{"activity_id": "1", "kind": "lab"}, {"activity_id": "2", "kind": "x"}, {"activity_id": "3"}],
    )
    failures = [
        checks.Failure("kind outside the contract", "kind", "quarantine", [2, 3]),
        checks.Failure("auto {value}", "activity_id", "quarantine", [3]),
        checks.Failure("county not configured", "county", "warn", [3, 4]),
    ]
    kept, quarantine, warnings = checks.settle(table, "activities.csv", rows, failures)
    assert kept.tolist() == [4]
    assert quarantine[["row", "column", "value", "reason"]].values.tolist() == [
        [2, "kind", "lab", "kind outside the contract"],
        [3, "kind", "x", "kind outside the contract"],
    ]
    assert warnings[["row", "key", "reason"]].values.tolist() == [[4, "3", "county not configured"]]


def test_a_reason_can_name_the_value_it_rejects() -> None:
    rows = frame("credit_events", [{"event_id": "E1", "indicator": "JB-03"}])
    failure = checks.Failure("auto indicator {value} cannot be an event", "indicator", "quarantine", [2])
    _, quarantine, _ = checks.settle(TABLES["credit_events"], "credit_events.csv", rows, [failure])
    assert quarantine["reason"].tolist() == ["auto indicator JB-03 cannot be an event"]


def test_typed_rows_have_dates_lower_case_booleans_and_empty_wrong_soft_codes() -> None:
    rows = frame(
        "activities",
        [{"activity_id": "1", "client_id": WRONG, "subject_id": A, "sampled_on": "2025-03-01"}],
    )
    out = checks.typed(TABLES["activities"], rows)
    assert str(out["sampled_on"].dtype) == "datetime64[s]"
    assert pd.isna(out.loc[2, "client_id"]) and out.loc[2, "subject_id"] == A
    events = checks.typed(TABLES["credit_events"], frame("credit_events", [{"verified": "False"}]))
    assert events.loc[2, "verified"] == "false"
    assert list(events.columns) == list(TABLES["credit_events"].all_columns)


def test_missing_optional_columns_are_added_empty() -> None:
    rows = frame("credit_events", [{"event_id": "E1"}]).drop(columns=["amount_yuan", "effective_until"])
    out = checks.typed(TABLES["credit_events"], rows)
    assert out["amount_yuan"].isna().all() and str(out["effective_until"].dtype) == "datetime64[s]"


def test_checks_import_no_great_expectations() -> None:
    assert "great_expectations" not in Path(checks.__file__).read_text(encoding="utf-8")


def test_the_array_check_of_credit_codes_agrees_with_gb_32100_character_by_character() -> None:
    import random

    from credit.codes import ALPHABET, check_character, is_valid_code

    rng = random.Random(14)
    bodies = ["".join(rng.choice(ALPHABET) for _ in range(17)) for _ in range(2000)]
    values = [b + check_character(b) for b in bodies[:1000]] + [b + rng.choice(ALPHABET) for b in bodies[1000:]]
    values += [A, WRONG, A.lower(), A + "0", A[:17], "", "9114058117354698４A", "91140581173546984\x00",
               "911405811735469I4A", "晋" * 18]  # fmt: skip
    assert checks.valid_codes(values).tolist() == [is_valid_code(v) for v in values]


def test_repeated_keys_match_pandas_duplicated_with_empty_cells_equal() -> None:
    rows = pd.DataFrame({"a": strings("x", "x", None, None, "y", "x"), "b": strings("1", "2", "1", "1", None, "1")})
    assert checks.repeated(rows).tolist() == rows.duplicated(keep="first").tolist()
    assert checks.repeated(rows[["a"]]).tolist() == rows[["a"]].duplicated(keep="first").tolist()
    assert checks.repeated(rows.astype("category")).tolist() == rows.duplicated(keep="first").tolist()


def test_a_categorical_column_reaches_the_suite_as_the_same_strings() -> None:
    values = strings("Yes", None, "no", "Yes")
    for lower in (False, True):
        expected = values.str.lower() if lower else values
        pd.testing.assert_series_equal(checks.as_text(values.astype("category"), lower=lower), expected)


def test_a_byte_scan_clears_a_column_only_when_no_cell_can_hold_a_bom_or_nul() -> None:
    clean = strings("泵站", "ＡＢＣ，", None, "")  # full-width text: UTF-8 bytes that start with EF, never EF BB BF
    assert not checks.may_hold_refused(clean)
    assert not checks.refused_characters(clean).any()
    for bad in ("泵\ufeff", "a\x00b", "\ufeff"):
        values = strings("x", bad, None)
        assert checks.may_hold_refused(values)
        assert checks.refused_characters(values).tolist() == [False, True, False]
    sliced = strings("a\x00", "b", "c").iloc[1:]  # the NUL lies before the slice: not in these cells
    assert not checks.may_hold_refused(sliced)
    assert checks.may_hold_refused(pd.Series(["a"], dtype=object))  # not Arrow text: checked row by row


def test_a_strictly_increasing_id_column_has_no_repeats_without_hashing() -> None:
    assert checks.increasing(strings("A1", "A2", "B"))
    assert not checks.increasing(strings("A1", "A1"))
    assert not checks.increasing(strings("A2", "A1"))
    assert not checks.increasing(strings("A1", None))
    assert not checks.increasing(pd.Series(["A1", "A2"], dtype=object))
    rows = pd.DataFrame({"a": strings("x", "y", "z")})
    assert checks.repeated(rows).tolist() == [False, False, False]


def test_a_categorical_column_gives_its_codes_and_categories_as_factorize_would_use_them() -> None:
    values = strings("b", None, "a", "b")
    codes, uniques = checks.distinct(values.astype("category"))
    assert [None if c < 0 else uniques[c] for c in codes] == ["b", None, "a", "b"]
    assert checks.code_ok(strings(A, WRONG, None).astype("category")).tolist() == [True, False, True]
    parsed = checks.parse_dates(strings("2025-01-05", None, "2025-02-30").astype("category"))
    assert parsed.isna().tolist() == [False, True, True]


def test_an_empty_enum_cell_reaches_the_suite_as_the_empty_string_in_one_copy() -> None:
    values = strings("Yes", None, "no")
    expected = strings("yes", "", "no")
    for given in (values, values.astype("category")):
        pd.testing.assert_series_equal(checks.as_text(given, lower=True, empty=""), expected)
