"""`verify_outputs` on the in-memory unit of work (issue 11 item 7): each kind of difference, and the year filter."""

from __future__ import annotations

from datetime import UTC, datetime

from credit.rules import rules_for_year
from tasks.outputs import sha256_hex
from tasks.verify import EXTRA, MISSING, MODIFIED, VerifyInput, verify_outputs
from tests.service.fakes import FakeUnitOfWork

RULES = rules_for_year(2025)
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def written(uow: FakeUnitOfWork, kind: str, folder, files: dict[str, bytes], year: int | None) -> None:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    uow.digests.record(kind, folder, {name: sha256_hex(data) for name, data in files.items()}, AT, year=year)


def test_verify_names_each_changed_missing_and_added_file_with_the_digests_recorded_and_found(tmp_path):
    uow = FakeUnitOfWork()
    written(uow, "package", tmp_path / "outbox" / "2025-001", {"results.csv": b"a\n", "manifest.json": b"{}"}, 2025)
    written(uow, "list", tmp_path / "web" / "2024", {"a_list.csv": b"b\n"}, 2024)
    assert verify_outputs(uow, RULES, VerifyInput()).ok

    (tmp_path / "outbox" / "2025-001" / "results.csv").write_bytes(b"c\n")
    (tmp_path / "outbox" / "2025-001" / "manifest.json").unlink()
    (tmp_path / "outbox" / "2025-001" / "new.csv").write_bytes(b"d\n")
    (tmp_path / "web" / "2024" / "a_list.csv").write_bytes(b"e\n")

    found = verify_outputs(uow, RULES, VerifyInput(2025))
    assert (found.folders, found.files) == (1, 2)  # 2024's list is not 2025's
    assert {(d.problem, d.path.rsplit("/", 1)[-1], d.expected, d.found) for d in found.differences} == {
        (MODIFIED, "results.csv", sha256_hex(b"a\n"), sha256_hex(b"c\n")),
        (MISSING, "manifest.json", sha256_hex(b"{}"), None),
        (EXTRA, "new.csv", None, sha256_hex(b"d\n")),
    }
    assert len(verify_outputs(uow, RULES, VerifyInput()).differences) == 4
