"""Output folders replaced whole or not at all (issue 10 item 5): a failed run leaves the previous outputs as they were.

`with replace_folder(target) as staging:` gives `<target>.tmp-<pid>`, a folder beside the target (so on
the same file system); the run writes its outputs there. When the block ends normally, the outputs are
renamed into place and the previous ones removed; when it raises, the staging folder is removed and the
target is untouched. While the run writes, the previous folder stays whole where it is.

The swap: when the target holds nothing but this writer's entries, the two folders are exchanged by one
atomic rename (Linux renameat2 RENAME_EXCHANGE; elsewhere two renames, the previous folder kept aside
until the new one is in place). When the target also holds entries that are not the writer's (an output
folder shared with other files, the demo's sandbox store), each of the writer's entries is exchanged on
its own and the other entries stay as they are. `owned` names the writer's top-level entries, so that an
output of a previous run that this run no longer writes is removed rather than left to mislead.
`seed=True` starts the staging folder as a copy of the target, for writers that update a folder (the
site keeps files it did not write).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
KILL_AFTER_FILES = "CREDIT_TEST_KILL_AFTER_FILES"  # tests only: the process kills itself after that many files


@contextmanager
def replace_folder(target: Path | str, *, owned: Iterable[str] = (), seed: bool = False) -> Iterator[Path]:
    """Write into a staging folder beside `target`, then swap it into place; on an error, keep `target` as it was."""
    target = Path(target).resolve()
    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    _remove_dead_staging(target)  # left by writers that were killed (issue 11 item 9)
    if seed and target.is_dir():
        shutil.copytree(target, staging, symlinks=True)
    else:
        staging.mkdir(parents=True)
    try:
        yield staging
        _swap_in(staging, target, set(owned))
    finally:
        _remove(staging)


def _remove_dead_staging(target: Path) -> None:
    """Remove `<target>.tmp-<pid>` folders whose process is gone (this one's own included): killed writers' halves."""
    for staging in target.parent.glob(f"{target.name}.tmp-*"):
        pid = staging.name.rsplit("-", 1)[-1]
        if pid.isdigit() and (int(pid) == os.getpid() or not pid_alive(int(pid))):
            _remove(staging)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap_in(staging: Path, target: Path, owned: set[str]) -> None:
    """Put the staging folder's entries in place of the target's; what stays in `staging` is the previous output."""
    if not target.exists():
        staging.rename(target)
        return
    written = {entry.name for entry in staging.iterdir()}
    others = {entry.name for entry in target.iterdir()} - written - owned
    if not others:
        exchange(staging, target)
        return
    for name in sorted(written):
        exchange(staging / name, target / name)
    for name in sorted(owned - written):
        if (target / name).exists() or (target / name).is_symlink():
            (target / name).rename(staging / f".previous-{name}")


def exchange(new: Path, old: Path) -> None:
    """Put `new` at `old`'s path; the previous `old` ends at `new`'s path (atomically where the system can)."""
    if not (old.exists() or old.is_symlink()):
        new.rename(old)
        return
    if _rename_exchange(new, old):
        return
    if new.is_dir() or old.is_dir():  # kept aside until the new folder is in place
        aside = new.with_name(f"{new.name}.previous")
        old.rename(aside)
        new.rename(old)
        aside.rename(new)
    else:
        os.replace(new, old)  # a file is replaced atomically; the previous one is gone with it


def _rename_exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): both paths swapped in one step; False where the system has no such call."""
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot exchange
        return False
    raise OSError(error, os.strerror(error), str(a), None, str(b))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of bytes, 64 hex digits: what the store keeps of every file written for others."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_file_atomically(path: Path, data: bytes) -> None:
    """A single file replaced whole: written beside `path`, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def kill_point(files_written: int | None, kind: str | None = None) -> None:
    """Tests only: SIGKILL this process once a writer has written the number of files CREDIT_TEST_KILL_AFTER_FILES
    names, so that a test can show a run killed mid-write leaves the previous folder whole (issue 11 item 9).

    The value is `N` (any writer) or `<kind>:N` (only the writer of that kind: `site`, `list`, `package`);
    `<kind>:swapped` kills right after the folder is swapped in (`files_written` None), before the run commits.
    """
    limit = os.environ.get(KILL_AFTER_FILES)
    if not limit:
        return
    wanted, _, count = limit.rpartition(":")
    if wanted and wanted != kind:
        return
    if (count == "swapped") if files_written is None else (count.isdigit() and files_written >= int(count)):
        os.kill(os.getpid(), signal.SIGKILL)
