"""Validate a drop with the Great Expectations suites in expectations/, quarantining bad rows (INDEX_SYSTEM.md "Bad rows").

great_expectations is imported inside `validate_drop` only: importing it costs 5–7 s, and the CLI and
flows import this module.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from credit import checks
from credit.contract import STORE_TABLES, TABLES, Table
from credit.reasons import reason_zh
from tasks.data_docs import escaped_result, internal_columns, make_offline
from tasks.gx import import_gx
from tasks.reporting import run_logger

if TYPE_CHECKING:
    from tasks.drop_io import Drop

SUITES_DIR = Path(__file__).resolve().parent.parent / "expectations"
REPORT_NAME = "report.html"  # written beside the Data Docs folder: validation/report.html
DOCS_SITE = "credit_validation"  # the ephemeral context already has `local_site`
PARTIAL_UNEXPECTED = 20  # keeps Data Docs pages small; the complete index lists are still returned
RESULT_FORMAT = {"result_format": "COMPLETE", "partial_unexpected_count": PARTIAL_UNEXPECTED}
COUNTS_ONLY = {"result_format": "BASIC", "partial_unexpected_count": PARTIAL_UNEXPECTED}  # no row lists
# The registry is validated first: activities and events are checked against its accepted ids.
# Events recorded in the store (STORE_TABLES) come after the drop's tables and are merged into credit_events.
ALL_TABLES = {**TABLES, **STORE_TABLES}
ORDER = ("institutions", *(name for name in ALL_TABLES if name != "institutions"))
DUPLICATE_RECORDED = "event id already in the drop's credit_events: the drop's row is used"


@dataclass(frozen=True)
class Validated:
    """Accepted rows per table, typed, plus what was quarantined or warned about and the counts."""

    tables: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame  # table, file, row, column, value, reason
    warnings: pd.DataFrame  # file, row, key, column, reason
    counts: pd.DataFrame  # table, file, read, accepted, quarantined


class ValidationRunError(RuntimeError):
    """Great Expectations failed to compute an expectation: an error of the run, never bad rows."""


def load_suite(name: str) -> dict[str, Any]:
    """The hand-written suite of one input table, as JSON."""
    return json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def suite_parameters(
    table: Table, *, event_indicators: Iterable[str], auto_indicators: Iterable[str], counties: Iterable[str],
    clauses: Iterable[int | str],
) -> dict[str, list[str]]:
    """Values for the suites' `$PARAMETER`s: the contract's columns and enums, the index system, the bureau.

    `clauses` are the 第十七条 clause numbers of the index system (rules.clauses), as a credit event names them.
    """
    params = {
        "required_columns": list(checks.checked_columns(table)),
        "counties": list(counties),
        "event_indicators": sorted(event_indicators),
        "auto_indicators": sorted(auto_indicators),
        "clauses": [str(c) for c in sorted(int(c) for c in clauses)],
    }
    for column, values in table.enums.items():
        params[f"enum_{column}"] = list(values)
    return params


def validate_drop(
    drop: Drop,
    *,
    event_indicators: set[str],
    auto_indicators: set[str],
    counties: list[str],
    docs_dir: Path | None = None,
    clauses: Iterable[int | str] | None = None,
) -> Validated:
    """Validate each table with its suite (`_run`); quarantine rows on the first failing check, warn on kept rows.

    `clauses` are the index system's 第十七条 clauses (rules.clauses); when not given, those of rules/index/.
    """
    clauses = _clauses_in_rules() if clauses is None else list(clauses)
    context = _context(docs_dir)
    source = context.data_sources.add_pandas("drop")
    documented: list[tuple[Any, Any]] = []  # (suite, result) per table, rendered once at the end

    accepted: dict[str, pd.DataFrame] = {}
    quarantines: list[pd.DataFrame] = []
    warnings: list[pd.DataFrame] = []
    counts: list[dict[str, object]] = []
    registry: set[str] = set()
    renames: dict[str, dict[str, str]] = {}  # suite → its check columns' input columns
    for name in ORDER:
        raw = drop.tables.get(name)
        if raw is None:
            continue
        table = ALL_TABLES[name]
        frame = raw.frame
        if not frame.index.is_unique:
            raise ValueError(f"{raw.source}: row numbers are not unique")
        _require_columns(raw.source, table, frame)
        started = time.perf_counter()
        check = checks.check_frame(table, frame, registry=registry)
        derived = time.perf_counter()
        suite_json = {**load_suite(table.kind), "name": name}  # one suite per table in the context
        suite = _suite(suite_json)
        renames[name] = internal_columns(suite_json)
        if len(suite.expectations) != len(suite_json["expectations"]):
            raise ValidationRunError(f"expectations/{name}.json: an expectation did not load")
        params = suite_parameters(
            table, event_indicators=event_indicators, auto_indicators=auto_indicators, counties=counties,
            clauses=clauses,
        )
        result = _run(source, name, suite, check, params)
        validated = time.perf_counter()
        if docs_dir is not None:
            documented.append((suite, result))
        failures = _failures(raw.source, table, suite_json, result)
        kept, quarantined, warned = checks.settle(table, raw.source, frame, failures)
        # Taking rows copies every text column: skip it when nothing was quarantined (the usual case).
        accepted[name] = checks.typed(table, frame if len(kept) == len(frame) else frame.loc[kept])
        log = run_logger(__name__)  # the run's own lines reach Prefect's API (tasks/reporting.py)
        log.info("%s：读取 %d 行，接受 %d 行，隔离 %d 行", raw.source, len(frame), len(kept), len(quarantined))
        log.debug(
            "%s: %d rows; checks %.1f s, GX %.1f s, settle and types %.1f s",
            raw.source, len(frame), derived - started, validated - derived, time.perf_counter() - validated,
        )  # fmt: skip
        quarantines.append(quarantined)
        warnings.append(warned)
        counts.append(
            {
                "table": name,
                "file": raw.source,
                "read": len(frame),
                "accepted": len(kept),
                "quarantined": len(quarantined),
            }
        )
        if name == "institutions":
            registry = set(accepted[name]["institution_id"].dropna())
    warnings.append(_merge_recorded(accepted, drop))
    outcome = Validated(
        tables=accepted,
        quarantine=_concat(quarantines, checks.quarantine_frame()),
        warnings=_concat(warnings, checks.warnings_frame()),
        counts=checks.counts_frame(counts),
    )
    if docs_dir is not None:
        _build_docs(context, documented)
        make_offline(docs_dir, renames)
        write_report(outcome, docs_dir.parent / REPORT_NAME, snapshot=drop.snapshot)
    return outcome


def write_report(validated: Validated, path: Path, *, snapshot: str = "") -> None:
    """validation/report.html beside the Data Docs: the Chinese page that opens anywhere (issue 12 item 6)."""
    from reports.validation import render_validation_report_html

    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_validation_report_html(validated.counts, validated.quarantine, validated.warnings, snapshot=snapshot)
    path.write_text(html, encoding="utf-8")


def _clauses_in_rules() -> list[int]:
    """第十七条 clauses of every index system in rules/index/: the fallback until every caller passes rules.clauses."""
    from credit.indexsystem import RULES_DIR, load_index_system

    found: set[int] = set()
    for path in sorted((Path(RULES_DIR) / "index").glob("*.yaml")):
        found |= set(load_index_system(path.stem).clauses)
    return sorted(found)


def _context(docs_dir: Path | None) -> Any:
    """One ephemeral GX context for the whole drop, progress bars off, with our Data Docs site when wanted."""
    gx = import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX sets this module's logger to INFO on import: its "Created temporary directory … for ephemeral docs site"
    # would reach the officer's terminal in English; the context's own temporary docs site is never used here.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def _suite(suite_json: dict[str, Any]) -> Any:
    """A GX suite from its hand-written JSON."""
    return import_gx().ExpectationSuite(**suite_json)


def _run(source: Any, name: str, suite: Any, frame: pd.DataFrame, params: dict) -> Any:
    """Validate the whole suite in one run for counts only, then the failing expectations for their rows.

    Most expectations pass: without the complete row lists GX does about a quarter less work per expectation
    (Data Docs still show each one's counts), and every failing row is asked for only where a check fails.
    Validator rather than Batch.validate or ValidationDefinition.run: Batch.validate loads the frame twice;
    ValidationDefinition.run also serialises the complete result into the results store, minutes when a
    million rows fail one check.
    """
    batch_definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole")
    outcome = _validate(batch_definition, suite, frame, params, COUNTS_ONLY)
    failed = {_check(item) for item in outcome.results if not item.success}
    if not failed:
        return outcome
    failing = [e.configuration for e in suite.expectations if (e.meta or {}).get("check") in failed]
    rows = _validate(batch_definition, _suite({"name": suite.name, "expectations": failing}), frame, params,
                     RESULT_FORMAT)
    complete = {_check(item): item for item in rows.results}
    outcome.results = [complete.get(_check(item), item) for item in outcome.results]
    return outcome


def _validate(batch_definition: Any, suite: Any, frame: pd.DataFrame, params: dict, result_format: dict) -> Any:
    from great_expectations.validator.v1_validator import Validator

    validator = Validator(
        batch_definition=batch_definition, batch_parameters={"dataframe": frame}, result_format=result_format,
    )
    with _no_fingerprint():
        return validator.validate_expectation_suite(suite, expectation_parameters=params)


def _check(item: Any) -> Any:
    """The suite's name for an expectation (meta.check): results are matched by it."""
    return (item.expectation_config.meta or {}).get("check")


@contextmanager
def _no_fingerprint() -> Iterator[None]:
    """GX hashes every row of a batch under 1 GB only to record a fingerprint among its batch markers.

    At 5 M activities that hash cost more than all the checks; the drop is named by its snapshot hash already.
    tests/integration/test_validation.py keeps the threshold this switches off in sight across GX upgrades.
    """
    from great_expectations.execution_engine import pandas_execution_engine as engine

    saved = engine.HASH_THRESHOLD
    engine.HASH_THRESHOLD = 0  # `memory < 0` never holds: no fingerprint
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = saved


def _build_docs(context: Any, documented: list[tuple[Any, Any]]) -> None:
    """Every table's pages in one site build: each build compiles GX's templates anew.

    Issue 11 item 1: the pages are built from an escaped copy of each result, never from data as markup.
    The meta is what ValidationDefinition.run records, so the pages read as a Checkpoint's would.
    """
    from great_expectations.constants import DATAFRAME_REPLACEMENT_STR
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    run_id = RunIdentifier()  # GX stamps the run with its own clock, as ValidationDefinition.run did
    identifiers: list[Any] = []
    for suite, result in documented:
        context.suites.add(suite)
        page = escaped_result(result)
        page.meta = {**result.meta, "run_id": run_id, "validation_time": run_id.run_time,
                     "batch_parameters": {"dataframe": DATAFRAME_REPLACEMENT_STR}, "checkpoint_id": None}
        suite_id = ExpectationSuiteIdentifier(name=suite.name)
        identifier = ValidationResultIdentifier(
            expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=result.batch_id,
        )
        context.validation_results_store.set(key=identifier, value=page)
        identifiers += [identifier, suite_id]
    context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=identifiers)


def _require_columns(source: str, table: Table, frame: pd.DataFrame) -> None:
    """The reader raises first; this guards frames built elsewhere (a snapshot, a test)."""
    for column in table.columns:
        if column not in frame.columns:
            _raise_structural(source, column, f"missing column {column}")


def _raise_structural(source: str, column: str | None, message: str) -> None:
    from tasks.drop_io import StructuralError

    raise StructuralError(file=source, column=column, message=message)


def _raised(info: object) -> str | None:
    """The exception message in a result's exception_info, when GX raised while computing it."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception")
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "exception")
    return None


def _failures(source: str, table: Table, suite_json: dict, result: Any) -> list[checks.Failure]:
    """The failing rows of each row expectation, in the suite's order (= the fixed check order)."""
    by_check = {(item.expectation_config.meta or {}).get("check"): item for item in result.results}
    specs = suite_json["expectations"]
    # A missing column makes GX fail every expectation on it: report the column set first, as structural.
    for spec in (s for s in specs if s["meta"]["action"] == "structural"):
        item = by_check.get(spec["meta"]["check"])
        if item is not None and not item.success and _raised(item.exception_info) is None:
            seen = set(item.result.get("observed_value") or ())
            missing = [c for c in checks.checked_columns(table) if c not in seen]
            column = missing[0] if missing else None
            _raise_structural(source, column, f"missing column {column}")
    for check, item in by_check.items():
        message = _raised(item.exception_info)
        if message is not None:
            raise ValidationRunError(f"{source}: check {check} could not run: {message}")
    failures: list[checks.Failure] = []
    for spec in specs:
        meta = spec["meta"]
        item = by_check.get(meta["check"])
        if item is None:
            raise ValidationRunError(f"{source}: no result for check {meta['check']}")
        if item.success or meta["action"] == "structural":
            continue
        rows = item.result.get("unexpected_index_list")
        if rows is None:
            raise ValidationRunError(f"{source}: check {meta['check']} failed without row numbers")
        failures.append(checks.Failure(meta["reason"], meta["column"], meta["action"], rows))
    return failures


def _merge_recorded(accepted: dict[str, pd.DataFrame], drop: Drop) -> pd.DataFrame:
    """Recorded events join the drop's credit_events; an id the drop already has keeps the drop's row.

    The drop's row wins because the bureau's own system may export an event the store also recorded;
    the recorded row is then named in a warning, never dropped silently. Merged rows are renumbered
    (their row numbers belong to two sources; quarantine and warnings keep the original ones).
    """
    recorded = accepted.pop("recorded_events", None)
    if recorded is None:
        return checks.warnings_frame()
    events = accepted["credit_events"]
    taken = recorded["event_id"].isin(events["event_id"]).to_numpy(dtype=bool, na_value=False)
    joining = recorded[~taken]
    joining = pd.DataFrame(
        {c: joining[c] if c in joining else pd.Series(pd.NA, index=joining.index).astype(events[c].dtype)
         for c in events.columns}
    )
    accepted["credit_events"] = pd.concat([events, joining], ignore_index=True)
    return pd.DataFrame({
        "file": drop.tables["recorded_events"].source,
        "row": np.asarray(recorded.index[taken], dtype="int64"),
        "key": recorded["event_id"][taken].astype(object).to_numpy(),
        "column": "event_id",
        "reason": DUPLICATE_RECORDED,
        "reason_zh": reason_zh(DUPLICATE_RECORDED),
    }, columns=checks.WARNING_COLUMNS)


def _concat(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else empty
