"""`credit audit`, `credit objection list`, `credit letters` and the objection commands on a real store (R-21,
第十九条, 第十条, 第二十条), on SQLite and PostgreSQL, without Prefect flows.

A 2025 cycle (the worked example) goes through publicity, a deemed and an upheld objection decided late, an
objection to a published result, an advance that determines, publishes and shares, a 第十七条 event and
supervision records; a 2026 cycle, an objection to it whose id names no year, and 2026 inspections and
complaints stand beside it. `credit audit --year 2025 --json` must return exactly the rows of 2025.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from credit.rules import rules_for_year
from store.audit import ENTITIES
from store.engine import make_engine, transaction
from store.lifecycle import Actor
from store.models import AuditEntry
from store.uow import Store
from tests.support.databases import postgres_schema
from tests.support.paths import EXAMPLE_DROP

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
OBJECTED = "91140581173546984A"  # 81.5, B; YW-04 on A2025000000096 is 2 points
OTHER = "121405241225528314"
RATED_A = "91140100134455246H"
ROSTER = "inspector_id,name,unit,county\nJC001,王建国,执法支队,\nJC002,李秀英,监测科,\n"


def actor(why: str = "test") -> Actor:
    return Actor("tester", datetime.now(UTC), why)


def credit(db: str, *args: str) -> object:
    return CliRunner().invoke(app, [*args, "--db", db])


def evaluate(db: str, var_dir: Path) -> None:
    """pull → validate → score → save of the worked example (2025, as of 2026-01-20), as the flow's tasks do."""
    from tasks.drop_io import read_drop, write_snapshot
    from tasks.save import SaveInput, save_evaluation
    from tasks.score import score_validated
    from tasks.validate import validate

    rules, as_of = rules_for_year(2025), date(2026, 1, 20)
    drop = read_drop(EXAMPLE_DROP)
    validated = validate(drop, rules, None)
    given = SaveInput(as_of=as_of, drop=drop, snapshot_path=write_snapshot(drop, var_dir), validated=validated,
                      scored=score_validated(validated, rules, as_of), by="test", at=datetime.now(UTC))
    with Store.open(db).unit_of_work() as uow:
        save_evaluation(uow, rules, given)


def in_store(db: str, year: int, use_case, inputs):
    with Store.open(db).unit_of_work() as uow:
        return use_case(uow, rules_for_year(year), inputs)


def advance(db: str, tmp_path: Path, on: date) -> None:
    from tasks.lifecycle import ADVANCE_STEPS, AdvanceInput

    given = AdvanceInput(2025, on, actor("advance"), tmp_path / "published", tmp_path / "var" / "outbox",
                         tmp_path / "var" / "shares")
    with Store.open(db).unit_of_work() as uow:
        for step in ADVANCE_STEPS:
            step(uow, rules_for_year(2025), given)


def supervise(db: str, tmp_path: Path) -> None:
    """Inspections with a 第十条 notice and complaints, in 2025 and in 2026; the roster, of no cycle."""
    from tasks.plan import RosterImport, import_roster
    from tasks.supervision import (
        ComplaintInput,
        FindingInput,
        InspectionInput,
        add_complaint,
        add_finding,
        add_inspection,
    )

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    rules = rules_for_year(2025)
    with Store.open(db).unit_of_work() as uow:
        import_roster(uow, RosterImport(roster), actor("roster"))
        for on, inspection_id in ((date(2025, 5, 6), "JC-A"), (date(2026, 1, 10), "JC-B")):
            add_inspection(uow, rules, InspectionInput(OBJECTED, on, "on_site", ("records_reports",),
                                                       ("JC001", "JC002"), inspection_id=inspection_id,
                                                       institution_name="山西泽安生态环境技术有限公司"), actor())
            add_finding(uow, rules, FindingInput(inspection_id, 1, "written_notice", "原始记录不完整",
                                                 date(on.year, on.month, on.day + 2)), tmp_path / "var" / "measures",
                        actor())
        for received, complaint_id in ((date(2025, 6, 1), "C-1"), (date(2026, 2, 1), "C-2")):
            add_complaint(uow, rules, ComplaintInput(OBJECTED, "hotline_12345", received, "报告造假",
                                                     complaint_id=complaint_id), actor())


def cycle_2026(db: str, tmp_path: Path) -> None:
    """A 2026 cycle in publicity, and an objection to it whose id says no year."""
    from tasks.lifecycle import PublicizeInput, publicize
    from tasks.objections import AddInput, Filing, Intake, add_objection
    from tests.integration.conftest import RATED_B, evaluation_inputs

    with Store.open(db).unit_of_work() as uow:
        uow.evaluations.save_evaluation(**evaluation_inputs(
            year=2026, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), as_of=date(2026, 12, 20),
            snapshot="sha256:" + "b" * 64))
    in_store(db, 2026, publicize, PublicizeInput(2026, date(2026, 11, 2), tmp_path / "out-2026", actor()))
    proof = tmp_path / "proof.pdf"
    in_store(db, 2026, add_objection, AddInput(
        Intake(2026, RATED_B, date(2026, 11, 5), "public", "马某某", "申请复核", (proof,), objection_id="X-9"),
        actor(), Filing.under(tmp_path / "var")))


@pytest.fixture(scope="module", params=DATABASES)
def cycle(request, tmp_path_factory) -> Iterator[dict]:
    """The 2025 cycle and what stands beside it, once per database; the CLI's outputs of the objection commands.

    The tests only read it: the scenario runs once per database and module.
    """
    from store.settings import get_settings

    tmp_path = tmp_path_factory.mktemp("records")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDIT_VAR_DIR", str(tmp_path / "var"))
        get_settings.cache_clear()
        with nullcontext(f"sqlite:///{tmp_path / 'credit.db'}") if request.param == "sqlite" else \
                postgres_schema() as db:
            try:
                yield scenario(db, tmp_path)
            finally:
                Store.close_all()
    get_settings.cache_clear()


def scenario(db: str, tmp_path: Path) -> dict:
    from tasks.lifecycle import PublicizeInput, publicize
    from tasks.serious import SeriousEventInput, serious_event

    evaluate(db, tmp_path / "var")
    in_store(db, 2025, publicize, PublicizeInput(2025, date(2026, 2, 2), tmp_path / "out", actor()))  # to 02-28
    proof = tmp_path / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    add = ("objection", "add", "--year", "2025", "--filer-kind", "institution", "--filer-name", "泽安",
           "--claim", "申请复核", "--by", "reviewer")
    deemed = credit(db, *add, "--institution", OTHER, "--received", "2026-03-02", "--evidence", str(proof))
    heard = credit(db, *add, "--institution", OBJECTED, "--received", "2026-02-24", "--evidence", str(proof))
    heard_id = heard.stdout.split("：")[0]
    assert credit(db, "objection", "suspend", heard_id, "--from", "2026-03-03", "--to", "2026-03-05").exit_code == 0
    advance(db, tmp_path, date(2026, 3, 2))  # the others determined, published and shared on 03-02
    published = credit(db, *add, "--institution", RATED_A, "--received", "2026-02-20", "--evidence", str(proof))
    decided = credit(db, "objection", "decide", heard_id, "--on", "2026-03-20", "--decision", "upheld",
                     "--reason", "签字人授权记录已补正", "--set-aside", "YW-04:A2025000000096", "--by", "reviewer")
    in_store(db, 2025, serious_event, SeriousEventInput(OTHER, 4, date(2026, 4, 1), date(2026, 4, 3),
                                                        "晋市环罚〔2026〕12号", actor("第十七条")))
    supervise(db, tmp_path)
    cycle_2026(db, tmp_path)
    return {"db": db, "deemed": deemed, "heard": heard, "heard_id": heard_id, "published": published,
            "decided": decided}


def audit_table(db: str) -> list[AuditEntry]:
    engine = make_engine(db)
    try:
        with transaction(engine) as session:
            rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
            session.expunge_all()
    finally:
        engine.dispose()
    return rows


def of_2026(row: AuditEntry) -> bool:
    """What the scenario wrote for 2026: its cycle's rows, its objection X-9, and the 2026 supervision records."""
    return row.entity_id.startswith("2026") or row.entity_id in {"X-9", "JC-B", "JC-B-1", "C-2"}


def test_R21_credit_audit_year_json_returns_every_audit_row_of_the_cycle_and_none_of_another(cycle):
    db = cycle["db"]
    rows = audit_table(db)
    assert {r.entity for r in rows} <= set(ENTITIES)  # an entity store/audit.py has no rule for fails here
    assert {r.entity for r in rows} >= {"cycle", "result", "share", "serious_event", "objection", "inspection",
                                        "inspection_finding", "complaint", "inspector"}

    shown = credit(db, "audit", "--year", "2025", "--json")
    assert shown.exit_code == 0, shown.output
    entries = json.loads(shown.stdout)["entries"]

    expected = {r.id for r in rows if not of_2026(r) and r.entity != "inspector"}
    assert {e["id"] for e in entries} == expected
    assert not {e["entity_id"] for e in entries} & {"X-9", "JC-B", "JC-B-1", "C-2"}
    later = json.loads(credit(db, "audit", "--year", "2026", "--json").stdout)["entries"]
    assert {e["id"] for e in later} == {r.id for r in rows if of_2026(r)}
    everything = json.loads(credit(db, "audit", "--json").stdout)["entries"]
    assert [e["id"] for e in everything] == [r.id for r in rows]
    assert all(e["at"].endswith("+08:00") for e in everything)


def test_R21_the_audit_of_an_institution_from_a_day_on_reads_in_chinese(cycle):
    db = cycle["db"]
    mine = json.loads(credit(db, "audit", "--institution", OBJECTED, "--json").stdout)["entries"]
    assert {e["entity"] for e in mine} == {"result", "objection", "inspection", "inspection_finding", "complaint"}
    assert {e["entity_id"] for e in mine if e["entity"] == "objection"} == {cycle["heard_id"]}

    text = credit(db, "audit", "--year", "2025", "--institution", OBJECTED)
    assert text.exit_code == 0, text.output
    assert "作出复核决定（第十九条）" in text.stdout and "复核决定：— → 采纳" in text.stdout
    assert "提示：— → 复核期限为2026-03-19" in text.stdout
    assert "形成新版本评价结果" in text.stdout and "得分：81.5 → 83.5" in text.stdout
    assert "评价结果状态变为“异议复核中”" in text.stdout and "状态：公示中 → 异议复核中" in text.stdout

    shanghai = ZoneInfo("Asia/Shanghai")
    today = datetime.now(shanghai).date()  # the rows were written now, by the clock (the 2026 save at its own AT)
    since = json.loads(credit(db, "audit", "--since", today.isoformat(), "--json").stdout)["entries"]
    midnight = datetime.combine(today, datetime.min.time(), shanghai)
    assert [e["id"] for e in since] == [r.id for r in audit_table(db) if r.at >= midnight]
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert json.loads(credit(db, "audit", "--since", tomorrow, "--json").stdout)["entries"] == []


def test_R16_decide_says_old_and_new_and_the_window_and_a_late_decision_or_intake_warns(cycle):
    decided, published = cycle["decided"], cycle["published"]

    assert decided.exit_code == 0, decided.output
    assert f"{cycle['heard_id']}：复核决定 采纳（异议成立，予以采纳）" in decided.stdout
    assert "评价结果：81.5分 B级 → 83.5分 B级（第2版）" in decided.stdout
    assert "重新公示：2026-03-20 至 2026-04-13" in decided.stdout  # Mar 23–27, 30–31, Apr 1–3, 7–10, 13
    assert "复核意见告知书：" in decided.stdout
    assert "提示：复核期限为2026-03-19，本决定于2026-03-20作出，已超过复核期限1个工作日" in decided.stderr
    assert published.exit_code == 0 and "已受理" in published.stdout
    assert "“已共享”（2026-03-02）" in published.stderr
    assert "视为无异议 — 逾期提出异议" in cycle["deemed"].stdout and "视为无异议告知书：" in cycle["deemed"].stdout


def test_R16_the_objection_register_and_the_letters_of_the_cycle(cycle):
    db = cycle["db"]
    register = json.loads(credit(db, "objection", "list", "--year", "2025", "--json").stdout)["objections"]
    by_id = {o["id"]: o for o in register}
    heard = by_id[cycle["heard_id"]]
    assert len(register) == 3 and "X-9" not in by_id
    assert (heard["institution_name"], heard["review_by"], heard["suspensions"], heard["decision"]) == (
        "山西泽安生态环境技术有限公司", "2026-03-19", [{"from": "2026-03-03", "to": "2026-03-05"}], "upheld")
    assert all(Path(p).is_file() for o in register for p in o["letters"])
    assert sum(len(o["letters"]) for o in register) == 2  # the deemed one's and the decision's
    text = credit(db, "objection", "list", "--year", "2025")
    assert "2025年度异议登记簿：共 3 件" in text.stdout and "复核决定：采纳（2026-03-20）" in text.stdout

    letters = json.loads(credit(db, "letters", "--year", "2025", "--json").stdout)["letters"]
    assert sorted(x["title"] for x in letters) == sorted(
        ["书面告知书", "视为无异议告知书", "复核意见告知书", "共享评价结果的函（第1批）"])
    assert all(x["exists"] and Path(x["path"]).is_file() for x in letters)
    [notice] = [x for x in letters if x["kind"] == "written_notice"]
    assert notice["number"].startswith("晋环监告〔2025〕") and notice["issued_on"] == "2025-05-08"
