"""`cycle status` and what `advance` prints, on the in-memory unit of work (第十八—二十条, R-01, R-17).

A cycle publicised from 2026-02-02 (last day 02-28), determined 03-01 with publish-by 03-10, and then not
published: `cycle status` of 03-13 lists the missed 第二十条 deadline as overdue, 3 working days late; once
published on 03-13 it says the deadline and the publication date, each named.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cli.lifecycle import advance_text, overdue_lines
from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.models import Cycle, Objection, Result
from tasks.lifecycle import AdvanceInput, PublicizeInput, close_windows, determine, publicize, publish, share
from tasks.status import StatusInput, awaiting_publicity, cycle_status, status_text
from tests.service.fakes import FakeTables, FakeUnitOfWork

RULES = rules_for_year(2025)
AT = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
ACTOR = Actor("zhang.wei", AT, "test")
SNAPSHOT = "sha256:" + "a" * 64
COUNTIES = {"91140100134455246H": "阳城县", "91140100159619067H": "阳城县", "91140581173546984A": "高平市"}
OBJECTED = "91140581173546984A"


def result(institution_id: str) -> Result:
    zero = Decimal("0.0")
    return Result(
        cycle_id=1, institution_id=institution_id, version=1, is_current=True, status="rated",
        name=f"机构{institution_id[-4:]}", county=COUNTIES[institution_id], score=Decimal("95.0"), grade="A",
        clause=None, deduction_basic=zero, deduction_execution=zero, deduction_management=zero,
        deduction_integrity=zero, bonus=zero, index_version=RULES.index.version, snapshot=SNAPSHOT, state="scored",
        findings_digest="0" * 64, created_at=AT)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    tables = FakeTables()
    tables.add("cycles", Cycle(year=2025, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                               as_of=date(2026, 1, 20), index_version=RULES.index.version, snapshot=SNAPSHOT,
                               stage="scored", created_at=AT, updated_at=AT))
    for institution_id in COUNTIES:
        tables.add("results", result(institution_id))
    return FakeUnitOfWork(tables)


def given(tmp_path: Path, as_of: date) -> AdvanceInput:
    return AdvanceInput(2025, as_of, ACTOR, tmp_path / "web", tmp_path / "outbox", tmp_path / "shares")


def status(uow: FakeUnitOfWork, as_of: date, county: str | None = None) -> dict:
    with uow:
        return cycle_status(uow, RULES, StatusInput(2025, as_of, county)).as_json()


@pytest.fixture(autouse=True)
def no_snapshot(monkeypatch):
    """The events recorded since the evaluation are another test's concern (test_lifecycle)."""
    monkeypatch.setattr("tasks.status.recorded_since", lambda uow, rules, cycle, institutions=None: [])


def determined_not_published(uow: FakeUnitOfWork, tmp_path: Path) -> None:
    """Publicised 02-02 (to 02-28); determined on 03-01 by the advance of 03-02, which did not publish."""
    with uow:
        assert awaiting_publicity(uow) == [2025]
        publicize(uow, RULES, PublicizeInput(2025, date(2026, 2, 2), tmp_path / "pub", ACTOR))
    with uow:
        close_windows(uow, RULES, given(tmp_path, date(2026, 3, 2)))
        determine(uow, RULES, given(tmp_path, date(2026, 3, 2)))
        assert awaiting_publicity(uow) == []


def test_R17_a_missed_publication_deadline_is_overdue_with_its_deadline_and_working_days_late(uow, tmp_path):
    determined_not_published(uow, tmp_path)

    report = status(uow, date(2026, 3, 13))

    assert {(r["determined_on"], r["publish_by"]) for r in report["results"]} == {("2026-03-01", "2026-03-10")}
    assert [(o["kind"], o["institution_id"], o["deadline"], o["done_on"], o["days_late"])
            for o in report["overdue"]] == [("publication", i, "2026-03-10", None, 3) for i in sorted(COUNTIES)]
    assert report["deadlines"] == []
    text = status_text(report)
    assert text.count("2025年度信用风险评价") == 1 and "已确定" in text and "determined" not in text
    assert "公布期限（第二十条）" in text and "尚未完成" in text and "机构984A（91140581173546984A）" in text
    assert "等3家" not in text and "│ 3 " in text  # three rows of one deadline: one line, counted


def test_R17_published_after_its_deadline_names_the_deadline_and_the_publication_date_apart(uow, tmp_path):
    determined_not_published(uow, tmp_path)
    with uow:
        publish(uow, RULES, given(tmp_path, date(2026, 3, 13)))
        share(uow, RULES, given(tmp_path, date(2026, 3, 13)))

    report = status(uow, date(2026, 3, 13))

    late = [(o["what"], o["date"], o["done_on"], o["days_late"]) for o in report["overdue"]]
    assert late == [("published late", "2026-03-10", "2026-03-13", 3)] * 3  # shared with it: said once
    [line] = overdue_lines([{"year": 2025, **o} for o in report["overdue"]])
    assert "公布期限（第二十条） 2026-03-10，实际公布日期 2026-03-13，逾期3个工作日" in line
    assert line.startswith("  逾期：2025年度 机构246H（91140100134455246H）、机构067H（91140100159619067H）、机构984A")


def test_R16_open_and_late_reviews_and_an_undone_determination_are_overdue(uow, tmp_path):
    with uow:
        publicize(uow, RULES, PublicizeInput(2025, date(2026, 2, 2), tmp_path / "pub", ACTOR))
    uow.tables.add("objections", Objection(
        id="OB202500001", cycle_id=1, institution_id=OBJECTED, result_version=1, filer_kind="institution",
        filer_name="异议人", received_on=date(2026, 2, 10), has_evidence=True, claim="申请复核", admissible=True,
        created_at=AT, created_by="zhang.wei"))

    report = status(uow, date(2026, 3, 11))  # review by 03-09: Feb 11–13, Sat 14, 24–27, Sat 28, Mar 2–6, 9

    overdue = {(o["kind"], o["institution_id"]): (o["date"], o["days_late"]) for o in report["overdue"]}
    assert overdue[("review", OBJECTED)] == ("2026-03-09", 2)  # Mar 10, 11
    assert overdue[("determination", "91140100134455246H")] == ("2026-03-01", 8)  # no advance since: Mar 2–6, 9–11
    assert ("determination", OBJECTED) not in overdue  # its objection is not decided: nothing to determine
    assert "异议OB202500001复核期限（第十九条）" in status_text(report)

    uow.tables.of("objections")[0].decision, uow.tables.of("objections")[0].decided_on = "rejected", date(2026, 3, 12)
    [review] = [o for o in status(uow, date(2026, 3, 12))["overdue"] if o["kind"] == "review"]
    assert (review["what"], review["done_on"], review["days_late"]) == (
        "objection OB202500001 reviewed late", "2026-03-12", 3)


def test_R01_county_filters_the_rows(uow, tmp_path):
    determined_not_published(uow, tmp_path)

    report = status(uow, date(2026, 3, 13), county="高平市")

    assert [r["institution_id"] for r in report["results"]] == [OBJECTED]
    assert report["counts"] == {"determined": 1} and report["county"] == "高平市"
    assert [o["institution_id"] for o in report["overdue"]] == [OBJECTED]
    assert "高平市" in status_text(report)


def test_open_deadlines_are_grouped_with_their_count(uow, tmp_path):
    with uow:
        publicize(uow, RULES, PublicizeInput(2025, date(2026, 2, 2), tmp_path / "pub", ACTOR))

    report = status(uow, date(2026, 2, 24))

    assert {(d["kind"], d["date"], d["working_days_left"]) for d in report["deadlines"]} == {
        ("publicity", "2026-02-28", 4)}
    text = status_text(report)
    assert text.count("公示期满（第十八条）") == 1 and "公示中" in text and "异议：无" in text


def test_advance_says_what_to_run_before_the_publicity_and_which_files_it_wrote():
    report = {"as_of": "2026-03-02", "moved": {}, "written": [], "overdue": []}
    text = advance_text(report, [2025])
    assert "没有需要推进的评价结果" in text
    assert "2025年度评价结果尚未公示：请先运行 credit publicize --year 2025 --on YYYY-MM-DD" in text

    written = ["web/2025/final_results.html", "web/2025/final_results.csv", "outbox/2025-001/cover_letter.html",
               "site"]
    text = advance_text({"as_of": "2026-03-02", "moved": {"determined": 29, "published": 29}, "written": written},
                        [], site="site")
    assert "已确定29项、已公布29项" in text
    assert "已写入 web/2025：final_results.html、final_results.csv" in text
    assert "已写入 outbox/2025-001：cover_letter.html" in text and "已重建网站：site" in text
    assert "files written" not in text
