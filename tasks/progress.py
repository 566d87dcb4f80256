"""Progress lines on stderr for long steps, shown when the console command asks for them."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

_console = Console(stderr=True, highlight=False)


@contextmanager
def step(label: str) -> Iterator[None]:
    """Show `label` with a spinner while the block runs, then its duration (CREDIT_PROGRESS=1)."""
    if os.environ.get("CREDIT_PROGRESS") != "1":
        yield
        return
    started = time.perf_counter()
    with _console.status(f"{label} …"):
        yield
    _console.print(f"[green]✓[/green] {label} ({time.perf_counter() - started:.1f} s)")
