"""validate_drop with the Great Expectations suites (INDEX_SYSTEM.md "Bad rows", "Event dates")."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from credit import checks
from credit.contract import TABLES
from tasks.drop_io import Drop, RawTable, StructuralError, read_drop
from tasks.validation import SUITES_DIR, Validated, ValidationRunError, validate_drop
from tests.support.paths import EXAMPLE_DROP

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "validation"
EXAMPLE = EXAMPLE_DROP
COUNTIES = ["城区", "泽州县", "高平市", "阳城县", "陵川县", "沁水县"]
# jc-2024.1 (INDEX_SYSTEM.md "Dimensions and indicators")
AUTO = {"JB-01", "JB-02", "JB-03", "JB-04", "YW-01", "YW-02", "YW-03", "YW-04", "JY-01"}
EVENT = {
    "JB-05", "YW-05", "YW-06", "YW-07", "JY-02", "JY-03", "JY-04",
    "CX-01", "CX-02", "CX-03", "CX-04", "CX-05", "BN-01", "BN-02", "BN-03",
}  # fmt: skip


def read_table(path: Path, name: str) -> RawTable:
    """A CSV as the reader hands it over: string dtype, stripped, empty → <NA>, index = file row."""
    frame = pd.read_csv(path, dtype="string", keep_default_na=False)
    frame = frame.apply(lambda s: s.str.strip()).replace("", pd.NA)
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    table = TABLES[name]
    return RawTable(
        name=name, source=table.file_name, frame=frame[[c for c in table.all_columns if c in frame]]
    )


def fixture_drop(**which: str) -> Drop:
    """institutions/pass.csv as the registry, plus the named fixture ("pass" or "fail") of each table."""
    chosen = {"institutions": "pass", **which}
    tables = {name: read_table(FIXTURES / name / f"{kind}.csv", name) for name, kind in chosen.items()}
    return Drop(tables=tables, snapshot="sha256:" + "0" * 64, origin=str(FIXTURES))


def validate(drop: Drop, **kwargs: object) -> Validated:
    return validate_drop(drop, event_indicators=EVENT, auto_indicators=AUTO, counties=COUNTIES, **kwargs)


@pytest.fixture(scope="module")
def passing() -> Validated:
    return validate(fixture_drop(**{name: "pass" for name in TABLES}))


@pytest.fixture(scope="module")
def failing() -> Validated:
    return validate(fixture_drop(**{name: "fail" for name in TABLES if name != "institutions"}))


@pytest.fixture(scope="module")
def failing_registry() -> Validated:
    return validate(fixture_drop(institutions="fail"))


def outcomes(validated: Validated, table: str) -> pd.DataFrame:
    """Quarantined and warned rows of one table, as fail_expected.csv lists them."""
    q = validated.quarantine[validated.quarantine["table"] == table]
    w = validated.warnings[validated.warnings["file"] == f"{table}.csv"]
    rows = [(int(r.row), "quarantine", r.column, r.reason) for r in q.itertuples()]
    rows += [(int(r.row), "warning", r.column, r.reason) for r in w.itertuples()]
    return pd.DataFrame(sorted(rows), columns=["row", "outcome", "column", "reason"])


def expected(table: str) -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / table / "fail_expected.csv", dtype={"row": int}, keep_default_na=False)
    return frame.sort_values(["row", "outcome"], ignore_index=True).astype({"row": int})


@pytest.mark.parametrize("name", list(TABLES))
def test_every_suite_loads_with_all_its_expectations(name: str) -> None:
    import great_expectations as gx

    raw = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(**raw)  # an invalid expectation is logged and dropped, not raised
    assert suite.name == name
    assert len(suite.expectations) == len(raw["expectations"])
    checks = [e["meta"]["check"] for e in raw["expectations"]]
    assert len(set(checks)) == len(checks)
    assert {e["meta"]["action"] for e in raw["expectations"]} <= {"structural", "quarantine", "warn"}


@pytest.mark.parametrize("name", list(TABLES))
def test_every_suite_asserts_exactly_the_columns_the_check_frame_carries(name: str) -> None:
    table = TABLES[name]
    raw = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    asserted = {e["kwargs"]["column"] for e in raw["expectations"] if "column" in e["kwargs"]}
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in table.all_columns})
    assert asserted == set(checks.check_frame(table, empty, registry=set()).columns)
    # the contract's rules all have their expectation
    assert set(table.enums) | {f"{c}__parses" for c in table.dates} <= asserted
    assert {f"{c}__check_ok" for c in (*table.code_columns, *table.soft_code_columns)} <= asserted
    assert ("key__first" in asserted) == bool(table.key)


@pytest.mark.parametrize("name", list(TABLES))
def test_a_passing_fixture_has_no_quarantined_row_and_no_warning(passing: Validated, name: str) -> None:
    assert outcomes(passing, name).empty
    counts = passing.counts.set_index("table").loc[name]
    assert counts["read"] == counts["accepted"] > 0


@pytest.mark.parametrize("name", [n for n in TABLES if n != "institutions"])
def test_a_failing_fixture_quarantines_and_warns_exactly_the_listed_rows(
    failing: Validated, name: str
) -> None:
    pd.testing.assert_frame_equal(outcomes(failing, name), expected(name), check_dtype=False)


def test_the_registry_failing_fixture_quarantines_and_warns_exactly_the_listed_rows(
    failing_registry: Validated,
) -> None:
    pd.testing.assert_frame_equal(
        outcomes(failing_registry, "institutions"), expected("institutions"), check_dtype=False
    )


def test_a_duplicate_key_goes_to_the_first_valid_row_even_when_a_later_check_quarantines_it(
    failing: Validated, failing_registry: Validated
) -> None:
    reasons = failing.quarantine.set_index(["table", "row"])["reason"]
    assert reasons[("activities", 20)] == "kind outside the contract"
    assert reasons[("activities", 21)] == "duplicate activity_id (an earlier row has it)"
    registry = failing_registry.quarantine.set_index("row")["reason"]
    assert registry[14] == "status outside the contract"
    assert registry[15] == "duplicate institution_id (an earlier row has it)"


def test_a_row_with_a_wrong_institution_id_does_not_take_the_key(failing: Validated) -> None:
    activities = failing.tables["activities"]
    assert activities.loc[6, "activity_id"] == "A4"
    assert ("activities", 6) not in set(
        zip(failing.quarantine["table"], failing.quarantine["row"], strict=True)
    )


def test_a_row_is_quarantined_once_with_its_first_failing_reason(failing: Validated) -> None:
    q = failing.quarantine
    assert not q.duplicated(["table", "row"]).any()
    row = q[(q["table"] == "credit_events") & (q["row"] == 26)].iloc[0]
    assert (row["column"], row["value"]) == ("indicator", "JB-01")


def test_counts_add_up_and_match_the_accepted_tables(failing: Validated) -> None:
    c = failing.counts.set_index("table")
    assert (c["read"] == c["accepted"] + c["quarantined"]).all()
    for name, frame in failing.tables.items():
        assert c.loc[name, "accepted"] == len(frame)
        assert c.loc[name, "quarantined"] == (failing.quarantine["table"] == name).sum()
        assert c.loc[name, "file"] == f"{name}.csv"


def test_accepted_rows_are_typed_for_scoring(failing: Validated) -> None:
    activities = failing.tables["activities"]
    assert str(activities["sampled_on"].dtype) == "datetime64[s]"
    assert activities.loc[2, "sampled_on"] == pd.Timestamp("2025-07-24")
    assert pd.isna(activities.loc[13, "client_id"])  # wrong check character: read as empty
    assert activities.loc[13, "subject_id"] == "91140521579669992J"
    assert pd.isna(activities.loc[14, "subject_id"])
    events = failing.tables["credit_events"]
    assert events.loc[9, "verified"] == "true"
    assert events.loc[21, "amount_yuan"] == "abc"  # kept as given: a clause row carries no points
    assert events.loc[22, "amount_yuan"] == "12000.50"
    assert pd.isna(events.loc[24, "occurred_on"])  # unchecked, unreadable → NaT
    assert failing.tables["objections"].loc[10, "has_evidence"] == "false"
    assert list(activities.index) == sorted(activities.index)


def test_an_unchecked_status_date_is_read_as_empty_when_it_does_not_parse(
    failing_registry: Validated,
) -> None:
    institutions = failing_registry.tables["institutions"]
    assert pd.isna(institutions.loc[13, "status_changed_on"])
    assert str(institutions["registered_on"].dtype) == "datetime64[s]"


def test_warnings_name_the_row_by_its_key(failing: Validated) -> None:
    w = failing.warnings.set_index(["file", "row"])["key"]
    assert w[("activities.csv", 13)] == "A12"
    assert w[("qualifications.csv", 9)] == "91140581173546984A:230498347612:BOD5"
    assert w[("personnel.csv", 10)] == "91140581173546984A:P009"


def test_output_frames_have_the_documented_columns(failing: Validated) -> None:
    assert list(failing.quarantine.columns) == ["table", "file", "row", "column", "value", "reason", "reason_zh"]
    assert list(failing.warnings.columns) == ["file", "row", "key", "column", "reason", "reason_zh"]
    assert list(failing.counts.columns) == ["table", "file", "read", "accepted", "quarantined"]


def test_a_missing_optional_file_is_not_validated_and_optional_columns_are_added_empty() -> None:
    drop = fixture_drop(credit_events="pass")
    events = drop.tables["credit_events"]
    trimmed = events.frame.drop(columns=["amount_yuan", "effective_until"])
    drop.tables["credit_events"] = RawTable(name="credit_events", source=events.source, frame=trimmed)
    validated = validate(drop)
    assert set(validated.tables) == {"institutions", "credit_events"}
    # EV2 is a CX-02 fine without a clause: without the amount_yuan column it cannot be scored.
    assert validated.quarantine["reason"].tolist() == [
        "CX-02 without a valid amount_yuan (a plain decimal, no thousands separators)"
    ]
    assert validated.tables["credit_events"]["amount_yuan"].isna().all()
    assert str(validated.tables["credit_events"]["effective_until"].dtype) == "datetime64[s]"


def test_a_missing_required_column_is_a_structural_error_naming_the_file_and_column() -> None:
    drop = fixture_drop(activities="pass")
    activities = drop.tables["activities"]
    drop.tables["activities"] = RawTable(
        name="activities", source=activities.source, frame=activities.frame.drop(columns=["kind"])
    )
    with pytest.raises(StructuralError) as error:
        validate(drop)
    assert (error.value.file, error.value.column) == ("activities.csv", "kind")


def test_the_example_drop_quarantines_only_its_event_that_names_an_auto_indicator() -> None:
    # INDEX_SYSTEM.md: "An event naming an auto indicator ... is invalid (quarantined with that reason)";
    # EV20250000048 (JB-03) belongs to a not-rated institution, so the expected results do not change.
    validated = validate(read_drop(EXAMPLE))
    q = validated.quarantine
    assert q[["table", "row", "column", "value", "reason"]].values.tolist() == [
        ["credit_events", 49, "indicator", "JB-03", "auto indicator JB-03 cannot be an event"]
    ]
    assert validated.warnings[["file", "row", "key", "reason"]].values.tolist() == [
        ["credit_events.csv", 48, "EV20250000047", "institution not in the registry (event kept)"]
    ]
    c = validated.counts.set_index("table")
    assert (c["read"] == c["accepted"] + c["quarantined"]).all()
    assert c["read"].sum() == 1466


def test_data_docs_are_written_when_a_folder_is_given(tmp_path: Path) -> None:
    validate(fixture_drop(activities="fail"), docs_dir=tmp_path / "docs")
    assert (tmp_path / "docs" / "index.html").is_file()
    pages = list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert {p.parts[-4] for p in pages} == {"institutions", "activities"}


def test_a_failing_column_set_expectation_is_a_structural_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = checks.check_frame

    def without_kind(table, frame, **kwargs):  # the suite's column-set check sees `kind` missing
        out = real(table, frame, **kwargs)
        return out.drop(columns=["kind"]) if table.name == "activities" else out

    monkeypatch.setattr(checks, "check_frame", without_kind)
    with pytest.raises(StructuralError) as error:
        validate(fixture_drop(activities="pass"))
    assert (error.value.file, error.value.column) == ("activities.csv", "kind")


def test_an_expectation_gx_cannot_compute_is_an_error_not_bad_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    real = checks.check_frame

    def without_derived(table, frame, **kwargs):
        out = real(table, frame, **kwargs)
        return out.drop(columns=["sampled_on__parses"]) if table.name == "activities" else out

    monkeypatch.setattr(checks, "check_frame", without_derived)
    with pytest.raises(ValidationRunError, match="sampled_on_date"):
        validate(fixture_drop(activities="pass"))


def test_validation_skips_the_fingerprint_gx_hashes_every_row_for_and_restores_its_threshold() -> None:
    """Issue 14: GX hashes a whole batch under 1 GB only for a batch marker; _run switches that off while it runs."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    from tasks import validation

    threshold = engine.HASH_THRESHOLD
    source = validation._context(None).data_sources.add_pandas("drop")
    suite = validation._suite(
        {"name": "t", "expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}]}
    )
    result = validation._run(source, "t", suite, pd.DataFrame({"a": ["x", None]}), {})
    assert not result.success  # the check itself still runs
    assert "pandas_data_fingerprint" not in result.meta["batch_markers"]
    assert threshold == engine.HASH_THRESHOLD
