"""The website as pure data → files (reports/site.py): what is public when (R-15, R-17, R-18, R-14), safe (R-20)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

from reports.safe import UnsafePathError
from reports.site import CycleData, build_site, public_cycle
from tasks.site import target, write_site
from tests.golden.publicity_sample import BANDS, BUREAU, FORMULA_NAME, PERSONAL, PROCEDURE, SCRIPT_NAME
from tests.golden.site_sample import (
    AFTER_PUBLICATION,
    AFTER_REVOCATION,
    CYCLE,
    DURING_PUBLICITY,
    FUTURE_ID,
    LATE_PUBLISHED_ID,
    NEXT,
    NEXT_SNAPSHOT,
    REVOKED_ID,
    REVOKED_IN_PLACE,
    SCORED_ONLY_ID,
    SNAPSHOT,
)


def site(as_of: date) -> dict[str, bytes]:
    return build_site([CYCLE, NEXT], as_of=as_of, bureau=BUREAU, procedure=PROCEDURE, grade_bands=BANDS)


def test_the_rules_not_passed_are_read_from_rules_and_the_procedure_may_be_given_as_read_from_yaml():
    as_of = AFTER_REVOCATION
    raw = {"publicity_working_days": 15, "objection_review_working_days": 15, "publication_working_days": 7}
    assert build_site([CYCLE, NEXT], as_of=as_of, bureau=BUREAU) == site(as_of)
    assert build_site([CYCLE, NEXT], as_of=as_of, bureau=BUREAU, procedure=raw, grade_bands=BANDS) == site(as_of)


def text(files: dict[str, bytes]) -> dict[str, str]:
    return {path: data.decode("utf-8") for path, data in files.items()}


@pytest.mark.parametrize("as_of", [DURING_PUBLICITY, AFTER_PUBLICATION, AFTER_REVOCATION, date(2026, 5, 1)])
def test_R15_R17_a_scored_only_or_not_yet_publicised_result_never_appears(as_of):
    for path, content in text(site(as_of)).items():
        assert SCORED_ONLY_ID not in content, path
        assert "只评分未公示的机构" not in content, path
        assert FUTURE_ID not in content, path
        assert NEXT_SNAPSHOT not in content, path  # the 2026 cycle is scored only


def test_R15_the_open_publicity_is_on_the_home_page_with_its_first_and_last_day_and_how_to_object():
    home = text(site(DURING_PUBLICITY))["index.html"]
    assert 'data-first-day="2026-02-02" data-last-day="2026-02-28"' in home
    assert "2026年2月2日" in home and "2026年2月28日" in home
    assert "以书面形式向晋城市生态环境局申请复核" in home and BUREAU["objections"]["address"] in home
    assert "cycles/2025/publicity-2026-02-02.html" in home


def test_R15_no_open_publicity_after_the_window_and_the_home_says_so():
    home = text(site(AFTER_PUBLICATION))["index.html"]
    assert 'id="no-open-publicity"' in home


def test_R17_only_results_published_by_the_build_date_are_in_the_final_results():
    view = public_cycle(CYCLE, AFTER_PUBLICATION)
    final = {v.institution_id for v in view.final}
    assert LATE_PUBLISHED_ID not in final  # published on 2026-04-02
    assert {v.institution_id for day in view.publicity for v in view.publicity[day]} == {LATE_PUBLISHED_ID}
    assert LATE_PUBLISHED_ID in {v.institution_id for v in public_cycle(CYCLE, AFTER_REVOCATION).final}
    assert "cycles/2025/results.html" not in site(DURING_PUBLICITY)  # nothing published yet


def test_R14_a_revoked_result_shows_D_with_its_clause_the_revoked_grade_and_a_change_notice():
    before = text(site(AFTER_PUBLICATION))
    assert f'data-institution-id="{REVOKED_ID}"' in before["cycles/2025/a-list.html"]
    files = text(site(AFTER_REVOCATION))
    results = files["cycles/2025/results.html"]
    assert f'data-institution-id="{REVOKED_ID}" data-revoked-grade="A"' in results
    assert "原评定等级A级已撤销，直接评定为D级（第十七条第（四）项）" in results
    assert REVOKED_ID not in files["cycles/2025/a-list.html"]
    change = files["cycles/2025/change-2026-04-01.html"]
    assert 'data-first-day="2026-04-01" data-last-day="2026-04-23"' in change
    assert "cycles/2025/change-2026-04-01.html" in files["index.html"]


@pytest.mark.parametrize("stored", ["revoked version keeps its grade", "revoked version is the D"])
def test_R14_both_ways_of_storing_a_revocation_show_the_same_row_and_change(stored):
    versions = list(CYCLE.versions)
    if stored == "revoked version is the D":
        versions = [v for v in versions if v.institution_id != REVOKED_ID] + REVOKED_IN_PLACE
    cycle = CycleData(CYCLE.year, CYCLE.snapshot, CYCLE.index_version, versions)
    view = public_cycle(cycle, AFTER_REVOCATION)
    row = next(v for v in view.final if v.institution_id == REVOKED_ID)
    assert (row.grade, row.clause, view.revoked[REVOKED_ID]) == ("D", "4", "A")
    assert [(c.cause, c.before.grade, c.after.grade, c.first_day) for c in view.changes] == [
        ("revocation", "A", "D", date(2026, 4, 1))]
    assert public_cycle(cycle, AFTER_PUBLICATION).revoked == {}  # not yet revoked on that day
    assert next(v for v in public_cycle(cycle, AFTER_PUBLICATION).final if v.institution_id == REVOKED_ID).grade == "A"


def test_R18_the_A_list_page_is_linked_from_every_page_once_results_are_published():
    files = text(site(AFTER_PUBLICATION))
    for path, content in files.items():
        if path.endswith(".html"):
            assert "a-list.html" in content, path


def test_every_page_says_its_build_date_and_the_cycle_version_it_comes_from():
    for path, content in text(site(AFTER_REVOCATION)).items():
        if path.endswith(".html"):
            assert 'data-generated-on="2026-04-10"' in content, path
            assert f'data-snapshot="{SNAPSHOT}" data-index-version="jc-2024.1"' in content, path


def test_R17_open_data_checksums_verify_and_list_every_data_file():
    files = site(AFTER_REVOCATION)
    manifest = json.loads(files["data/manifest.json"])
    listed = {f["path"] for f in manifest["files"]}
    assert listed == {p.removeprefix("data/") for p in files if p.startswith("data/2025/")}
    for entry in manifest["files"]:
        data = files[f"data/{entry['path']}"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
    sums = files["data/SHA256SUMS"].decode().splitlines()
    assert sums == [f"{f['sha256']}  {f['path']}" for f in manifest["files"]]
    records = json.loads(files["data/2025/results.json"])["records"]
    assert set(records[0]) == {"seq", "institution_id", "name", "county", "grade", "status", "grade_text",
                               "clause", "revoked_grade", "note", "determined_on", "published_on"}
    dates = {r["institution_id"]: (r["determined_on"], r["published_on"]) for r in records}
    assert dates["91140524110231598W"] == ("2026-03-02", "2026-04-02")  # each row its own dates (第二十条)
    assert dates["91140522192559211Y"] == ("2026-03-02", "2026-03-04")
    assert dates["91140525MA0K3L2P1X"] == ("2026-04-01", "2026-04-01")  # revoked (第十七条) on 04-01


def test_R20_data_is_text_formulas_are_neutralised_nothing_personal_nothing_external():
    files = text(site(AFTER_REVOCATION))
    for path, content in files.items():
        assert SCRIPT_NAME not in content or path.endswith((".json", ".csv")), path
        for value in PERSONAL.values():
            assert value not in content, path
        assert "行政处罚决定书" not in content  # free-text reasons are not published
        assert not re.search(r'(?:src|href)="(?:https?:)?//', content), path
        assert "@import" not in content and "url(" not in content, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in files["cycles/2025/index.html"]
    assert f"'{FORMULA_NAME}".replace('"', '""') in files["data/2025/results.csv"]


def test_the_same_data_and_build_date_give_the_same_bytes():
    assert site(AFTER_REVOCATION) == site(AFTER_REVOCATION)


def test_the_cycle_page_has_a_chart_the_filter_and_semantic_tables():
    page = text(site(AFTER_REVOCATION))["cycles/2025/index.html"]
    assert '<html lang="zh-CN">' in page
    assert '<svg role="img"' in page and "A级1家" in page
    assert '<form id="filter" class="filter" role="search" aria-label="筛选与查询" hidden>' in page
    assert '<th scope="col">统一社会信用代码</th>' in page


def test_golden_home_and_cycle_pages(golden):
    files = site(AFTER_REVOCATION)
    golden("site/index.html", files["index.html"])
    golden("site/cycle-2025.html", files["cycles/2025/index.html"])


def test_R20_the_site_is_written_only_inside_its_folder(tmp_path):
    with pytest.raises(UnsafePathError):
        target(tmp_path, "../outside.html")
    with pytest.raises(UnsafePathError):
        target(tmp_path, "cycles/../../outside.html")
    out = tmp_path / "site"
    write_site({"a/b.html": b"1", "c.html": b"2"}, out)
    write_site({"a/b.html": b"1"}, out)  # c.html is no longer published: removed, nothing else
    (out / "mine.txt").write_text("kept")
    write_site({"a/b.html": b"1"}, out)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        ".site-files", "a/b.html", "mine.txt"]
    assert not Path(tmp_path / "outside.html").exists()
