"""Issue 13 acceptance: publicize mails each institution its own notice through a real SMTP server (aiosmtpd on
127.0.0.1), once; an upheld objection mails the new version to that institution only; a refusing server is
retried, recorded as failed and alerted, and the publicity still starts. Both databases, a fixed clock."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from credit.rules import rules_for_year
from flows.annual_evaluation import annual_evaluation
from flows.lifecycle import publicize_flow
from flows.notices import notices_flow, notify_institutions
from store import models
from store.lifecycle import Actor
from store.uow import Store
from tasks.notices import notice_counts
from tests.support.notices import drop_with_emails, flat, pdf_text
from tests.support.paths import EXAMPLE_DROP
from tests.support.smtp import Inbox, free_port, local_smtp
from tests.support.store_copies import Templates, store_copy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-lifecycle")]
ON = date(2026, 2, 2)
OBJECTED = "91140581173546984A"  # 81.5, B; YW-04 on A2025000000096 is 2 points (tests/flows/test_objections_cycle.py)
NO_ADDRESS = "121405811209109143"
UNREGISTERED = "91140525178441647K"  # not rated: active in the period, not in the registry (no contact_email)


class Refusing(Inbox):
    """A server that takes the connection and refuses every mail's data: 550."""

    def __init__(self) -> None:
        super().__init__()
        self.tries = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler name
        self.tries += 1
        return "550 5.7.1 mailbox unavailable"


@pytest.fixture(autouse=True)
def notices_printed(monkeypatch):
    """The suite switches the notices' PDFs off (tests/conftest.py); these tests check them."""
    from store.settings import get_settings

    monkeypatch.setenv("CREDIT_NOTICE_PDF", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def smtp_env(monkeypatch, var_dir) -> Iterator[object]:
    """CREDIT_SMTP_URL for a port chosen by the test; retries without waiting between them."""
    from store.settings import get_settings

    def point_at(port: int) -> None:
        monkeypatch.setenv("CREDIT_SMTP_URL", f"smtp://127.0.0.1:{port}")
        get_settings.cache_clear()

    monkeypatch.setattr("tasks.deliver.SEND_RETRY_DELAY", 0)
    yield point_at
    get_settings.cache_clear()


@pytest.fixture
def alert_inbox() -> Iterator[Inbox]:
    """The operators' alert channel (`credit server setup`'s block) on a server of its own."""
    from prefect_email import EmailServerCredentials

    from cli.alert_mail import CreditAlertMail
    from cli.server import MAIL_BLOCK

    with local_smtp() as (port, inbox):
        credentials = EmailServerCredentials(smtp_server="127.0.0.1", smtp_port=port, smtp_type="INSECURE")
        CreditAlertMail(credentials=credentials, sender="credit@test", to=["ops@test"]).save(MAIL_BLOCK,
                                                                                           overwrite=True)
        try:
            yield inbox
        finally:
            CreditAlertMail.delete(MAIL_BLOCK)


def evaluate(db_url: str, tmp_path: Path, emails: dict[str, str] | None = None) -> None:
    """The worked example, with a contact_email for each institution (as given, else <id>@inst.example)."""
    drop = drop_with_emails(EXAMPLE_DROP, tmp_path / "drop", emails)
    annual_evaluation(drop=str(drop), year=2025, out=str(tmp_path / "eval"), as_of=date(2026, 1, 20),
                      db_url=db_url, by="test")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def evaluations(request, tmp_path_factory) -> Iterator[Templates]:
    """The worked example evaluated once per backend and module for each set of e-mails a test asks for."""
    with ExitStack() as stack:
        yield Templates(request.param, tmp_path_factory, stack)
        Store.close_all()


@pytest.fixture
def evaluated(evaluations, tmp_path, var_dir) -> Iterator[Callable[..., str]]:
    """`evaluated(emails)`: the URL of a copy of the evaluated worked example (`evaluate`), its var/ in var_dir."""
    from store.settings import get_settings

    def build(url: str, folder: Path, emails: dict[str, str] | None) -> None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("CREDIT_VAR_DIR", str(folder / "var"))
            get_settings.cache_clear()
            evaluate(url, folder, emails)
        get_settings.cache_clear()

    with ExitStack() as stack:

        def copy(emails: dict[str, str] | None = None) -> str:
            key = tuple(sorted((emails or {}).items()))
            url, folder = evaluations.get(key, lambda url, folder: build(url, folder, emails))
            shutil.copytree(folder / "var", var_dir, dirs_exist_ok=True)
            return stack.enter_context(store_copy(url, tmp_path))

        yield copy


def deliveries(db_url: str) -> list[tuple[str, int, str, int]]:
    engine = create_engine(db_url)
    with Session(engine) as session:
        rows = session.execute(select(models.ResultNotice.institution_id, models.ResultNotice.result_version,
                                      models.NoticeDelivery.status, models.NoticeDelivery.attempts)
                               .join(models.ResultNotice, models.ResultNotice.id == models.NoticeDelivery.notice_id)
                               .order_by(models.NoticeDelivery.id)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def states(db_url: str) -> set[str]:
    engine = create_engine(db_url)
    with Session(engine) as session:
        found = set(session.scalars(select(models.Result.state).where(models.Result.is_current.is_(True))))
    engine.dispose()
    return found


def attachment(message) -> bytes:
    (part,) = [p for p in message.iter_attachments()]
    assert part.get_content_type() == "application/pdf"
    return part.get_content()


def counts(db_url: str) -> dict[str, int]:
    with Store.open(db_url).unit_of_work(write=False) as uow:
        return notice_counts(uow, 2025)


def test_each_institution_receives_exactly_one_mail_with_its_own_pdf_and_rerunning_sends_nothing(
    evaluated, tmp_path, smtp_env
):
    db_url = evaluated({NO_ADDRESS: ""})
    with local_smtp() as (port, inbox):
        smtp_env(port)
        publicize_flow(year=2025, on=ON, out=str(tmp_path / "pub"), db_url=db_url, by="test")
        mails = inbox.wait(30)
        rated = {m["To"]: m for m in mails}
        assert len(mails) == len(rated) == 13  # 15 evaluated; one not in the registry, one without an address
        for address, mail in rated.items():
            institution = address.split("@")[0].upper()
            assert mail["Subject"].startswith("晋城市生态环境局：2025年度信用风险等级评价结果告知书（晋环信告〔2026〕")
            pdf = tmp_path / "one.pdf"
            pdf.write_bytes(attachment(mail))
            assert institution in flat(pdf_text(pdf))
        assert counts(db_url) == {"notices": 15, "delivered": 13, "failed": 0, "to_post": 2, "not_sent_yet": 0}

        publicize_flow(year=2025, on=ON, out=str(tmp_path / "pub"), db_url=db_url, by="test")
        notices_flow(year=2025, on=ON, db_url=db_url)
        assert len(inbox.raw) == 13  # nothing sent again, the ones to post listed once
        assert sorted(d for d in deliveries(db_url) if d[2] == "post") == [(NO_ADDRESS, 1, "post", 0),
                                                                           (UNREGISTERED, 1, "post", 0)]

        from tasks.objections import AddInput, DecideInput, Filing, Intake, add_objection, decide
        filing, proof = Filing(tmp_path / "evidence", tmp_path / "letters"), tmp_path / "proof.pdf"
        proof.write_bytes(b"%PDF-1.4 evidence")
        rules = rules_for_year(2025)
        store = Store.open(db_url)
        with store.unit_of_work() as uow:
            objection = add_objection(uow, rules, AddInput(Intake(
                year=2025, institution_id=OBJECTED, received_on=date(2026, 2, 24), filer_kind="institution",
                filer_name="山西泽安生态环境技术有限公司", claim="申请复核", evidence=(proof,)),
                                                           Actor("reviewer", datetime.now(UTC), "test"), filing))
        with store.unit_of_work() as uow:
            decided = decide(uow, rules, DecideInput(objection.id, date(2026, 3, 2), "upheld", "签字人授权记录已补正",
                                                     Actor("reviewer", datetime.now(UTC), "test"), filing,
                                                     set_aside=(("YW-04", "A2025000000096"),)))
        assert decided.new_version == 2
        notify_institutions(store, rules, 2025, date(2026, 3, 2))  # the call `credit objection decide` makes
        assert len(inbox.raw) == 14
        newest = inbox.messages[-1]
        assert newest["To"] == f"{OBJECTED.lower()}@inst.example"
        pdf = tmp_path / "v2.pdf"
        pdf.write_bytes(attachment(newest))
        text = flat(pdf_text(pdf))
        assert "83.5分" in text and "已变更" in text
        assert (Path(str(tmp_path / "var" / "notices" / "2025" / OBJECTED / "2.pdf"))).is_file()


def test_a_refusing_server_is_retried_recorded_as_failed_and_alerted_and_the_publicity_still_starts(
    evaluated, tmp_path, smtp_env, alert_inbox
):
    from aiosmtpd.controller import Controller

    db_url = evaluated()
    refusing, port = Refusing(), free_port()
    controller = Controller(refusing, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp_env(port)
        window = publicize_flow(year=2025, on=ON, out=str(tmp_path / "pub"), db_url=db_url, by="test")
    finally:
        controller.stop()
    assert window["last_day"] == "2026-02-28" and states(db_url) == {"in_publicity"}
    from tasks.deliver import SEND_RETRIES
    assert refusing.tries == 14 * (SEND_RETRIES + 1) and refusing.raw == []
    outcomes = {(status, attempts) for _, _, status, attempts in deliveries(db_url)}
    assert outcomes == {("failed", SEND_RETRIES + 1), ("post", 0)}
    assert counts(db_url)["failed"] == 14
    (alert,) = alert_inbox.wait(30)
    assert "14份评价结果告知书邮件发送失败" in alert["Subject"]

    with local_smtp() as (good, inbox):  # the server is back: the next run delivers what failed
        smtp_env(good)
        notices_flow(year=2025, on=ON, db_url=db_url)
        assert len(inbox.wait(30)) == 14
    assert counts(db_url) == {"notices": 15, "delivered": 14, "failed": 0, "to_post": 1, "not_sent_yet": 0}


def test_with_delivery_off_every_notice_is_written_and_listed_for_the_post(evaluated, tmp_path, var_dir):
    db_url = evaluated()
    publicize_flow(year=2025, on=ON, out=str(tmp_path / "pub"), db_url=db_url, by="test")
    assert counts(db_url) == {"notices": 15, "delivered": 0, "failed": 0, "to_post": 15, "not_sent_yet": 0}
    assert len(list((var_dir / "notices" / "2025").glob("*/1.pdf"))) == 15
