"""`credit objection add | import | suspend | decide` and `credit serious-event` (第十九条, 第十七条, CLI.md).

The objection commands are single-record actions: each resolves the store and the rules once and calls
its use case (tasks/objections.py) in one unit of work, without Prefect. `decide` stays one of them:
the decision, its corrections, the re-scored version, its new publicity and the reply letter belong
together in one transaction, and a reviewer waits for it at the terminal. `serious-event` runs its flow.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from cli.common import BadInput, ByOption, DbOption, DebugOption, parse_day, run_guarded

objection_app = typer.Typer(help="Written objections to a result (第十九条).", no_args_is_help=True)


def _actor(by: str | None, why: str):
    from store.lifecycle import Actor

    return Actor(by or getpass.getuser(), datetime.now(UTC), why)


def _filing():
    from store.settings import get_settings
    from tasks.objections import Filing

    return Filing.under(get_settings().var_dir)


def _rules(year: int):
    from credit.rules import rules_for_year
    from store.settings import get_settings

    return rules_for_year(year, rules_dir=get_settings().rules_dir)


def _for_objection(db: str | None, objection_id: str):
    """The store, and the rules of the year the objection was filed against."""
    from store.uow import open_store
    from tasks.objections import objection_year

    store = open_store(db, run="objection")
    with store.unit_of_work(write=False) as uow:
        year = objection_year(uow, objection_id)
    return store, _rules(year)


@objection_app.command("add")
def add(
    year: Annotated[int, typer.Option("--year")],
    institution: Annotated[str, typer.Option("--institution", help="统一社会信用代码 of the evaluated institution")],
    received: Annotated[str, typer.Option("--received", help="Date the written objection was received")],
    filer_kind: Annotated[str, typer.Option("--filer-kind", help="institution | public | organisation")],
    filer_name: Annotated[str, typer.Option("--filer-name")],
    claim: Annotated[str, typer.Option("--claim")],
    evidence: Annotated[list[Path] | None, typer.Option("--evidence", help="Supporting file (repeatable)")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """Record a written objection; print its id, admissibility (or why deemed no objection), review deadline."""
    def action() -> None:
        from store.uow import open_store
        from tasks.objections import AddInput, Intake, add_objection

        intake = Intake(year=year, institution_id=institution, received_on=parse_day(received, "--received"),
                        filer_kind=filer_kind, filer_name=filer_name, claim=claim, evidence=tuple(evidence or ()))
        inputs = AddInput(intake, _actor(by, "objection received (第十九条)"), _filing())
        store, rules = open_store(db, run="objection add"), _rules(year)
        with store.unit_of_work() as uow:
            summary = add_objection(uow, rules, inputs)
        _print(summary)

    run_guarded(action, debug)


@objection_app.command("import")
def import_file(
    year: Annotated[int, typer.Option("--year")],
    drop: Annotated[Path, typer.Option("--drop", help="Drop folder holding objections.csv")],
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """Record the written objections of a drop's objections.csv (each once, by objection_id)."""
    def action() -> None:
        from store.uow import open_store
        from tasks.objections import ImportInput, import_objections

        inputs = ImportInput(year, drop, _actor(by, "objections.csv (第十九条)"), _filing())
        store, rules = open_store(db, run="objection import"), _rules(year)
        with store.unit_of_work() as uow:
            report = import_objections(uow, rules, inputs)
        for summary in report.recorded:
            _print(summary)
        for row in report.quarantined:
            typer.echo(f"{row['file']} row {row['row']}, {row['column']}: {row['reason']}", err=True)

    run_guarded(action, debug)


@objection_app.command("suspend")
def suspend(
    objection_id: Annotated[str, typer.Argument(help="Objection id")],
    start: Annotated[str, typer.Option("--from", help="First day of the on-site verification")],
    end: Annotated[str | None, typer.Option("--to", help="Last day (leave out while it goes on)")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """Record an on-site verification interval; an open one stops the review clock."""
    def action() -> None:
        from tasks.objections import SuspendInput
        from tasks.objections import suspend as record

        inputs = SuspendInput(objection_id, parse_day(start, "--from"), parse_day(end, "--to") if end else None,
                              _actor(by, "on-site verification (第十九条)"))
        store, rules = _for_objection(db, objection_id)
        with store.unit_of_work() as uow:
            summary = record(uow, rules, inputs)
        _print(summary)

    run_guarded(action, debug)


@objection_app.command("decide")
def decide(
    objection_id: Annotated[str, typer.Argument(help="Objection id")],
    on: Annotated[str, typer.Option("--on", help="Decision date")],
    decision: Annotated[str, typer.Option("--decision", help="upheld | partly_upheld | rejected")],
    reason: Annotated[str, typer.Option("--reason")],
    withdraw_event: Annotated[list[str] | None, typer.Option("--withdraw-event", help="EVENT_ID")] = None,
    set_aside: Annotated[list[str] | None, typer.Option("--set-aside", help="INDICATOR:EVIDENCE")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """Record the review decision; re-score on corrections; write the reply letter (复核意见告知书)."""
    def action() -> None:
        from tasks.objections import DecideInput
        from tasks.objections import decide as record

        pairs = tuple(_pair(item) for item in set_aside or ())
        inputs = DecideInput(objection_id, parse_day(on, "--on"), decision, reason,
                             _actor(by, f"objection {objection_id} decided (第十九条)"), _filing(),
                             withdraw=tuple(withdraw_event or ()), set_aside=pairs)
        store, rules = _for_objection(db, objection_id)
        with store.unit_of_work() as uow:
            report = record(uow, rules, inputs)
        _print(report.objection)
        typer.echo(f"reply letter: {report.letter}")

    run_guarded(action, debug)


def _pair(item: str) -> tuple[str, str]:
    indicator, sep, evidence = item.partition(":")
    if not sep or not indicator or not evidence:
        raise BadInput(f"--set-aside {item!r}: expected INDICATOR:EVIDENCE, e.g. YW-01:A2025000000120")
    return indicator, evidence


def _print(summary) -> None:
    if summary.admissible:
        review = summary.review_by or "clock stopped (on-site verification open)"
        typer.echo(f"{summary.id}: admissible; review by {review}"
                   + (f"; decision {summary.decision}" if summary.decision else ""))
    else:
        typer.echo(f"{summary.id}: deemed no objection (视为无异议) — {summary.reason}")


def serious_event(
    institution: Annotated[str, typer.Option("--institution", help="统一社会信用代码")],
    clause: Annotated[int, typer.Option("--clause", help="第十七条 clause 1–8")],
    decided: Annotated[str, typer.Option("--decided", help="Date of the judgment, penalty or listing")],
    verified: Annotated[str, typer.Option("--verified", help="Date the bureau verified it")],
    document: Annotated[str, typer.Option("--document", help="Document number")],
    year: Annotated[int | None, typer.Option("--year", help="Cycle (default: the latest)")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """第十七条 in real time: D at once, revocation of a published grade, change publicity."""
    def action() -> None:
        from cli.runtime import no_heartbeat, prepare_prefect

        prepare_prefect()
        from flows.serious_event import serious_event_flow

        with no_heartbeat():
            summary = serious_event_flow(institution=institution, clause=clause,
                                         decided=parse_day(decided, "--decided"),
                                         verified=parse_day(verified, "--verified"), document=document, year=year,
                                         db_url=db, by=by or getpass.getuser())
        if not summary["changed"]:
            typer.echo(f"{institution}: already {summary['grade']} under clause {summary['clause']}; nothing changed")
            return
        revoked = f"; grade {summary['revoked']} revoked" if summary["revoked"] else ""
        typer.echo(f"{institution}: {summary['grade']} (第十七条第{summary['clause']}项), version "
                   f"{summary['version']}{revoked}; change publicity until {summary['publicity_last_day']}")

    run_guarded(action, debug)
