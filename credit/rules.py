"""The rules bundle: every rule of the regulation in force for a period, loaded once at the edge.

A flow or a command resolves `Rules` once and passes it down (like a dagster resource). Which version
of a versioned rules file applies is chosen by its `effective_from` ("the rule as of a period", as in
openfisca): the newest version whose `effective_from` is on or before the period's first day. An
explicit version (`--index-version`) still wins; every result records the version it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from credit.calendar import WorkCalendar
from credit.indexsystem import RULES_DIR, SAFE_LOADER, IndexSystem, IndexSystemError, load_index_system
from credit.lifecycle import Procedure

if TYPE_CHECKING:  # loaded on first use: the sampling rules bring pandas, which most commands never need
    from credit.sampling import SamplingRules
    from credit.supervision import SupervisionRules


class RulesError(IndexSystemError):
    """No rules file in force for a period, or a rules file that cannot be read (exit code 2)."""


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except OSError as error:
        raise RulesError(f"{path}: cannot be read ({error.strerror})") from None


def effective_versions(folder: str, rules_dir: Path | str = RULES_DIR) -> list[tuple[date, str]]:
    """(effective_from, version) of every file in rules/<folder>/, oldest first."""
    found = []
    for path in sorted((Path(rules_dir) / folder).glob("*.yaml")):
        raw = _read_yaml(path) or {}
        start = raw.get("effective_from")
        if not isinstance(start, date):
            raise RulesError(f"{path}: effective_from must be a date YYYY-MM-DD, not {start!r}")
        found.append((start, str(raw.get("version", path.stem))))
    return sorted(found)


def version_in_force(folder: str, on: date, rules_dir: Path | str = RULES_DIR) -> str:
    """The version of rules/<folder>/ in force on `on`: the newest effective_from not after it."""
    versions = effective_versions(folder, rules_dir)
    in_force = [version for start, version in versions if start <= on]
    if not in_force:
        known = ", ".join(f"{v} (from {s})" for s, v in versions) or "none"
        raise RulesError(f"no rules/{folder}/ version is in force on {on}; known: {known}")
    return in_force[-1]


@dataclass(frozen=True)
class Bureau:
    """rules/bureau.yaml and rules/procedure.yaml: who publishes, where objections go, the time limits."""

    settings: dict[str, Any]
    procedure: dict[str, Any]

    @classmethod
    def load(cls, rules_dir: Path | str = RULES_DIR) -> Bureau:
        folder = Path(rules_dir)
        return cls(settings=_read_yaml(folder / "bureau.yaml"), procedure=_read_yaml(folder / "procedure.yaml"))

    @property
    def counties(self) -> list[str]:
        return list(self.settings["counties"])

    def placeholders(self) -> list[str]:
        """Issue 12 item 7: the keys of bureau.yaml that still hold the shipped example contacts, dotted
        (`objections.email`). Publicity and letters print them to the public, so a real publicity must not
        start while any is left: an address or host in the reserved `.example` domain (RFC 2606), a value
        marked 示例 or "example", or one of the example values the checkout ships."""
        return sorted(key for key, value in _leaves(self.settings) if _is_placeholder(value))


class BureauPlaceholderError(ValueError):
    """Publicize or advance while rules/bureau.yaml still holds example contacts (exit code 2), naming the keys."""


def require_filled_bureau(bureau: Bureau, *, rules_dir: Path | str, allow_example: bool = False) -> None:
    """Issue 12 item 7: a real publicity prints the bureau's address, e-mail and phone to the public and to
    every institution, so it does not start on the example values the checkout ships. `allow_example` is
    the test suite's CREDIT_ALLOW_EXAMPLE_BUREAU=1 (store/settings.py), read at the edge and passed in."""
    keys = bureau.placeholders()
    if keys and not allow_example:
        raise BureauPlaceholderError(
            f"{Path(rules_dir) / 'bureau.yaml'} 仍是示例内容，请先填写本局的真实信息后再公示或推进："
            f"{'、'.join(keys)}（这些内容会印在公示、告知书和复核意见告知书上）")


# The example contacts rules/bureau.yaml ships with, beside its `.example` mail addresses.
EXAMPLE_VALUES = frozenset({"山西省晋城市城区泽州路生态环境局信用管理科（邮编 048000）", "0356-2026936"})
_EXAMPLE_DOMAIN = re.compile(r"[.@]example(?:\.(?:com|org|net))?(?![A-Za-z0-9-])", re.IGNORECASE)


def _leaves(settings: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) of every scalar in a YAML mapping."""
    if isinstance(settings, dict):
        return [leaf for key, value in settings.items() for leaf in _leaves(value, f"{prefix}{key}.")]
    if isinstance(settings, list):
        return [leaf for n, value in enumerate(settings) for leaf in _leaves(value, f"{prefix}{n}.")]
    return [(prefix.rstrip("."), settings)]


def _is_placeholder(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    return text in EXAMPLE_VALUES or "示例" in text or "(example)" in text.lower() or bool(_EXAMPLE_DOMAIN.search(text))


@dataclass(frozen=True)
class Rules:
    """Everything the regulation fixes for one period, as loaded from rules/."""

    period_start: date
    rules_dir: Path
    index: IndexSystem
    calendar: WorkCalendar
    bureau: Bureau
    sampling_version: str
    supervision_version: str

    @property
    def procedure(self) -> Procedure:
        """第十八—二十条 time limits in working days (rules/procedure.yaml)."""
        return Procedure.from_rules(self.bureau.procedure)

    @cached_property
    def sampling(self) -> SamplingRules:
        """第二十二条 sampling rules in force."""
        from credit.sampling import load_sampling_rules

        return load_sampling_rules(self.sampling_version, self.rules_dir)

    @cached_property
    def supervision(self) -> SupervisionRules:
        """第八—十、十三条 supervision rules in force, checked against their index system."""
        from credit.supervision import load_supervision_rules

        return load_supervision_rules(self.supervision_version, self.rules_dir)

    @property
    def direct_grade(self) -> str:
        """第十七条: the grade a verified serious event gives at once."""
        return self.index.direct_grade

    @property
    def clauses(self) -> dict[int, str]:
        """第十七条's clauses, by number."""
        return self.index.clauses

    def with_index(self, version: str) -> Rules:
        """The same rules with another index system (what-if, or a cycle scored with an older version)."""
        if version == self.index.version:
            return self
        return Rules(self.period_start, self.rules_dir, load_index_system(version, self.rules_dir), self.calendar,
                     self.bureau, self.sampling_version, self.supervision_version)


def load_rules(
    period_start: date, *, index_version: str | None = None, rules_dir: Path | str = RULES_DIR,
    calendar: WorkCalendar | None = None,
) -> Rules:
    """The rules in force for the period that starts on `period_start`; `index_version` overrides the index."""
    folder = Path(rules_dir)
    version = index_version or version_in_force("index", period_start, folder)
    return Rules(
        period_start=period_start, rules_dir=folder, index=load_index_system(version, folder),
        calendar=calendar or WorkCalendar.load(folder / "calendar" / "overrides.yaml"),
        bureau=Bureau.load(folder), sampling_version=version_in_force("sampling", period_start, folder),
        supervision_version=version_in_force("supervision", period_start, folder),
    )


def rules_for_year(year: int, *, index_version: str | None = None, rules_dir: Path | str = RULES_DIR) -> Rules:
    """The rules of the evaluation period `year` (第十四条: the calendar year)."""
    return load_rules(date(year, 1, 1), index_version=index_version, rules_dir=rules_dir)
