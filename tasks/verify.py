"""`credit verify`: the files written for others, compared with the digests kept in the store (issue 11 item 7).

Every outbox package, published list, kept package rows (var/shares) and the website were recorded with
their SHA-256 when written (store/digests.py). A file whose bytes differ is 被修改, a recorded file that is
gone is 缺失, a file in a package folder that was never written there is 多出, and so is a package folder
(`<year>-<nnn>`) in an outbox that the store has no record of: left by an advance killed between writing it
and committing (its rerun writes the same folder again), or put there by someone else. `advance` runs the
same check of the recorded packages before it builds on the previous package and refuses on any difference.

Where the files are now (CLI.md `--outbox`, `--published`, `--site`): by default where they were written.
With a location, the recorded folders are looked for there by name (an outbox or a list folder copied to
the web server, say): a package `<outbox>/2025-001` at `DIR/2025-001`, a list `<published>/2025` at
`DIR/2025`, and the site at DIR (the site recorded at DIR, else the one recorded last).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from credit.rules import Rules
from tasks.outputs import sha256_file

MODIFIED, MISSING, EXTRA = "被修改", "缺失", "多出"
KIND_NAMES = {"package": "共享数据包", "kept": "共享数据包留存行", "list": "公布名单", "site": "网站"}
WHOLE_FOLDER_KINDS = ("package",)  # folders holding only what was written there: any other file is 多出
PACKAGE_FOLDER = re.compile(r"(\d{4})-\d{3}")  # tasks/lifecycle.py _write_package: <year>-<sequence>


class TamperedOutputError(RuntimeError):
    """Written files differ from their digests in the store: nothing is built on them (exit code 1)."""


@dataclass(frozen=True)
class VerifyInput:
    """What to check: one year's outputs and the site (`year`), or all; `kinds` limits it (advance: not the site)."""

    year: int | None = None
    kinds: tuple[str, ...] = tuple(KIND_NAMES)
    outbox: Path | None = None  # where the packages are now (default: where each was written)
    published: Path | None = None  # where the list folders <year> are now
    site: Path | None = None  # where the site is now
    searched: tuple[Path, ...] = ()  # outboxes searched for unrecorded packages besides those of the records


@dataclass(frozen=True)
class Difference:
    """One file that is not as written: where, of what kind, the digest recorded and the one found."""

    kind: str
    path: str
    expected: str | None
    found: str | None
    problem: str
    unrecorded_folder: bool = False  # a whole package folder the store has no record of

    def line(self) -> str:
        if self.unrecorded_folder:
            return (f"{self.problem}：{self.path}（{KIND_NAMES.get(self.kind, self.kind)}文件夹；存储中没有该数据包的记录："
                    "可能是中断的每日推进留下的（重新运行 credit advance 会重写它），或由他人放入）")
        return (f"{self.problem}：{self.path}（{KIND_NAMES.get(self.kind, self.kind)}；"
                f"记录的 SHA-256 {self.expected or '无'}，实际 {self.found or '无'}）")


@dataclass
class VerifyReport:
    """How many folders and files were checked, and every difference found."""

    year: int | None
    folders: int = 0
    files: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def verify_outputs(uow, rules: Rules, given: VerifyInput) -> VerifyReport:
    """Compare every recorded file of `given`'s kinds (of its year, and the site) with what is on disk."""
    report = VerifyReport(given.year)
    folders = {(kind, located(kind, Path(where), given)): recorded
               for (kind, where), recorded in recorded_folders(uow, given).items()}
    for (kind, place), recorded in sorted(folders.items()):
        report.folders += 1
        report.files += len(recorded)
        report.differences += folder_differences(kind, place, recorded)
    if "package" in given.kinds:
        report.differences += unrecorded_packages(given, {place for kind, place in folders if kind == "package"})
    return report


def recorded_folders(uow, given: VerifyInput) -> dict[tuple[str, str], dict[str, str]]:
    """name → SHA-256 by (kind, folder) of the kinds asked for; with `--site`, one site: the one at it, else the last."""
    folders: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    last_site: dict[str, datetime] = {}
    for entry in uow.digests.entries(year=given.year):
        if entry.kind in given.kinds:
            folders[(entry.kind, entry.folder)][entry.name] = entry.sha256
            if entry.kind == "site":
                last_site[entry.folder] = max(last_site.get(entry.folder, entry.recorded_at), entry.recorded_at)
    if given.site is not None and len(last_site) > 1:
        here = str(given.site.resolve())
        chosen = here if here in last_site else max(last_site, key=last_site.__getitem__)
        folders = defaultdict(dict, {key: v for key, v in folders.items() if key[0] != "site" or key[1] == chosen})
    return folders


def located(kind: str, folder: Path, given: VerifyInput) -> Path:
    """Where a recorded folder is looked for: at the location given for its kind (by its name), else where written."""
    if kind == "package" and given.outbox is not None:
        return given.outbox.resolve() / folder.name
    if kind == "list" and given.published is not None:
        return given.published.resolve() / folder.name
    if kind == "site" and given.site is not None:
        return given.site.resolve()
    return folder


def unrecorded_packages(given: VerifyInput, recorded: set[Path]) -> list[Difference]:
    """Package folders (`<year>-<nnn>`, of the year asked for) in the outboxes that the store has no record of."""
    outboxes = {given.outbox.resolve()} if given.outbox is not None else \
        {folder.parent for folder in recorded} | {path.resolve() for path in given.searched}
    found = []
    for outbox in sorted(o for o in outboxes if o.is_dir()):
        for folder in sorted(p for p in outbox.iterdir() if p.is_dir() and p not in recorded):
            named = PACKAGE_FOLDER.fullmatch(folder.name)
            if named and (given.year is None or int(named.group(1)) == given.year):
                found.append(Difference("package", str(folder), None, None, EXTRA, unrecorded_folder=True))
    return found


def folder_differences(kind: str, folder: Path, recorded: dict[str, str]) -> list[Difference]:
    """The recorded files of `folder` that changed or are gone, and, for a package folder, the files added."""
    found = []
    for name, expected in sorted(recorded.items()):
        path = folder.joinpath(*name.split("/"))
        if not path.is_file():
            found.append(Difference(kind, str(path), expected, None, MISSING))
        elif (actual := sha256_file(path)) != expected:
            found.append(Difference(kind, str(path), expected, actual, MODIFIED))
    if kind in WHOLE_FOLDER_KINDS and folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.relative_to(folder).as_posix() not in recorded:
                found.append(Difference(kind, str(path), None, sha256_file(path), EXTRA))
    return found


def require_untampered(uow, rules: Rules, given: VerifyInput, doing: str) -> VerifyReport:
    """`verify_outputs`, raising TamperedOutputError (naming every file) when anything differs."""
    report = verify_outputs(uow, rules, given)
    if not report.ok:
        lines = "\n".join(f"  {d.line()}" for d in report.differences)
        raise TamperedOutputError(f"已写出的文件与存储中记录的 SHA-256 不一致，{doing}未进行：\n{lines}\n"
                                  "请从备份恢复这些文件后再运行（credit verify 列出全部差异）")
    return report
