"""tasks/gx.py: Great Expectations is imported with scipy.stats deferred, and they still work when used.

Each case runs in a fresh interpreter: whether a module has run its code is a property of the process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from tasks.gx import LAZY, import_gx
gx = import_gx()
deferred = {name: type(sys.modules[name]).__name__ for name in LAZY}
from scipy import stats
entropy = float(stats.entropy([0.5, 0.5], [0.9, 0.1]))  # the first attribute read runs scipy.stats
print(json.dumps({"suite": type(gx.ExpectationSuite(name="probe")).__name__, "deferred": deferred,
                  "entropy": entropy, "after": type(sys.modules["scipy.stats"]).__name__}))
"""


def _probe(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_gx_loads_with_scipy_stats_not_yet_run():
    seen = _probe(PROBE)
    assert seen["suite"] == "ExpectationSuite"
    assert seen["deferred"] == {"scipy.stats": "_LazyModule"}


def test_a_deferred_module_runs_on_first_use_and_gives_its_real_results():
    seen = _probe(PROBE)
    assert abs(seen["entropy"] - 0.5108256237659906) < 1e-12  # KL(0.5,0.5 || 0.9,0.1) in nats
    assert seen["after"] == "module"


def test_a_module_already_loaded_is_left_as_it_is():
    code = "import scipy.stats\n" + PROBE
    assert _probe(code)["deferred"]["scipy.stats"] == "module"
