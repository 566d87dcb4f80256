"""Per-row dates (issue 12 item 5, 第二十条): every public list gives each result its own dates.

The sample drop's 2025 cycle: publicised on 2026-02-02, one result objected to; the advance of 2026-03-10
determines, publishes and shares the other 29; the objection is upheld the same day and the changed
result (C → B) is publicised again from 03-10 to 03-31, then determined, published and shared on 04-01.
The final lists, the A list, the share packages' cover letters, the site's pages and its open data all
give the 29 their own dates and the changed one its own, before and after the rebuild; the change notice
stays reachable after its window; the home page lists the open change publicity as 正在公示.
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.uow import Store
from tasks.lifecycle import ADVANCE_STEPS, AdvanceInput, PublicizeInput, publicize
from tasks.objections import AddInput, DecideInput, Filing, Intake, add_objection, decide
from tasks.site import site_files
from tests.support.databases import postgres_schema
from tests.support.site_store import evaluate_sample_without_prefect

CHANGED = "12140500427565211M"  # 79.0, C; YW-07 on EV20250000004 is 3 points: 82.0, B once set aside
FIRST, SECOND = date(2026, 3, 10), date(2026, 4, 1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request, tmp_path):
    """The scenario run on a store of its own; the store's rows and the folders its steps wrote."""
    with nullcontext(f"sqlite:///{tmp_path / 'credit.db'}") if request.param == "sqlite" else postgres_schema() \
            as url:
        try:
            yield _scenario(url, tmp_path)
        finally:
            Store.close(url)


def _scenario(url: str, root: Path) -> dict:
    evaluate_sample_without_prefect(url, root / "var")
    rules, store = rules_for_year(2025), Store.open(url)
    filing = Filing(root / "var" / "evidence", root / "var" / "letters")
    proof = root / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")

    def actor(on: date) -> Actor:
        return Actor("test", datetime(on.year, on.month, on.day, 9, tzinfo=UTC), "test")

    def advance(on: date) -> None:
        given = AdvanceInput(2025, on, actor(on), root / "web", root / "outbox", root / "var" / "shares")
        with store.unit_of_work() as uow:
            for step in ADVANCE_STEPS:
                step(uow, rules, given)

    with store.unit_of_work() as uow:
        publicize(uow, rules, PublicizeInput(2025, date(2026, 2, 2), root / "pub", actor(date(2026, 2, 2))))
        objection = add_objection(uow, rules, AddInput(Intake(
            2025, CHANGED, date(2026, 2, 24), "institution", "晋城市环境监测机构", "对扣分事项有异议", (proof,)),
            actor(date(2026, 2, 24)), filing))
    advance(FIRST)
    with store.unit_of_work() as uow:
        decided = decide(uow, rules, DecideInput(objection.id, FIRST, "upheld", "事项已核实更正", actor(FIRST), filing,
                                                 set_aside=(("YW-07", "EV20250000004"),)))
    assert decided.changed
    with store.unit_of_work(write=False) as uow:
        during = site_files(uow, rules, date(2026, 3, 15))
    advance(SECOND)
    with store.unit_of_work(write=False) as uow:
        after = site_files(uow, rules, date(2026, 4, 10))
        rows = {r.institution_id: (r.determined_on, r.published_on) for r in uow.lifecycle.current(
            uow.lifecycle.cycle(2025)) if r.published_on is not None}
    return {"root": root, "during": during, "after": after, "dates": rows}


def _iso(dates: dict) -> dict[str, tuple[str, str]]:
    return {i: (d.isoformat(), p.isoformat()) for i, (d, p) in dates.items()}


def _csv(data: bytes, id_column: str, determined: str | None, published: str) -> dict[str, tuple[str, str]]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return {r[id_column]: (r[determined] if determined else "", r[published]) for r in rows}


def test_the_29_and_the_changed_one_keep_their_own_dates_everywhere(world):
    dates = _iso(world["dates"])
    assert len(dates) == 30 and dates[CHANGED] == (SECOND.isoformat(), SECOND.isoformat())
    others = {v for k, v in dates.items() if k != CHANGED}
    assert len(others) == 1 and next(iter(others))[1] == FIRST.isoformat()  # the 29 share their dates
    root = world["root"]

    # The final lists the advance wrote (rewritten on 04-01) and the site's open data.
    web = root / "web" / "2025"
    assert _csv((web / "final_results.csv").read_bytes(), "统一社会信用代码", "结果确定日期", "公布日期") == dates
    xlsx = (web / "final_results.xlsx").read_bytes()
    assert xlsx  # the same rows as the CSV (reports/lifecycle.py _final_list_rows)
    a_list = _csv((web / "a_list.csv").read_bytes(), "统一社会信用代码", None, "公布日期")
    assert a_list and all(a_list[i][1] == dates[i][1] for i in a_list)
    files = world["after"]
    assert _csv(files["data/2025/results.csv"], "统一社会信用代码", "结果确定日期", "公布日期") == dates
    records = json.loads(files["data/2025/results.json"])["records"]
    assert {r["institution_id"]: (r["determined_on"], r["published_on"]) for r in records} == dates
    a_records = json.loads(files["data/2025/a-list.json"])["records"]
    assert all((r["determined_on"], r["published_on"]) == dates[r["institution_id"]] for r in a_records)

    # The share packages: the first carries the 29 of 03-10, the update all 30 with their own dates.
    first, update = (root / "outbox" / "2025-001", root / "outbox" / "2025-002")
    shared = _csv((update / "results.csv").read_bytes(), "统一社会信用代码", "结果确定日期", "公布日期")
    assert shared == dates
    assert CHANGED not in _csv((first / "results.csv").read_bytes(), "统一社会信用代码", "结果确定日期", "公布日期")
    letter = (update / "cover_letter.html").read_text(encoding="utf-8")
    assert "分别于2026年3月10日（29家）、2026年4月1日（1家）通过官网公布" in letter
    assert "2026年4月1日（1家）确定" in letter

    # The site's pages: each row of the results dated by itself, not all on 04-01.
    page = files["cycles/2025/index.html"].decode("utf-8")
    results = files["cycles/2025/results.html"].decode("utf-8")
    for html in (page, results):
        assert "（29家）" in html and "（1家）" in html
        for institution_id, (_, published) in dates.items():
            row = html.split(f'data-institution-id="{institution_id}"', 1)[1].split("</tr>", 1)[0]
            assert f'<time datetime="{published}">' in row, institution_id
    # The change notice stays reachable from the cycle page after its window.
    assert "cycles/2025/change-2026-03-10.html" in files
    assert 'href="change-2026-03-10.html"' in page


def test_the_home_page_lists_the_open_change_publicity_and_open_data_only_what_exists(world):
    during = world["during"]
    home = during["index.html"].decode("utf-8")
    assert "没有正在公示的评价结果" not in home
    publicity = home.split('id="h-publicity"', 1)[1].split("</section>", 1)[0]
    assert "change-2026-03-10.html" in publicity and "正在公示" in home
    results = _csv(during["data/2025/results.csv"], "统一社会信用代码", "结果确定日期", "公布日期")
    assert CHANGED not in results and {p for _, p in results.values()} == {FIRST.isoformat()}
    listed = {f["path"] for f in json.loads(during["data/manifest.json"])["files"]}
    data_page = during["data/index.html"].decode("utf-8")
    assert listed == {p.removeprefix("data/") for p in during if p.startswith("data/2025/")}
    assert all(f'href="{p}"' in data_page for p in listed)
    if not any("publicity-" in p for p in listed):
        assert "公示名单" not in data_page.split('<p class="lead">', 1)[1].split("</p>", 1)[0]
