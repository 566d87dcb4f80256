"""Prefect task that builds the bureau's website from the store into a folder (R-15, R-17, R-18, R-20).

Reads every cycle's result versions (public columns and lifecycle dates only) through a read-only unit of
work, hands them to the pure reports.site.build_site and writes the files. Every path is checked part by part with
reports.safe.path_inside, so nothing is written outside `out` (R-20); files a previous build wrote and this
one does not are removed (listed in `.site-files`), nothing else in the folder is touched. The build
updates a copy of the folder beside it and swaps it into place (tasks/outputs.py): a failed build
leaves the published site whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from credit.rules import Rules
from reports.safe import UnsafePathError, path_inside
from reports.site import CycleData, ResultVersion, build_site
from store.uow import Store
from tasks.outputs import kill_point, replace_folder, sha256_hex
from tasks.reporting import artifact_key, publish_artifacts, run_logger
from tasks.retries import MINUTE, io_task
from tasks.verify import Difference, folder_differences

FILE_LIST = ".site-files"  # what the last build wrote, so that a rebuild removes only its own files


@dataclass(frozen=True)
class SiteReport:
    """What a build wrote: the folder, the build date, the files, and those removed as no longer public."""

    out: Path
    as_of: date
    files: list[str]
    removed: list[str]
    repaired: list[str] = field(default_factory=list)  # files found changed or missing before the build


def read_cycles(uow) -> list[CycleData]:
    """Every cycle with all its result versions: the columns the site may show and the lifecycle dates."""
    evaluations = uow.evaluations
    cycles = []
    for cycle in evaluations.cycles():
        versions = [
            ResultVersion(
                institution_id=r.institution_id, version=r.version, status=r.status, name=r.name or "",
                county=r.county or "", grade=r.grade or "", clause="" if r.clause is None else str(r.clause),
                state=r.state, publicity_on=r.publicity_on, publicity_last_day=r.publicity_last_day,
                determined_on=r.determined_on, published_on=r.published_on, revoked_on=r.revoked_on,
            )
            for r in evaluations.versions(cycle.id)
        ]
        cycles.append(CycleData(year=cycle.year, snapshot=cycle.snapshot, index_version=cycle.index_version,
                                versions=versions))
    return cycles


def site_files(uow, rules: Rules, as_of: date) -> dict[str, bytes]:
    """The site as of `as_of`, path → bytes, from the store read through `uow`."""
    cycles = read_cycles(uow)
    procedure = rules.procedure
    latest = max(cycles, key=lambda c: c.year, default=None)  # its index system's bands head every page
    bands = None if latest is None else rules.with_index(latest.index_version).index.grades
    return build_site(
        cycles, as_of=as_of, bureau=rules.bureau.settings, procedure=procedure, grade_bands=bands,
        last_day_of=lambda first: rules.calendar.add_working_days(first, procedure.publicity),
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
    for count, (relative, data) in enumerate(files.items(), start=1):
        path = target(out, relative)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        kill_point(count, "site")
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


def build_site_folder(out: Path, *, as_of: date, rules: Rules, store: Store | None = None, uow=None) -> SiteReport:
    """Build the website as of `as_of` into `out` (R-15, R-17, R-18), read from `store` or through an open `uow`.

    With `store`, a read-only unit of work of it; with `uow` (e.g. the advance flow's), that one, so the site
    shows what it holds, uncommitted changes included.
    """
    if (store is None) == (uow is None):
        raise TypeError("build_site_folder reads from a store or through a unit of work: give exactly one")
    if store is not None:
        with store.unit_of_work(write=False) as reading:
            files, differences = site_files(reading, rules, as_of), site_differences(reading, out)
    else:
        files, differences = site_files(uow, rules, as_of), site_differences(uow, out)
    log = run_logger(__name__)
    for difference in differences or []:
        log.warning("网站文件与存储中记录的 SHA-256 不一致，重建网站：%s", difference.line())
    with replace_folder(out, seed=True) as staging:  # a failed build leaves the published site whole
        written, removed = write_site(files, staging)
    listing = (Path(out) / FILE_LIST).read_bytes()
    digests = {**{name: sha256_hex(data) for name, data in files.items()}, FILE_LIST: sha256_hex(listing)}
    if store is not None:
        with store.unit_of_work() as recording:
            recording.digests.record("site", out, digests, datetime.now(UTC))
    else:
        uow.digests.record("site", out, digests, datetime.now(UTC))
    report = SiteReport(out=Path(out).resolve(), as_of=as_of, files=written, removed=removed,
                        repaired=[d.path for d in differences or []])
    log.info("网站（截至 %s）：写入 %s 个文件，移除 %s 个不再公开的文件，位于 %s", as_of, len(written), len(removed),
             report.out)
    return report


def site_differences(uow, out: Path) -> list[Difference] | None:
    """The site's files that differ from the digests recorded at its last build; None when none is recorded
    (never built, or its build did not finish)."""
    recorded = {e.name: e.sha256 for e in uow.digests.entries(kind="site", folder=out)}
    return folder_differences("site", Path(out).resolve(), recorded) if recorded else None


def site_intact(store: Store, out: Path) -> bool:
    """The site at `out` is as its last finished build wrote it (issue 11 item 9: else the advance rebuilds it)."""
    with store.unit_of_work(write=False) as uow:
        return site_differences(uow, out) == []


def report_site(report: SiteReport) -> list[str]:
    """The build's artifact `site-build`: the build date, the counts and the folder (any flow that builds the site)."""
    removed = "、".join(f"`{r}`" for r in report.removed) or "无"
    pages = sum(1 for f in report.files if f.endswith(".html"))
    markdown = (f"# 网站构建（截至 {report.as_of.isoformat()}）\n\n网站文件夹 `{report.out}`\n\n"
                f"写入 {len(report.files)} 个文件（其中网页 {pages} 个）；移除不再公开的文件：{removed}。\n")
    return publish_artifacts(artifact_key("site-build"), markdown, description=f"网站（截至 {report.as_of}）")


# Reads the store and writes the folder: retried when either failed for a moment (tasks/retries.py).
build_site_task = io_task("build site", timeout_seconds=10 * MINUTE)(build_site_folder)
