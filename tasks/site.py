"""Prefect task that builds the bureau's website from the store into a folder (R-15, R-17, R-18, R-20).

Reads every cycle's result versions (public columns and lifecycle dates only) through SQLAlchemy, hands
them to the pure reports.site.build_site and writes the files. Every path is checked part by part with
reports.safe.path_inside, so nothing is written outside `out` (R-20); files a previous build wrote and this
one does not are removed (listed in `.site-files`), nothing else in the folder is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select
from sqlalchemy.orm import Session

from credit.calendar import WorkCalendar
from reports.safe import UnsafePathError, path_inside
from reports.site import CycleData, ResultVersion, build_site
from store.engine import make_engine, migrate, transaction
from store.models import Cycle, Result
from tasks.render import Bureau

FILE_LIST = ".site-files"  # what the last build wrote, so that a rebuild removes only its own files


@dataclass(frozen=True)
class SiteReport:
    """What a build wrote: the folder, the build date, the files, and those removed as no longer public."""

    out: Path
    as_of: date
    files: list[str]
    removed: list[str]


def read_cycles(session: Session) -> list[CycleData]:
    """Every cycle with all its result versions: the columns the site may show and the lifecycle dates."""
    cycles = []
    for cycle in session.scalars(select(Cycle).order_by(Cycle.year)):
        query = select(Result).where(Result.cycle_id == cycle.id).order_by(Result.institution_id, Result.version)
        versions = [
            ResultVersion(
                institution_id=r.institution_id, version=r.version, status=r.status, name=r.name or "",
                county=r.county or "", grade=r.grade or "", clause="" if r.clause is None else str(r.clause),
                state=r.state, publicity_on=r.publicity_on, publicity_last_day=r.publicity_last_day,
                determined_on=r.determined_on, published_on=r.published_on, revoked_on=r.revoked_on,
            )
            for r in session.scalars(query)
        ]
        cycles.append(CycleData(year=cycle.year, snapshot=cycle.snapshot, index_version=cycle.index_version,
                                versions=versions))
    return cycles


def site_files(db_url: str | None, as_of: date, rules_dir: Path | None = None) -> dict[str, bytes]:
    """The site as of `as_of`, path → bytes, from the store at `db_url` (default: settings)."""
    bureau = Bureau.load() if rules_dir is None else Bureau.load(rules_dir)
    calendar = WorkCalendar.load()
    publicity_days = int(bureau.procedure["publicity_working_days"])
    engine = make_engine(db_url)
    try:
        migrate(engine)
        with transaction(engine) as session:
            cycles = read_cycles(session)
    finally:
        engine.dispose()
    return build_site(
        cycles, as_of=as_of, bureau=bureau.settings, procedure=bureau.procedure,
        last_day_of=lambda first: calendar.add_working_days(first, publicity_days),
    )


def target(out: Path, relative: str) -> Path:
    """R-20: `out/relative` for a site path like "cycles/2025/index.html", each part checked, folders made."""
    parts = relative.split("/")
    folder = Path(out).resolve()
    for part in parts[:-1]:
        folder = path_inside(folder, part)
        folder.mkdir(exist_ok=True)
    return path_inside(folder, parts[-1])


def write_site(files: dict[str, bytes], out: Path) -> tuple[list[str], list[str]]:
    """Write the files into `out` and remove what the previous build wrote and this one does not."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    listing = path_inside(out, FILE_LIST)
    before = listing.read_text(encoding="utf-8").split("\n") if listing.exists() else []
    for relative, data in files.items():
        path = target(out, relative)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    removed = []
    for relative in sorted(set(filter(None, before)) - set(files)):
        try:
            path = target(out, relative)
        except UnsafePathError:
            continue  # a tampered list never makes us delete outside the folder
        if path.is_file():
            path.unlink()
            removed.append(relative)
    listing.write_text("\n".join(sorted(files)) + "\n", encoding="utf-8")
    return sorted(files), removed


def build_site_folder(out: Path, *, as_of: date, db_url: str | None = None) -> SiteReport:
    """Build the website as of `as_of` from the store into `out` (R-15, R-17, R-18)."""
    written, removed = write_site(site_files(db_url, as_of), Path(out))
    return SiteReport(out=Path(out).resolve(), as_of=as_of, files=written, removed=removed)


build_site_task = task(name="build site", cache_policy=NO_CACHE)(build_site_folder)
