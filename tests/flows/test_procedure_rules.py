"""A bureau that changes rules/procedure.yaml changes every deadline, notice, letter and page (R-15–R-17).

The rules are data: with 10 working days of publicity, 10 of review and 5 for publication, nothing
in the product may still say or count 15, 15 and 7. Every date below is counted by hand.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from tests.support.paths import EXAMPLE_DROP, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-lifecycle")]
OBJECTED = "91140581173546984A"  # 81.5, B; YW-04 on A2025000000096 is 2 points


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


@pytest.fixture
def short_procedure(tmp_path, monkeypatch) -> Path:
    """A copy of rules/ whose procedure.yaml says 10 / 10 / 5 working days, in force for the process."""
    from store.settings import get_settings

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    procedure = yaml.safe_load((rules / "procedure.yaml").read_text(encoding="utf-8"))
    procedure |= {"publicity_working_days": 10, "objection_review_working_days": 10,
                  "publication_working_days": 5}
    (rules / "procedure.yaml").write_text(yaml.safe_dump(procedure, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CREDIT_RULES_DIR", str(rules))
    monkeypatch.setenv("CREDIT_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield rules
    get_settings.cache_clear()


def text_of(folder: Path, pattern: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob(pattern)))


def test_R15_R16_R17_a_ten_day_procedure_is_followed_by_every_deadline_notice_letter_and_page(
    short_procedure, tmp_path
):
    db = f"sqlite:///{tmp_path / 'credit.db'}"
    invoke("evaluate", "--drop", str(EXAMPLE_DROP), "--year", "2025", "--as-of", "2026-01-20",
           "--out", str(tmp_path / "eval"), "--db", db, "--by", "test")
    # 2026-03-02 + 10 working days: Mar 3–6, 9–13, 16
    printed = invoke("publicize", "--year", "2025", "--on", "2026-03-02", "--out", str(tmp_path / "pub"),
                     "--db", db, "--by", "test")
    assert "2026-03-16" in printed
    notice = (tmp_path / "pub" / "publicity.html").read_text(encoding="utf-8")
    assert "（10个工作日）" in notice and "收到异议申请10个工作日内完成复核" in notice
    assert "15个工作日" not in notice

    proof = tmp_path / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    added = invoke("objection", "add", "--year", "2025", "--institution", OBJECTED, "--received", "2026-03-10",
                   "--filer-kind", "institution", "--filer-name", "山西泽安生态环境技术有限公司",
                   "--claim", "对扣分事项有异议", "--evidence", str(proof), "--db", db, "--by", "test")
    assert "2026-03-24" in added  # Mar 11–13, 16–20, 23, 24
    objection_id = added.split("：")[0].strip()

    # the others: determined 03-17, the day after the window; publish by Mar 18–20, 23, 24
    invoke("advance", "--as-of", "2026-03-17", "--outbox", str(tmp_path / "outbox"),
           "--published", str(tmp_path / "web"), "--db", db, "--by", "test")
    status = json.loads(invoke("cycle", "status", "--year", "2025", "--as-of", "2026-03-17", "--json", "--db", db))
    others = [r for r in status["results"] if r["institution_id"] != OBJECTED]
    assert {(r["determined_on"], r["publish_by"]) for r in others} == {("2026-03-17", "2026-03-24")}
    assert [o["review_by"] for o in status["objections"]] == ["2026-03-24"]

    invoke("objection", "decide", objection_id, "--on", "2026-03-20", "--decision", "upheld",
           "--reason", "签字人授权记录已补正", "--set-aside", "YW-04:A2025000000096", "--db", db, "--by", "test")
    letter = text_of(short_procedure.parent / "var" / "letters", f"{objection_id}*.html")
    assert "重新公示10个工作日" in letter and "15个工作日" not in letter
    status = json.loads(invoke("cycle", "status", "--year", "2025", "--as-of", "2026-03-20", "--json", "--db", db))
    changed = next(r for r in status["results"] if r["institution_id"] == OBJECTED)
    # 2026-03-20 + 10: Mar 23–27, 30, 31, Apr 1–3
    assert (changed["publicity_on"], changed["publicity_last_day"]) == ("2026-03-20", "2026-04-03")

    invoke("site", "build", "--out", str(tmp_path / "site"), "--as-of", "2026-03-20", "--db", db)
    assert "15个工作日" not in text_of(tmp_path / "site", "*.html")
    invoke("site", "build", "--out", str(tmp_path / "site-10"), "--as-of", "2026-03-10", "--db", db)
    during = text_of(tmp_path / "site-10", "*.html")
    assert "（10个工作日）" in during and "15个工作日" not in during
