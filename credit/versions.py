"""Which result versions an evaluation writes (R-12, R-21): the diff of the stored and the incoming results.

Pure: the store reads what a cycle holds, `diff_versions` says what is new, changed, unchanged, withdrawn
or reinstated and which version number each written result gets, and the store only applies the plan.
Values are compared as given (the store's typed values: text, Decimal points, the findings' digest).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credit.lifecycle import SCORED

SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class Current:
    """The current version of an institution's result in a cycle."""

    result_id: int
    version: int
    values: Mapping[str, Any]
    state: str = SCORED


@dataclass(frozen=True)
class Stored:
    """What a cycle holds for one institution: its current version (None once withdrawn) and its highest number."""

    current: Current | None
    latest: int


@dataclass(frozen=True)
class VersionPlan:
    """What an evaluation writes: institutions by kind, in the order the store writes them, and the new numbers."""

    new: tuple[str, ...]  # no current version: first result in the cycle, or reinstated (in incoming order)
    changed: tuple[str, ...]  # current version differs (in incoming order)
    unchanged: tuple[str, ...]
    withdrawn: tuple[str, ...]  # current version, not in the evaluation (sorted)
    reinstated: tuple[str, ...]  # the new ones that had a version before (a withdrawn one back)
    next_version: Mapping[str, int]  # the version number of each result written (new and changed)

    @property
    def written(self) -> tuple[str, ...]:
        """Institutions that get a new version, new ones first."""
        return self.new + self.changed

    @property
    def retired(self) -> tuple[str, ...]:
        """Institutions whose current version stops being current."""
        return self.changed + self.withdrawn

    @property
    def touched(self) -> tuple[str, ...]:
        """Institutions whose results the evaluation changes in any way."""
        return self.new + self.changed + self.withdrawn


def diff_versions(stored: Mapping[str, Stored], incoming: Mapping[str, Mapping[str, Any]]) -> VersionPlan:
    """R-12: same values keep their version; different ones get the next number; absent ones are withdrawn."""
    current = {i: s.current for i, s in stored.items() if s.current is not None}
    new = tuple(i for i in incoming if i not in current)
    changed = tuple(i for i in incoming if i in current and dict(current[i].values) != dict(incoming[i]))
    differs = set(changed)
    unchanged = tuple(i for i in incoming if i in current and i not in differs)
    withdrawn = tuple(sorted(current.keys() - incoming.keys()))
    reinstated = tuple(i for i in new if i in stored)
    next_version = {i: (stored[i].latest if i in stored else 0) + 1 for i in new + changed}
    return VersionPlan(new, changed, unchanged, withdrawn, reinstated, next_version)


def started_states(stored: Mapping[str, Stored]) -> list[str]:
    """The states past scoring among the current versions, sorted: publicity has begun for them (R-15)."""
    return sorted({s.current.state for s in stored.values() if s.current is not None} - {SCORED})


def same_apart_from_snapshot(stored: Mapping[str, Any], incoming: Mapping[str, Any]) -> bool:
    """A re-scored result whose own values and findings did not change: the snapshot it names still holds them."""
    return ({k: v for k, v in stored.items() if k != SNAPSHOT}
            == {k: v for k, v in incoming.items() if k != SNAPSHOT})
