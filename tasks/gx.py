"""Great Expectations, imported without the modules only its unused expectations need (issue 14).

`import great_expectations` loads every expectation class, and three of them (the KL-divergence expectation
and the two KS-test metrics) import scipy.stats at module level: about 1 s of a command's 2 s GX import, for
statistics no suite of this project asks for. scipy.stats is registered here as a lazy module (the standard
library's importlib.util.LazyLoader): the name is bound, and the module's code runs the first time anything
reads an attribute of it. An expectation that does use it still works, it only pays the import then.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

# Imported at module level by expectations the suites never use. (altair, imported beside it, is read while GX
# loads, so deferring it saves nothing.)
LAZY = ("scipy.stats",)


def import_gx() -> ModuleType:
    """`great_expectations`, with LAZY deferred; the same module object on every call."""
    if "great_expectations" not in sys.modules:
        for name in LAZY:
            defer(name)
    import great_expectations

    return great_expectations


def defer(name: str) -> None:
    """Register `name` as a module that runs its code on first use; nothing if it is loaded or not installed."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)  # imports the parent package (scipy's own __init__ is small)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
