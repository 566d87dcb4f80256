"""tasks/outputs.py: an output folder is replaced whole at the end of a run, or left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks import outputs
from tasks.outputs import replace_folder


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def test_a_new_folder_appears_whole_and_nothing_is_left_beside_it(tmp_path):
    with replace_folder(tmp_path / "out") as staging:
        assert staging.parent == tmp_path and staging.name.startswith("out.tmp-")
        write(staging, {"a.csv": "1", "validation/counts.csv": "2"})
        assert not (tmp_path / "out").exists()
    assert tree(tmp_path / "out") == {"a.csv": b"1", "validation/counts.csv": b"2"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_run_failing_half_way_leaves_the_previous_folder_byte_identical(tmp_path):
    out = tmp_path / "out"
    write(out, {"a.csv": "old", "validation/counts.csv": "old counts"})
    before = tree(out)
    with pytest.raises(RuntimeError, match="renderer"), replace_folder(out, owned={"a.csv", "validation"}) as staging:
        write(staging, {"a.csv": "new, half written"})
        raise RuntimeError("the renderer failed")
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_outputs_replace_the_previous_ones_and_an_output_no_longer_written_goes(tmp_path):
    out = tmp_path / "out"
    write(out, {"a.csv": "old", "recorded_events.csv": "old", "validation/x.html": "old"})
    with replace_folder(out, owned={"a.csv", "recorded_events.csv", "validation"}) as staging:
        write(staging, {"a.csv": "new", "validation/counts.csv": "new"})
    assert tree(out) == {"a.csv": b"new", "validation/counts.csv": b"new"}


def test_entries_that_are_not_the_writers_stay_where_they_are(tmp_path):
    out = tmp_path / "demo"
    write(out, {".credit-demo": "marker", ".sandbox/credit.db": "store", "a.csv": "old", "mine.txt": "kept"})
    store = (out / ".sandbox" / "credit.db").stat().st_ino
    with replace_folder(out, owned={"a.csv", "b.csv"}) as staging:
        write(staging, {"a.csv": "new", "b.csv": "new"})
    assert tree(out) == {".credit-demo": b"marker", ".sandbox/credit.db": b"store", "a.csv": b"new",
                         "b.csv": b"new", "mine.txt": b"kept"}
    assert (out / ".sandbox" / "credit.db").stat().st_ino == store  # never moved: an open store stays open


def test_seed_starts_from_a_copy_so_an_updating_writer_keeps_what_it_did_not_write(tmp_path):
    out = tmp_path / "site"
    write(out, {"index.html": "old", "mine.txt": "kept"})
    with replace_folder(out, seed=True) as staging:
        assert tree(staging) == tree(out)
        write(staging, {"index.html": "new"})
        assert (out / "index.html").read_text() == "old"  # the published folder is untouched while writing
    assert tree(out) == {"index.html": b"new", "mine.txt": b"kept"}


def test_without_an_exchanging_rename_the_swap_still_ends_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "_rename_exchange", lambda a, b: False)
    out = tmp_path / "out"
    write(out, {"a.csv": "old", "v/c.csv": "old", "other": "kept"})
    with replace_folder(out, owned={"a.csv", "v"}) as staging:
        write(staging, {"a.csv": "new", "v/c.csv": "new"})
    assert tree(out) == {"a.csv": b"new", "v/c.csv": b"new", "other": b"kept"}
    with replace_folder(out, owned={"a.csv", "v", "other"}) as staging:
        write(staging, {"a.csv": "newer"})
    assert tree(out) == {"a.csv": b"newer"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
