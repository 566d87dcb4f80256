"""Issue 13: each evaluated institution's own 信用风险等级评价结果告知书, on a real store (SQLite and PostgreSQL).

The worked example is evaluated and its publicity started from 2026-02-02 (to 02-28) without Prefect; the
notices are written as `publicize` writes them: HTML and PDF (headless Chromium), numbered, recorded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from credit.rules import rules_for_year
from reports.notices import NoticeFacts, NoticeSumError, notice_context
from store.lifecycle import Actor
from store.settings import SettingsError, read_settings
from store.uow import Store
from tasks.deliver import SmtpSettingsError, email_ok, smtp_server, smtp_url_parts
from tasks.notices import NoticeInput, issue_notices, notice_counts
from tests.support.databases import postgres_schema
from tests.support.notices import flat, opened, pdf_fonts, pdf_text
from tests.support.paths import EXAMPLE_DROP, EXAMPLE_EXPECTED

# One worker runs the module under `--dist loadgroup`: the notices are written once per backend, not per worker.
pytestmark = pytest.mark.xdist_group("notices")
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ON = date(2026, 2, 2)
CODE = re.compile(r"[0-9A-Z]{18}")


def evaluated_and_publicised(db: str, var_dir: Path) -> None:
    """pull → validate → score → save of the worked example, then the publicity from 2026-02-02."""
    from tasks.drop_io import read_drop, write_snapshot
    from tasks.lifecycle import PublicizeInput, publicize
    from tasks.save import SaveInput, save_evaluation
    from tasks.score import score_validated
    from tasks.validate import validate

    rules, as_of = rules_for_year(2025), date(2026, 1, 20)
    drop = read_drop(EXAMPLE_DROP)
    validated = validate(drop, rules, None)
    given = SaveInput(as_of=as_of, drop=drop, snapshot_path=write_snapshot(drop, var_dir), validated=validated,
                      scored=score_validated(validated, rules, as_of), by="test", at=datetime.now(UTC))
    actor = Actor("tester", datetime.now(UTC), "publicity")
    with Store.open(db).unit_of_work() as uow:
        save_evaluation(uow, rules, given)
    with Store.open(db).unit_of_work() as uow:
        publicize(uow, rules, PublicizeInput(2025, ON, var_dir / "published", actor))


@pytest.fixture(scope="module", params=DATABASES)
def issued(request, tmp_path_factory) -> Iterator[tuple[str, Path, object]]:
    """The worked example publicised and its notices written once (module scope: Chromium prints 15 pages)."""
    var_dir = tmp_path_factory.mktemp("var")
    with nullcontext(f"sqlite:///{var_dir / 'credit.db'}") if request.param == "sqlite" else postgres_schema() as db:
        evaluated_and_publicised(db, var_dir)
        with Store.open(db).unit_of_work() as uow:
            report = issue_notices(uow, rules_for_year(2025), NoticeInput(2025, ON, var_dir / "notices",
                                                                          datetime.now(UTC)))
        yield db, var_dir, report
        Store.close(db)


@pytest.fixture(scope="module")
def open_pdf(issued) -> Iterator[Callable[[Path], PdfReader]]:
    """A notice PDF opened once per module and backend (pypdf keeps what it parsed): no PDF changes after `issued`."""
    open_once = functools.cache(opened)
    yield open_once
    open_once.cache_clear()


@pytest.fixture(scope="module")
def read_pdf(open_pdf) -> Iterator[Callable[[Path], str]]:
    """pdf_text of a notice, read once per module and backend."""
    read_once = functools.cache(lambda path: pdf_text(open_pdf(path)))
    yield read_once
    read_once.cache_clear()


def expected(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLE_EXPECTED / name, dtype="string", keep_default_na=False, encoding="utf-8-sig")


def test_publicize_writes_one_notice_html_and_pdf_per_evaluated_institution(issued):
    db, var_dir, report = issued
    results = expected("results.csv")
    assert report.pdf_error is None
    assert sorted(i for i, _, _ in report.issued) == sorted(results["institution_id"])
    for institution in results["institution_id"]:
        folder = var_dir / "notices" / "2025" / institution
        assert sorted(p.name for p in folder.iterdir()) == ["1.html", "1.pdf"]


def test_notices_are_numbered_in_the_bureaus_pattern_one_sequence_per_year_of_issue(issued):
    _, _, report = issued
    numbers = [number for _, _, number in report.issued]
    assert numbers == [f"晋环信告〔2026〕{n}号" for n in range(1, len(numbers) + 1)]


def test_the_pdf_has_the_score_the_grade_and_every_findings_name_with_cjk_fonts_embedded(issued, open_pdf, read_pdf):
    _, var_dir, _ = issued
    rules = rules_for_year(2025)
    results, findings = expected("results.csv"), expected("findings.csv")
    for row in results.itertuples():
        pdf = var_dir / "notices" / "2025" / row.institution_id / "1.pdf"
        text = flat(read_pdf(pdf))
        assert row.institution_id in text
        if row.status == "rated":
            assert f"{row.score}分" in text and f"{row.grade}级" in text
        else:
            assert "不予评定" in text
        for code in findings.loc[findings["institution_id"] == row.institution_id, "indicator"]:
            assert flat(rules.index.indicators[code].name) in text
        assert any("CJK" in font for font in pdf_fonts(open_pdf(pdf)))  # every font embedded, the CJK one among them


def test_a_direct_D_notice_names_its_clause_and_a_not_rated_one_gives_its_reason(issued, read_pdf):
    _, var_dir, _ = issued
    results = expected("results.csv")
    direct = results[results["clause"] != ""].iloc[0]
    text = flat(read_pdf(var_dir / "notices" / "2025" / direct["institution_id"] / "1.pdf"))
    assert flat("第十七条第（") in text and "直接评定" in text
    not_rated = results[results["status"] == "not_rated"].iloc[0]
    html = (var_dir / "notices" / "2025" / not_rated["institution_id"] / "1.html").read_text(encoding="utf-8")
    assert "不予评定" in html and "评价期间未纳入名录管理" in html and "第十四条" in html


def test_every_notice_gives_the_publicity_window_and_how_to_object_in_writing(issued):
    _, var_dir, _ = issued
    html = next((var_dir / "notices" / "2025").glob("*/1.html")).read_text(encoding="utf-8")
    rules = rules_for_year(2025)
    assert "2026年2月2日至2026年2月28日" in html
    assert "以书面形式" in html and rules.bureau.settings["objections"]["address"] in html
    assert f"{rules.procedure.review}个工作日内完成复核" in html and "（盖章）" in html


def test_a_scan_of_every_notice_finds_no_other_institutions_code(issued, read_pdf):
    _, var_dir, _ = issued
    ids = set(expected("results.csv")["institution_id"])
    for html in (var_dir / "notices" / "2025").glob("*/*.html"):
        own = html.parent.name
        found = set(CODE.findall(html.read_text(encoding="utf-8"))) | set(CODE.findall(read_pdf(html.with_suffix(".pdf"))))
        assert found & ids == {own}, html


def test_issuing_again_writes_nothing_and_the_counts_show_every_notice_not_sent_yet(issued):
    db, var_dir, report = issued
    with Store.open(db).unit_of_work() as uow:
        again = issue_notices(uow, rules_for_year(2025), NoticeInput(2025, ON, var_dir / "notices", datetime.now(UTC)))
        counts = notice_counts(uow, 2025)
    assert again.issued == [] and again.written == []
    assert counts == {"notices": len(report.issued), "delivered": 0, "failed": 0, "to_post": 0,
                      "not_sent_yet": len(report.issued)}


def test_the_points_of_a_notice_sum_exactly_to_its_score_or_no_notice_is_made():
    rules = rules_for_year(2025)
    results, findings = expected("results.csv"), expected("findings.csv")
    facts = NoticeFacts("晋环信告〔2026〕1号", ON, 2025, 1, ON, date(2026, 2, 28), 15, 15)
    for row in results[results["status"] == "rated"].to_dict("records"):
        own = findings[findings["institution_id"] == row["institution_id"]].to_dict("records")
        ctx = notice_context(row, own, rules.index, rules.bureau.settings, facts)
        total = sum((Decimal(f["points"]) for d in ctx["dimensions"] for f in d["findings"]), Decimal("0"))
        assert Decimal(ctx["score_lines"][-1]["points"]) == Decimal(row["score"])
        assert total == sum(Decimal(row[f"deduction_{d}"]) for d in ("basic", "execution", "management", "integrity"))
    row = results[results["status"] == "rated"].iloc[0].to_dict()
    own = findings[findings["institution_id"] == row["institution_id"]].to_dict("records")
    with pytest.raises(NoticeSumError):
        notice_context({**row, "score": str(Decimal(row["score"]) - Decimal("0.5"))}, own, rules.index,
                       rules.bureau.settings, facts)


def test_a_notice_refuses_another_institutions_findings():
    rules = rules_for_year(2025)
    results, findings = expected("results.csv"), expected("findings.csv")
    row = results.iloc[0].to_dict()
    other = findings[findings["institution_id"] != row["institution_id"]].head(1).to_dict("records")
    facts = NoticeFacts("晋环信告〔2026〕1号", ON, 2025, 1, ON, date(2026, 2, 28), 15, 15)
    with pytest.raises(ValueError, match="another institution"):
        notice_context(row, other, rules.index, rules.bureau.settings, facts)


@pytest.mark.parametrize(("address", "ok"), [("a.b@inst.example", True), ("xinyong@sthjj.jcgov.cn", True),
                                             ("no-at-sign", False), ("two@@x.cn", False), ("a b@x.cn", False),
                                             ("a@localhost", False), ("", False), (None, False)])
def test_contact_email_must_look_like_an_email_address(address, ok):
    assert email_ok(address) is ok


@pytest.mark.parametrize(("url", "parts"), [
    ("smtp://127.0.0.1:8025", ("127.0.0.1", 8025, "", None)),
    ("smtps://credit@mail.example.cn:465", ("mail.example.cn", 465, "ssl", "credit")),
    ("smtps://mail.example.cn", ("mail.example.cn", 465, "ssl", None)),
    ("smtp://credit@mail.example.cn:587?starttls", ("mail.example.cn", 587, "starttls", "credit")),
    ("smtp://mail.example.cn", ("mail.example.cn", 25, "", None)),
])
def test_CREDIT_SMTP_URL_names_the_server_its_port_tls_and_login(url, parts):
    assert smtp_url_parts(url) == parts


@pytest.mark.parametrize("url", ["smtp://credit:secret@mail.example.cn:465", "ftp://mail.example.cn", "smtp://",
                                 "smtp://mail.example.cn:port"])
def test_a_CREDIT_SMTP_URL_with_a_password_or_that_names_no_smtp_server_is_refused(url):
    with pytest.raises(SmtpSettingsError):
        smtp_url_parts(url)


def test_the_smtp_password_comes_from_the_environment_never_from_the_settings_file(tmp_path):
    config = tmp_path / "credit.toml"
    config.write_text('smtp_url = "smtps://credit@mail.example.cn:465"\nsmtp_sender = "x@jc.example"\n',
                      encoding="utf-8")
    settings = read_settings({"CREDIT_CONFIG": str(config)})
    server = smtp_server(settings, rules_for_year(2025), environ={"CREDIT_SMTP_PASSWORD": "from-env"})
    assert server is not None and (server.user, server.password, server.sender) == ("credit", "from-env",
                                                                                    "x@jc.example")
    config.write_text('smtp_url = "smtp://127.0.0.1:25"\nsmtp_password = "in-a-file"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="smtp_password"):
        read_settings({"CREDIT_CONFIG": str(config)})
    assert smtp_server(read_settings({}), rules_for_year(2025)) is None  # no server: delivery off


def test_credit_notices_with_an_unusable_CREDIT_SMTP_URL_exits_2_naming_it_before_anything_runs(monkeypatch):
    import typer
    from typer.testing import CliRunner

    from cli.notices import notices
    from store.settings import get_settings

    app = typer.Typer()
    app.command()(notices)
    app.command("unused")(lambda: None)  # two commands: `notices` stays a sub-command, as in cli/main.py
    monkeypatch.setenv("CREDIT_SMTP_URL", "smtp://credit:secret@mail.example.cn:465")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["notices", "--year", "2025"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "CREDIT_SMTP_URL 不得包含密码" in result.output
