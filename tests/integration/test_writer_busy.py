"""A second writer waits for the first, for a bounded time; then it gives up, naming who holds the store.

The lock is held here, in the test process, by an open writing unit of work; the second writer is a real
`credit` process with a one-second CREDIT_LOCK_TIMEOUT, or a unit of work on another thread.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.uow import Store, WriterBusyError
from tests.support.databases import postgres_schema
from tests.support.suite_env import SUITE_ENVIRONMENT

CREDIT = Path(sys.executable).with_name("credit")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'credit.db'}"
        yield url
        Store.close(url)
        return
    with postgres_schema() as url:
        yield url


def holding(store: Store, released: threading.Event, held: threading.Event) -> None:
    with store.unit_of_work():
        held.set()
        released.wait(timeout=60)


@pytest.fixture
def held_store(store_url) -> Iterator[Store]:
    """The store with its writer lock held by another thread of this process until the test ends."""
    store = Store.open(store_url, run="年度评价 (test holder)")
    released, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=holding, args=(store, released, held))
    holder.start()
    assert held.wait(timeout=30)
    try:
        yield store
    finally:
        released.set()
        holder.join(timeout=30)


def test_a_second_writer_gives_up_after_its_timeout_naming_the_holder_and_since_when(held_store):
    held_store.lock_timeout = 1
    with pytest.raises(WriterBusyError) as refused, held_store.unit_of_work():
        pytest.fail("the second writer got the lock while the first held it")
    message = str(refused.value)
    assert "年度评价 (test holder)" in message and "UTC 起" in message and "等待 1 秒" in message


def test_a_reader_does_not_wait_for_the_writer(held_store):
    held_store.lock_timeout = 1
    with held_store.unit_of_work(write=False) as uow:
        assert uow.audit.entries() == []


def test_a_command_that_cannot_get_the_lock_exits_1_with_the_message_and_no_traceback(held_store, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "PREFECT_"))}
    env |= {**SUITE_ENVIRONMENT, "CREDIT_LOCK_TIMEOUT": "1", "CREDIT_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [str(CREDIT), "inspectors", "import", "--file", str(_roster(tmp_path)), "--db", held_store.engine.url.render_as_string(hide_password=False)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "年度评价 (test holder)" in done.stderr and "Traceback" not in done.stderr


def _roster(folder: Path) -> Path:
    path = folder / "roster.csv"
    path.write_text("inspector_id,name,unit,county\nJC001,张三,市局执法支队,城区\n", encoding="utf-8")
    return path
