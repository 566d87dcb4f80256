"""Issue 14: `cycle status` reads a snapshot's recorded events without pandas, and reads what pandas reads."""

from __future__ import annotations

import pandas as pd

from credit.supervision import EVENT_COLUMNS
from tasks import drop_io
from tasks.drop_io import read_drop, read_snapshot_table, with_recorded_events, write_snapshot
from tasks.recorded import SNAPSHOT_FORMAT, as_row, snapshot_event_rows
from tests.support.paths import EXAMPLE_DROP


def events() -> pd.DataFrame:
    row = dict.fromkeys(EVENT_COLUMNS, "")
    row |= {"event_id": "CMP-2025-1", "institution_id": "911405022914177767", "date": "2025-08-01"}
    other = row | {"event_id": "CMP-2025-2", "institution_id": "91140525317066907X"}
    return pd.DataFrame([row, other], columns=list(EVENT_COLUMNS), dtype="string")


def test_the_snapshot_format_is_the_one_tasks_drop_io_writes():
    assert SNAPSHOT_FORMAT == drop_io.SNAPSHOT_FORMAT


def test_a_snapshot_without_recorded_events_reads_as_none_and_one_with_them_as_the_frame_pandas_reads(tmp_path):
    drop = read_drop(EXAMPLE_DROP)
    assert snapshot_event_rows(write_snapshot(drop, tmp_path / "plain")) is None

    kept = write_snapshot(with_recorded_events(drop, events()), tmp_path / "with")
    frame = read_snapshot_table(kept, "recorded_events")
    assert frame is not None
    expected = [as_row(r) for r in frame.astype(object).where(frame.notna(), None).to_dict("records")]
    assert snapshot_event_rows(kept) == expected and [r[0] for r in expected] == ["CMP-2025-1", "CMP-2025-2"]
