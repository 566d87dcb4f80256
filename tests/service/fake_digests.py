"""store.digests.DigestRepository in memory: OutputDigest rows in the fake tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from store.digests import folder_key
from store.models import OutputDigest


class FakeDigests:
    """The digest rows as a list, with the real repository's methods."""

    def __init__(self, tables) -> None:
        self.tables = tables

    def record(self, kind: str, folder: Path | str, files: Mapping[str, str], at: datetime, *,
               year: int | None = None, whole: bool = True) -> None:
        key = folder_key(folder)
        rows = self.tables.of("output_digests")
        rows[:] = [r for r in rows if r.folder != key or (not whole and r.name not in files)]
        for name, sha in files.items():
            self.tables.add("output_digests", OutputDigest(kind=kind, year=year, folder=key, name=name, sha256=sha,
                                                           recorded_at=at))

    def forget(self, kind: str, folder: Path | str) -> None:
        rows = self.tables.of("output_digests")
        rows[:] = [r for r in rows if not (r.kind == kind and r.folder == folder_key(folder))]

    def entries(self, *, kind: str | None = None, folder: Path | str | None = None,
                year: int | None = None) -> list[OutputDigest]:
        return sorted((r for r in self.tables.of("output_digests")
                       if (kind is None or r.kind == kind) and (folder is None or r.folder == folder_key(folder))
                       and (year is None or r.year in (year, None))), key=lambda r: (r.folder, r.name))
