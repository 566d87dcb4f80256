"""R-01: a command's `--county`, one of the counties of rules/bureau.yaml, checked before anything is read."""

from __future__ import annotations

from collections.abc import Sequence


class CountyError(LookupError):
    """A `--county` that is not one of the configured counties (exit code 2): the message lists them."""


def checked_county(county: str | None, counties: Sequence[str]) -> str | None:
    """The county as configured, or None for the whole city; anything else is refused, naming the valid ones."""
    if county is None or county.strip() == "":
        return None
    name = county.strip()
    if name not in counties:
        raise CountyError(f"--county {county!r} 不是 rules/bureau.yaml 所列的县（市、区）。可选：{'、'.join(counties)}")
    return name


def county_file(prefix: str, county: str, suffix: str = ".xlsx") -> str:
    """`plan_阳城县.xlsx`: an extract's file name; writers put it through reports.safe.path_inside (R-20)."""
    return f"{prefix}_{county}{suffix}"
