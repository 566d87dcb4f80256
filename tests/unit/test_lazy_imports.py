"""Issue 14 item 1: help and the calendar's commands load neither Prefect, Great Expectations, pandas, pyarrow,
SQLAlchemy nor Alembic. Each command runs in a fresh interpreter, which then prints what it loaded.

No timing here (bench/latency.py measures the cost); this keeps the heavy imports from creeping back in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("prefect", "great_expectations", "pandas", "pyarrow", "sqlalchemy", "alembic")
RUN_AND_LIST = """
import json, sys
from cli.main import main
sys.argv = ["credit", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as stop:
    code = stop.code or 0
else:
    code = 0
print(json.dumps({"code": code, "loaded": sorted({name.split(".")[0] for name in sys.modules})}), file=sys.stderr)
"""
COMMANDS = [
    ["--help"],
    ["workdays", "years"],
    ["workdays", "--help"],
    ["cycle", "--help"],
    ["objection", "--help"],
    ["audit", "--help"],
    ["inspection", "--help"],
    ["complaint", "--help"],
    ["inspectors", "--help"],
    ["evaluate", "--help"],
    ["advance", "--help"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_the_command_loads_none_of_the_heavy_libraries(command: list[str], tmp_path) -> None:
    env = {**os.environ, "CREDIT_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, json.dumps(command)], capture_output=True, text=True,
                          env=env, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stdout + done.stderr
    assert [name for name in HEAVY if name in report["loaded"]] == []
