"""Benchmark: what a `credit` command costs as a whole process, before its work (issue 14).

    python bench/latency.py            # also run first by bench/run.py

Interactive commands (`--help`, `workdays years`, `cycle status`) are timed as the median of 5 runs after
one warm-up. A flow command's fixed cost is `credit site build` on a small store: the median of 3 in
Prefect's ephemeral mode (the migrated `<var>/prefect` reused), then of 3 attached to the server of
`credit server start`. The store is made once by `credit evaluate` on the bundled sample drop, against
that server. Issue 14's acceptance: `credit evaluate` of a 30 x 500 drop (bench/generate.py, seed 7) into a
store of its own, the median of 3 after a warm-up in each mode, minus a bare `import great_expectations`
(median of 3): under 6 s in ephemeral mode, under 3 s attached. Everything lives in bench/out/commands/
(CREDIT_VAR_DIR, SQLite stores); the server is stopped at the end. Each run's wall time is read around the
child, its peak RSS from `os.wait4`.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "out" / "commands"
SCRIPT = Path(sys.executable).parent / "credit"  # the console script, as an officer runs it
CREDIT = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "from cli.main import main; main()"]
YEAR, AS_OF = "2025", "2026-01-20"
CITY = ["--institutions", "30", "--activities", "500", "--seed", "7"]  # bench/run.py's city scale
EVALUATE_CITY = "credit evaluate (30 × 500 drop)"
GX_IMPORT = "python -c 'import great_expectations'"
TARGETS = {"ephemeral": 6.0, "server": 3.0}  # issue 14: evaluate minus the GX import, seconds


@dataclass
class Timing:
    """Median and spread of a command's wall seconds, and its largest peak RSS."""

    what: str
    mode: str
    runs: list[float]
    rss_mb: float
    status: str = "ok"

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit code of one run of `args`, output thrown away."""
    t0 = time.perf_counter()
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - t0
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.stderr.write(error.decode(errors="replace")[-2000:])
    return seconds, usage.ru_maxrss / 1024, process.returncode


def timed(what: str, mode: str, args: list[str], env: dict[str, str], runs: int, warmup: int = 1) -> Timing:
    """`runs` counted runs after `warmup` ones; a failing run marks the row failed."""
    walls, peaks = [], []
    for i in range(warmup + runs):
        seconds, rss, code = run_once(args, env)
        if code:
            return Timing(what, mode, walls, max(peaks, default=rss), f"failed: exit {code}")
        if i >= warmup:
            walls.append(seconds)
            peaks.append(rss)
    return Timing(what, mode, walls, max(peaks))


def environment(work: Path) -> dict[str, str]:
    """The commands' environment: a var folder and store of their own, no operator's Prefect server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "CREDIT_CONFIG"}
    env.update(CREDIT_VAR_DIR=str(work / "var"), CREDIT_DB_URL=f"sqlite:///{work / 'var' / 'credit.db'}")
    return env


def city_drop(work: Path) -> Path:
    """The 30 x 500 drop of bench/generate.py (seed 7), made afresh (about 2 s)."""
    drop = work / "city-drop"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--out", str(drop), "--year", YEAR, *CITY],
                   cwd=ROOT, check=True, capture_output=True)
    return drop


def measure(runs: int = 5, flow_runs: int = 3) -> list[Timing]:
    """The table's rows: interactive commands, then the flow commands in each mode."""
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "var").mkdir(parents=True)
    env = environment(WORK)
    city_env = env | {"CREDIT_DB_URL": f"sqlite:///{WORK / 'var' / 'city.db'}"}  # its own store: cycle status reads the sample's
    site = [*CREDIT, "site", "build", "--out", str(WORK / "site"), "--as-of", AS_OF]
    city = [*CREDIT, "evaluate", "--drop", str(city_drop(WORK)), "--year", YEAR, "--as-of", AS_OF,
            "--out", str(WORK / "city-evaluation")]
    rows = [
        timed("credit --help", "-", [*CREDIT, "--help"], env, runs),
        timed("credit workdays years", "-", [*CREDIT, "workdays", "years"], env, runs),
        timed("python -c pass (floor)", "-", [sys.executable, "-c", "pass"], env, runs),
        timed(GX_IMPORT, "-", [sys.executable, "-c", "import great_expectations"], env, flow_runs),
        # the warm-up migrates a fresh PREFECT_HOME (about 19 s); the counted runs reuse it
        timed("credit site build", "ephemeral", site, env, flow_runs),
        timed(EVALUATE_CITY, "ephemeral", city, city_env, flow_runs),  # the warm-up migrates its store
    ]
    started = subprocess.run([*CREDIT, "server", "start", "--no-ui"], env=env, cwd=ROOT, capture_output=True,
                             text=True)
    if started.returncode:
        rows.append(Timing("credit server start", "server", [], 0.0, f"failed: {started.stderr.strip()[-300:]}"))
        return rows
    try:
        seconds, rss, code = run_once([*CREDIT, "evaluate", "--drop", str(ROOT / "data" / "sample-drop"),
                                       "--year", YEAR, "--as-of", AS_OF, "--out", str(WORK / "evaluation")], env)
        rows.append(Timing("credit evaluate (sample drop, once)", "server", [seconds], rss,
                           "ok" if code == 0 else f"failed: exit {code}"))
        rows.append(timed("credit site build", "server", site, env, flow_runs))
        rows.append(timed(EVALUATE_CITY, "server", city, city_env, flow_runs))
        rows.append(timed("credit cycle status", "-", [*CREDIT, "cycle", "status", "--year", YEAR, "--as-of",
                                                        AS_OF], env, runs))
    finally:
        subprocess.run([*CREDIT, "server", "stop"], env=env, cwd=ROOT, capture_output=True)
    return rows


def print_table(rows: list[Timing]) -> None:
    print("\n== commands: whole-process wall seconds (median of the counted runs; min–max), peak RSS")
    print(f"{'command':<38}{'mode':<11}{'median s':>9}{'min–max s':>15}{'runs':>6}{'RSS MB':>8}  status")
    for row in rows:
        spread = f"{min(row.runs):.2f}–{max(row.runs):.2f}" if row.runs else ""
        median = f"{row.median:.2f}" if row.runs else ""
        print(f"{row.what:<38}{row.mode:<11}{median:>9}{spread:>15}{len(row.runs):>6}{row.rss_mb:>8.0f}  {row.status}")
    by = {(r.what, r.mode): r for r in rows if r.runs and r.status == "ok"}
    eph, srv = by.get(("credit site build", "ephemeral")), by.get(("credit site build", "server"))
    if eph and srv:
        print(f"Prefect's start-up per flow command: ephemeral − server = {eph.median - srv.median:.1f} s")
    gx = by.get((GX_IMPORT, "-"))
    for mode, target in TARGETS.items():
        evaluate = by.get((EVALUATE_CITY, mode))
        if gx and evaluate:
            left = evaluate.median - gx.median
            print(f"{EVALUATE_CITY}, {mode}: total {evaluate.median:.2f} s − GX import {gx.median:.2f} s = "
                  f"{left:.2f} s (issue 14: under {target:.0f} s: {'met' if left < target else 'not met'})")


def main() -> int:
    rows = measure()
    print_table(rows)
    return 0 if all(r.status == "ok" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
