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


def test_a_package_folder_the_store_has_no_record_of_is_reported_as_extra_in_its_year(tmp_path):
    uow = FakeUnitOfWork()
    outbox = tmp_path / "outbox"
    written(uow, "package", outbox / "2025-001", {"results.csv": b"a\n"}, 2025)
    (outbox / "2025-002").mkdir()  # an advance killed after writing it, before committing
    (outbox / "2025-002" / "results.csv").write_bytes(b"a\n")
    (outbox / "2024-001").mkdir()
    (outbox / "notes").mkdir()  # not a package's name: not the program's

    found = verify_outputs(uow, RULES, VerifyInput(2025))
    assert [(d.problem, d.path, d.unrecorded_folder) for d in found.differences] == [
        (EXTRA, str((outbox / "2025-002").resolve()), True)]
    assert "存储中没有该数据包的记录" in found.differences[0].line()
    assert [d.path for d in verify_outputs(uow, RULES, VerifyInput()).differences] == [
        str((outbox / "2024-001").resolve()), str((outbox / "2025-002").resolve())]


def test_the_default_outbox_is_searched_even_before_any_package_was_recorded(tmp_path):
    (tmp_path / "outbox" / "2025-001").mkdir(parents=True)

    found = verify_outputs(FakeUnitOfWork(), RULES, VerifyInput(searched=(tmp_path / "outbox",)))

    assert [(d.problem, d.path) for d in found.differences] == [(EXTRA, str((tmp_path / "outbox" / "2025-001").resolve()))]


def test_locations_given_look_for_the_recorded_folders_there_by_name(tmp_path):
    uow = FakeUnitOfWork()
    written(uow, "package", tmp_path / "outbox" / "2025-001", {"results.csv": b"a\n"}, 2025)
    written(uow, "list", tmp_path / "web" / "2025", {"a_list.csv": b"b\n"}, 2025)
    written(uow, "site", tmp_path / "site", {"index.html": b"<p>1</p>"}, None)
    copy = tmp_path / "server"
    written(FakeUnitOfWork(), "package", copy / "outbox" / "2025-001", {"results.csv": b"a\n"}, 2025)
    written(FakeUnitOfWork(), "list", copy / "web" / "2025", {"a_list.csv": b"changed\n"}, 2025)
    written(FakeUnitOfWork(), "site", copy / "site", {"index.html": b"<p>1</p>"}, None)
    (copy / "outbox" / "2025-002").mkdir()

    found = verify_outputs(uow, RULES, VerifyInput(outbox=copy / "outbox", published=copy / "web", site=copy / "site"))

    assert (found.folders, found.files) == (3, 3)
    assert sorted((d.problem, d.path) for d in found.differences) == [
        (EXTRA, str((copy / "outbox" / "2025-002").resolve())),
        (MODIFIED, str((copy / "web" / "2025" / "a_list.csv").resolve())),
    ]
    assert verify_outputs(uow, RULES, VerifyInput()).ok  # where they were written, nothing changed


def test_with_several_sites_recorded_the_site_option_is_checked_against_its_own_record_or_the_last(tmp_path):
    uow = FakeUnitOfWork()
    written(uow, "site", tmp_path / "old", {"index.html": b"old"}, None)
    later = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "index.html").write_bytes(b"new")
    uow.digests.record("site", tmp_path / "new", {"index.html": sha256_hex(b"new")}, later)
    written(FakeUnitOfWork(), "site", tmp_path / "copy", {"index.html": b"new"}, None)

    assert verify_outputs(uow, RULES, VerifyInput(site=tmp_path / "copy")).ok  # the last site recorded
    assert verify_outputs(uow, RULES, VerifyInput(site=tmp_path / "old")).ok  # its own record
    assert not verify_outputs(uow, RULES, VerifyInput(site=tmp_path / "new", kinds=("site",))).differences
