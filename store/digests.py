"""The SHA-256 of the files the program wrote for others, kept in the store (issue 11 item 7).

A file on disk can be edited by anyone who can write the folder; its digest in the store cannot be
changed without leaving a trace in the same database as the results. Every query of the digests is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import OutputDigest


def folder_key(folder: Path | str) -> str:
    """How a folder is named in the store: its resolved absolute path."""
    return str(Path(folder).resolve())


class DigestRepository:
    """Digests of written files, by folder and name, inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, kind: str, folder: Path | str, files: Mapping[str, str], at: datetime, *,
               year: int | None = None, whole: bool = True) -> None:
        """Record `files` (name → SHA-256) written into `folder`; `whole`: they are all the folder holds of ours,
        so the rows of files no longer written go; otherwise only the rows of these names are replaced."""
        key = folder_key(folder)
        gone = delete(OutputDigest).where(OutputDigest.folder == key)
        if not whole:
            gone = gone.where(OutputDigest.name.in_(list(files)))
        self.session.execute(gone)
        self.session.add_all(OutputDigest(kind=kind, year=year, folder=key, name=name, sha256=sha, recorded_at=at)
                             for name, sha in files.items())
        self.session.flush()

    def forget(self, kind: str, folder: Path | str) -> None:
        """Drop what is recorded of `folder`: it no longer counts as written (e.g. a site to be rebuilt)."""
        self.session.execute(delete(OutputDigest).where(OutputDigest.kind == kind,
                                                        OutputDigest.folder == folder_key(folder)))
        self.session.flush()

    def entries(self, *, kind: str | None = None, folder: Path | str | None = None,
                year: int | None = None) -> list[OutputDigest]:
        """Recorded digests, by folder and name; `year` keeps that year's rows and those of no year (the site)."""
        query = select(OutputDigest)
        if kind is not None:
            query = query.where(OutputDigest.kind == kind)
        if folder is not None:
            query = query.where(OutputDigest.folder == folder_key(folder))
        if year is not None:
            query = query.where((OutputDigest.year == year) | OutputDigest.year.is_(None))
        return list(self.session.scalars(query.order_by(OutputDigest.folder, OutputDigest.name)))
