"""The benchmark's drop generator (bench/generate.py) makes realistic, complete, reproducible drops."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from credit.codes import is_valid_code
from credit.contract import TABLES

ROOT = Path(__file__).resolve().parents[2]


def _load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_generate", module)
    spec.loader.exec_module(module)
    return module


generate = _load_generator()
SMALL = {"year": 2025, "institutions": 30, "activities_per_institution": 40, "seed": 11}


def _read(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def drop(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("drop")
    generate.generate_drop(folder, **SMALL)
    return folder


@pytest.fixture(scope="module")
def bad_drop(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    generate.generate_drop(folder, **SMALL, bad_rows=True)
    return folder


def test_the_same_seed_gives_byte_identical_files(drop, tmp_path):
    generate.generate_drop(tmp_path, **SMALL)
    assert _digest(tmp_path) == _digest(drop)


def test_another_seed_gives_another_drop(drop, tmp_path):
    generate.generate_drop(tmp_path, **{**SMALL, "seed": 12})
    assert _digest(tmp_path)["activities.csv"] != _digest(drop)["activities.csv"]


def test_files_are_utf8_without_bom_with_newline_line_ends(drop):
    for path in drop.glob("*.csv"):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path.name
        assert b"\r" not in raw, path.name
        raw.decode("utf-8")


def test_every_table_of_the_contract_is_written_with_exactly_its_columns(drop):
    for name, table in TABLES.items():
        with open(drop / table.file_name, encoding="utf-8") as fh:
            header = fh.readline().rstrip("\n").split(",")
        assert tuple(header) == table.all_columns, name


def test_row_counts_are_returned_and_activities_are_institutions_times_activities(tmp_path):
    counts = generate.generate_drop(tmp_path, **SMALL)
    assert counts["activities"] == SMALL["institutions"] * SMALL["activities_per_institution"]
    assert counts["institutions"] == SMALL["institutions"]
    for name, count in counts.items():
        assert len(_read(tmp_path, name)) == count


def test_every_code_in_the_drop_has_a_valid_check_character(drop):
    code_columns = {name: t.code_columns + t.soft_code_columns for name, t in TABLES.items()}
    seen = 0
    for name, columns in code_columns.items():
        for row in _read(drop, name):
            for column in columns:
                if row[column]:
                    assert is_valid_code(row[column]), (name, column, row[column])
                    seen += 1
    assert seen > 1000


def test_codes_use_the_registration_types_and_regions_of_jincheng(drop):
    institutions = _read(drop, "institutions")
    prefixes = {r["institution_id"][:2] for r in institutions}
    assert {"91", "12"} <= prefixes
    regions = {r["institution_id"][2:8] for r in institutions}
    assert regions & set(generate.COUNTIES.values())
    regulators = {r["client_id"] for r in _read(drop, "activities") if r["client_role"] == "regulator"}
    assert regulators and all(c.startswith("11") for c in regulators)


def test_institutions_sit_in_the_six_counties(drop):
    counties = {r["county"] for r in _read(drop, "institutions")}
    assert counties <= set(generate.COUNTY_NAMES)
    assert {r["county"] for r in _read(drop, "activities")} == set(generate.COUNTY_NAMES)


def test_every_event_indicator_of_the_index_system_occurs_verified_in_the_period(drop):
    events = _read(drop, "credit_events")
    scored = {
        e["indicator"] for e in events
        if e["verified"] == "true" and e["verified_on"] and "2025-01-01" <= e["decided_on"] <= "2025-12-31"
        and not e["clause"]
    }
    assert set(generate.EVENT_INDICATORS) <= scored


def test_every_clause_of_article_17_occurs_and_a_procurement_ban_runs_from_before_the_year(drop):
    events = _read(drop, "credit_events")
    assert {e["clause"] for e in events if e["clause"] and e["verified"] == "true"} >= {str(c) for c in range(1, 9)}
    bans = [e for e in events if e["clause"] == "2" and e["decided_on"] < "2025-01-01" and e["effective_until"]]
    assert any(e["effective_until"] >= "2025-01-01" for e in bans)
    assert any(e["effective_until"] < "2025-01-01" for e in bans)


def test_fines_fall_in_every_tier_including_the_exact_bounds(drop):
    amounts = {e["amount_yuan"] for e in _read(drop, "credit_events") if e["indicator"] == "CX-02" and not e["clause"]}
    assert {"10000", "50000", "100000"} <= amounts
    values = [float(a) for a in amounts]
    assert min(values) < 10000 and max(values) > 100000
    assert any(10000 < v <= 50000 for v in values) and any(50000 < v <= 100000 for v in values)


def test_pending_and_out_of_period_events_are_present(drop):
    events = _read(drop, "credit_events")
    assert any(e["verified"] == "false" for e in events)
    assert any(e["verified"].lower() == "true" and not e["verified_on"] for e in events)
    assert any(e["verified_on"] > "2026-01-20" for e in events)
    assert any(e["decided_on"] < "2025-01-01" for e in events)
    assert any(e["decided_on"] > "2025-12-31" for e in events)


def test_institutions_active_but_not_in_the_registry_are_present(drop):
    registry = {r["institution_id"] for r in _read(drop, "institutions")}
    active = {r["institution_id"] for r in _read(drop, "activities")}
    assert active - registry
    assert registry - active  # and registered ones without activity (out of scope)


def test_every_registry_situation_of_who_is_rated_occurs(drop):
    rows = _read(drop, "institutions")
    assert any(r["registered_on"] > "2025-12-31" for r in rows)
    removed = [r for r in rows if r["status"] == "removed"]
    assert any(r["status_changed_on"] < "2025-01-01" for r in removed)
    assert any("2025-01-01" <= r["status_changed_on"] <= "2025-12-31" for r in removed)
    assert any(r["status_changed_on"] > "2025-12-31" for r in removed)
    assert any(r["status"] == "suspended" for r in rows)
    assert any(r["materials_missing"] for r in rows)


def test_auto_indicator_situations_occur(drop):
    activities = _read(drop, "activities")
    roles: dict[tuple[str, str], set[str]] = {}
    for a in activities:
        if a["subject_id"] and "2025-01-01" <= a["sampled_on"] <= "2025-12-31":
            roles.setdefault((a["institution_id"], a["subject_id"]), set()).add(a["client_role"])
    assert any({"regulator", "regulated"} <= r for r in roles.values())  # JY-01
    assert any(not a["submitted_on"] for a in activities if a["report_issued_on"])  # YW-01
    assert any(not a["signatory_id"] for a in activities if a["report_no"])  # YW-04
    assert any("EQ-099" in a["equipment_ids"].split(";") for a in activities)  # JB-04 unknown equipment
    assert any(not a["sampled_on"].startswith("2025") for a in activities)
    assert any(a["kind"] == "operation_maintenance" for a in activities)
    assert any(not e["calibration_valid_to"] for e in _read(drop, "equipment"))  # JB-04 empty calibration
    assert any(not c["filed_on"] for c in _read(drop, "changes"))  # JB-01 never filed
    certificates = {}
    for q in _read(drop, "qualifications"):
        certificates.setdefault(q["institution_id"], set()).add(q["certificate_no"])
    assert any(len(c) > 1 for c in certificates.values())
    assert set(r["institution_id"] for r in _read(drop, "institutions")) - set(certificates)  # YW-03


def test_a_key_role_is_vacant_for_more_than_30_days_somewhere(drop):
    from datetime import date

    spans: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for p in _read(drop, "personnel"):
        spans.setdefault((p["institution_id"], p["role"]), []).append((p["valid_from"], p["valid_to"]))
    longest = 0
    for (_, role), held in spans.items():
        if role == "technician" or role == "sampler":
            continue
        held.sort()
        for (_, end), (start, _) in zip(held, held[1:], strict=False):
            if end and start:
                longest = max(longest, (date.fromisoformat(start) - date.fromisoformat(end)).days - 1)
    assert longest > 30


def test_the_bad_rows_manifest_names_exactly_the_injected_rows(drop, bad_drop):
    manifest = json.loads((bad_drop / "bad_rows.json").read_text(encoding="utf-8"))
    reasons = {(m["table"], m["reason"]) for m in manifest}
    for name in TABLES:
        assert (name, "wrong_check_character") in reasons
        assert (name, "unparseable_date") in reasons
        if TABLES[name].enums and name not in ("qualifications", "equipment"):
            assert (name, "unknown_enum") in reasons, name
        if TABLES[name].key:
            assert (name, "duplicate_key") in reasons, name
    for reason in ("unknown_indicator", "auto_indicator_as_event", "cx02_without_amount"):
        assert ("credit_events", reason) in reasons
    assert len(reasons) == len(manifest)  # one row per rule and table

    for entry in manifest:
        good = _read(drop, entry["table"])
        bad = _read(bad_drop, entry["table"])
        row = bad[entry["row"] - 2]  # header is row 1
        assert row not in good or entry["reason"] == "duplicate_key", entry
        table = TABLES[entry["table"]]
        value = row[entry["column"]]
        if entry["reason"] == "wrong_check_character":
            assert not is_valid_code(value)
        elif entry["reason"] == "unknown_enum":
            assert value not in table.enums[entry["column"]]
        elif entry["reason"] == "unparseable_date":
            assert value == generate.BAD_DATE
        elif entry["reason"] == "duplicate_key":
            key = tuple(row[c] for c in table.key)
            earlier = [r for r in bad[: entry["row"] - 2] if tuple(r[c] for c in table.key) == key]
            assert earlier, entry
        elif entry["reason"] == "unknown_indicator":
            assert value not in generate.EVENT_INDICATORS and value not in generate.AUTO_INDICATORS
        elif entry["reason"] == "auto_indicator_as_event":
            assert value in generate.AUTO_INDICATORS
        elif entry["reason"] == "cx02_without_amount":
            assert row["indicator"] == "CX-02" and not value and not row["clause"]
    # apart from the appended rows the drop is the good one
    for name in TABLES:
        good = _read(drop, name)
        assert _read(bad_drop, name)[: len(good)] == good


def test_a_good_drop_carries_no_manifest(drop):
    assert not (drop / "bad_rows.json").exists()
