"""`credit verify`: the files written for others, compared with the digests kept in the store (issue 11 item 7).

Every outbox package, published list, kept package rows (var/shares) and the website were recorded with
their SHA-256 when written (store/digests.py). A file whose bytes differ is 被修改, a recorded file that is
gone is 缺失, a file in a package folder that was never written there is 多出. `advance` runs the same
check before it builds on the previous package and refuses on any difference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from credit.rules import Rules
from tasks.outputs import sha256_file

MODIFIED, MISSING, EXTRA = "被修改", "缺失", "多出"
KIND_NAMES = {"package": "共享数据包", "kept": "共享数据包留存行", "list": "公布名单", "site": "网站"}
WHOLE_FOLDER_KINDS = ("package",)  # folders holding only what was written there: any other file is 多出


class TamperedOutputError(RuntimeError):
    """Written files differ from their digests in the store: nothing is built on them (exit code 1)."""


@dataclass(frozen=True)
class VerifyInput:
    """What to check: one year's outputs and the site (`year`), or all; `kinds` limits it (advance: not the site)."""

    year: int | None = None
    kinds: tuple[str, ...] = tuple(KIND_NAMES)


@dataclass(frozen=True)
class Difference:
    """One file that is not as written: where, of what kind, the digest recorded and the one found."""

    kind: str
    path: str
    expected: str | None
    found: str | None
    problem: str

    def line(self) -> str:
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
    folders: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for entry in uow.digests.entries(year=given.year):
        if entry.kind in given.kinds:
            folders[(entry.kind, entry.folder)][entry.name] = entry.sha256
    for (kind, folder), recorded in sorted(folders.items()):
        report.folders += 1
        report.files += len(recorded)
        report.differences += folder_differences(kind, Path(folder), recorded)
    return report


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
