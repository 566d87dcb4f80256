"""Benchmark: generate drops at three scales and time each step of the annual evaluation on them.

    python bench/run.py                      # commands, the calendar, then city, province, national
    python bench/run.py --scales city,province
    python bench/run.py --no-commands --scales none

First the commands' own cost (bench/latency.py): `--help`, `workdays years`, `cycle status` (median
of 5) and a flow command's fixed cost in ephemeral mode and against `credit server start`'s server.
Then the working-day count on 5 million dates is timed against its budget (bench/workdays.py; exit
code 1 when over it).

Drops are cached in bench/out/<scale>/drop (regenerated when missing or made with other parameters);
generation is timed apart and is not part of the pipeline total. Each scale is evaluated in a fresh
subprocess, so the peak RSS of one scale does not leak into the next. The steps are the plain
functions behind the flow's Prefect tasks, called through `run_steps`.

Each scale's yardstick is the pyarrow parse floor of its drop, measured in the same run: every
contract CSV of the drop read by `pyarrow.csv.read_csv` (default options) in a fresh subprocess, its
wall time, CPU time and peak RSS. Every step and the total are printed as a ratio to its wall time and
to its CPU time (issue 14 item 5).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SCALES: dict[str, tuple[int, int]] = {  # name → (institutions, activities per institution)
    "city": (30, 500),
    "province": (500, 500),
    "national": (10_000, 500),
}
SEED = 7
YEAR = 2025


@dataclass
class Step:
    """One timed step: wall seconds, peak RSS of the process after it, and what happened."""

    step: str
    seconds: float | None
    rss_mb: float | None
    status: str  # "ok", "not available: …", "failed: …", "skipped: …"
    cpu_seconds: float | None = None  # the process's CPU time in the step: wall time without the load of others


@dataclass
class Floor:
    """The pyarrow parse floor of one drop: every contract CSV read by pyarrow.csv, nothing else."""

    seconds: float
    rss_mb: float
    rows: int
    cpu_seconds: float | None = None


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_steps(drop_dir: Path, out_dir: Path, year: int, as_of: date) -> list[Step]:
    """Run pull → validate → score → save → render on one drop, timing each step.

    The only place the benchmark touches the pipeline. Imports are lazy and per step: a piece that is
    not there yet reports "not available" and the steps that need its output are skipped.
    """
    drop_dir, out_dir = Path(drop_dir), Path(out_dir)
    state: dict[str, Any] = {}
    steps: list[Step] = []

    def pull() -> None:
        from credit.rules import rules_for_year
        from tasks.drop_io import read_drop, write_snapshot

        state["rules"] = rules_for_year(year)  # the rules in force for the period, as the flow resolves them
        state["drop"] = read_drop(drop_dir)
        state["snapshot_path"] = write_snapshot(state["drop"], out_dir / "var")

    def validate() -> None:
        from tasks.validate import validate

        state["validated"] = validate(state["drop"], state["rules"], out_dir / "outputs" / "validation" / "data-docs")

    def score_step() -> None:
        from tasks.score import score_validated

        state["scored"] = score_validated(state["validated"], state["rules"], as_of)

    def save() -> None:
        from datetime import UTC, datetime

        from store.uow import Store
        from tasks.save import SaveInput, save_step

        store = Store.open(f"sqlite:///{out_dir / 'var' / 'credit.db'}")
        given = SaveInput(as_of=as_of, drop=state["drop"], snapshot_path=state["snapshot_path"],
                          validated=state["validated"], scored=state["scored"], by="bench",
                          at=datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC))
        state["saved"] = save_step(store, state["rules"], given)

    def render() -> None:
        from tasks.render import render_outputs

        render_outputs(out_dir / "outputs", drop=state["drop"], validated=state["validated"], scored=state["scored"],
                       rules=state["rules"], as_of=as_of)

    plan: list[tuple[str, Callable[[], None], tuple[str, ...]]] = [
        ("pull", pull, ()),
        ("validate", validate, ("pull",)),
        ("score", score_step, ("validate",)),
        ("save", save, ("score",)),
        ("render", render, ("score",)),
    ]
    done: set[str] = set()
    for name, fn, needs in plan:
        missing = [n for n in needs if n not in done]
        if missing:
            steps.append(Step(name, None, None, f"skipped: needs {', '.join(missing)}"))
            continue
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            fn()
        except ImportError as exc:  # the piece is not written yet (or not importable)
            steps.append(Step(name, None, _peak_rss_mb(), f"not available: {exc}"))
            continue
        except Exception as exc:  # noqa: BLE001 - a benchmark reports a failing step and goes on
            traceback.print_exc(file=sys.stderr)
            steps.append(Step(name, time.perf_counter() - t0, _peak_rss_mb(), f"failed: {type(exc).__name__}: {exc}",
                              time.process_time() - c0))
            continue
        steps.append(Step(name, time.perf_counter() - t0, _peak_rss_mb(), "ok", time.process_time() - c0))
        done.add(name)
    if "scored" in state:
        results = state["scored"].results
        rated = results[results["status"] == "rated"]
        counts = rated["grade"].value_counts().sort_index()
        state["grades"] = {str(k): int(v) for k, v in counts.items()}
        steps.append(Step("grades " + json.dumps(state["grades"]), None, None, "info"))
    return steps


def parse_floor(drop_dir: Path) -> Floor:
    """Read every contract CSV of the drop with pyarrow.csv (tables kept, as a pull keeps them), timed."""
    import pyarrow.csv as pa_csv

    from credit.contract import TABLES

    paths = [Path(drop_dir) / t.file_name for t in TABLES.values() if (Path(drop_dir) / t.file_name).is_file()]
    t0, c0 = time.perf_counter(), time.process_time()
    tables = [pa_csv.read_csv(path) for path in paths]
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return Floor(seconds, _peak_rss_mb(), sum(t.num_rows for t in tables), cpu)


# --------------------------------------------------------------------------------------------------
def _ensure_drop(scale: str, seed: int, year: int) -> tuple[Path, float | None]:
    """The cached drop of a scale, generated (in a subprocess, timed) when missing or made otherwise."""
    institutions, activities = SCALES[scale]
    drop = OUT / scale / "drop"
    generator = hashlib.sha256((ROOT / "bench" / "generate.py").read_bytes()).hexdigest()[:16]
    params = {"year": year, "institutions": institutions, "activities": activities, "seed": seed,
              "generator": generator}  # a changed generator makes a new drop
    marker = drop / ".params.json"
    if marker.exists() and json.loads(marker.read_text()) == params and (drop / "activities.csv").exists():
        return drop, None
    shutil.rmtree(drop, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--out", str(drop), "--year", str(year),
         "--institutions", str(institutions), "--activities", str(activities), "--seed", str(seed)],
        check=True, stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - t0
    marker.write_text(json.dumps(params))
    return drop, elapsed


def _evaluate_in_subprocess(scale: str, drop: Path, year: int, as_of: date) -> list[Step]:
    work = OUT / scale / "run"
    shutil.rmtree(work, ignore_errors=True)  # a fresh store: the save is timed, not skipped as unchanged
    work.mkdir(parents=True)
    env = {**os.environ, "CREDIT_VAR_DIR": str(work / "var"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--evaluate", str(drop), "--work", str(work),
         "--year", str(year), "--as-of", as_of.isoformat()],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    (work / "stderr.log").write_text(proc.stderr)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        return [Step("evaluate", None, None, f"failed: exit {proc.returncode}: {tail}")]
    return [Step(**s) for s in json.loads(lines[-1])["steps"]]


def _floor_in_subprocess(drop: Path) -> Floor | None:
    """The parse floor of a drop in a fresh interpreter (its imports not timed); None when it fails."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--floor", str(drop)],
                          capture_output=True, text=True, cwd=ROOT)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"parse floor: failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return Floor(**json.loads(lines[-1]))


def _secs(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.2f}"


def _ratio(seconds: float | None, floor_seconds: float | None) -> str:
    return "" if seconds is None or not floor_seconds else f"{seconds / floor_seconds:.2f}"


def _print_table(scale: str, gen_seconds: float | None, steps: list[Step], floor: Floor | None) -> None:
    institutions, activities = SCALES[scale]
    print(f"\n== {scale}: {institutions:,} institutions × {activities} activities = "
          f"{institutions * activities:,} activity rows")
    print("generation: " + ("cached" if gen_seconds is None else f"{gen_seconds:.1f} s (not in the total)"))
    print(f"{'step':<10}{'wall s':>10}{'cpu s':>10}{'peak RSS MB':>14}{'× floor':>10}{'cpu ×':>8}  status")
    wall_floor, cpu_floor = (None, None) if floor is None else (floor.seconds, floor.cpu_seconds)
    if floor is not None:
        print(f"{'floor':<10}{floor.seconds:>10.2f}{_secs(floor.cpu_seconds):>10}{floor.rss_mb:>14.0f}{1:>10.2f}"
              f"{1:>8.2f}  pyarrow.csv.read_csv of every CSV ({floor.rows:,} rows)")
    total = cpu = 0.0
    for s in steps:
        if s.status == "info":
            print(f"  {s.step}")
            continue
        total += s.seconds or 0.0
        cpu += s.cpu_seconds or 0.0
        rss = "" if s.rss_mb is None else f"{s.rss_mb:.0f}"
        print(f"{s.step:<10}{_secs(s.seconds):>10}{_secs(s.cpu_seconds):>10}{rss:>14}{_ratio(s.seconds, wall_floor):>10}"
              f"{_ratio(s.cpu_seconds, cpu_floor):>8}  {s.status}")
    peak = max((s.rss_mb for s in steps if s.rss_mb is not None), default=None)
    print(f"{'total':<10}{total:>10.2f}{cpu:>10.2f}{'' if peak is None else f'{peak:.0f}':>14}"
          f"{_ratio(total, wall_floor):>10}{_ratio(cpu, cpu_floor):>8}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="city,province,national",
                        help="comma-separated: " + ",".join(SCALES) + " (or none)")
    parser.add_argument("--no-commands", action="store_true", help="skip the commands' latency (bench/latency.py)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--year", type=int, default=YEAR)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="default: 20 January of year+1")
    parser.add_argument("--evaluate", type=Path, help=argparse.SUPPRESS)  # child mode: one drop
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # child mode: one drop's parse floor
    args = parser.parse_args(argv)
    as_of = args.as_of or date(args.year + 1, 1, 20)

    if args.floor:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(asdict(parse_floor(args.floor))))
        return 0

    if args.evaluate:
        sys.path.insert(0, str(ROOT))
        steps = run_steps(args.evaluate, args.work, args.year, as_of)
        print(json.dumps({"steps": [asdict(s) for s in steps]}, ensure_ascii=False))
        return 0

    scales = [s.strip() for s in args.scales.split(",") if s.strip() and s.strip() != "none"]
    unknown = [s for s in scales if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale {', '.join(unknown)}; choose from {', '.join(SCALES)}")
    commands_ok = args.no_commands or _time_commands()
    calendar_ok = _time_calendar()
    for scale in scales:
        drop, gen_seconds = _ensure_drop(scale, args.seed, args.year)
        floor = _floor_in_subprocess(drop)  # first: the drop's pages are then as warm for the steps as for it
        steps = _evaluate_in_subprocess(scale, drop, args.year, as_of)
        _print_table(scale, gen_seconds, steps, floor)
    return 0 if calendar_ok and commands_ok else 1


def _time_commands() -> bool:
    """The commands' latency table (bench/latency.py), in a subprocess like the scales."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "latency.py")], text=True, cwd=ROOT,
                          stdout=subprocess.PIPE)
    print(proc.stdout.rstrip())
    return proc.returncode == 0


def _time_calendar() -> bool:
    """The working-day count on 5 million dates (bench/workdays.py), in a subprocess like the scales."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "workdays.py")], capture_output=True, text=True,
                          cwd=ROOT)
    print(proc.stdout.strip() or f"calendar: failed: {proc.stderr.strip().splitlines()[-1:]}")
    return proc.returncode == 0


if __name__ == "__main__":
    raise SystemExit(main())
