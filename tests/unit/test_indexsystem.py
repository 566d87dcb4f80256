"""The index system is data that checks itself on load (第十四、十五、十六条; R-10, R-12, R-13)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from credit.indexsystem import IndexSystemError, load_index_system, parse_index_system

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "rules" / "index" / "jc-2024.1.yaml"
SPEC = ROOT.parent / "shared" / "INDEX_SYSTEM.md"


def raw() -> dict:
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def spec_rows() -> dict[str, tuple[str, str]]:
    """code → (points, cap) from the table in INDEX_SYSTEM.md."""
    rows = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"[A-Z]{2}-\d\d", cells[2]):
            rows[cells[2]] = (cells[5], cells[6])
    return rows


def test_R12_the_default_version_loads_with_its_version_source_and_effective_date():
    index = load_index_system("jc-2024.1")
    assert index.version == "jc-2024.1"
    assert index.effective_from.isoformat() == "2024-01-01"
    assert "晋城市社会环境监测机构服务管理办法" in index.source


def test_R10_every_indicator_of_the_published_table_has_its_points_and_cap():
    index = load_index_system("jc-2024.1")
    expected = spec_rows()
    assert set(index.indicators) == set(expected)
    for code, (points, cap) in expected.items():
        indicator = index.indicators[code]
        assert indicator.cap == int(cap) * 10, code
        if points != "tiered":
            assert indicator.points == round(float(points.split()[0]) * 10), code


def test_R10_dimension_caps_and_the_four_dimensions_plus_bonus():
    index = load_index_system("jc-2024.1")
    caps = {d.code: d.cap for d in index.dimensions}
    assert caps == {"basic": 150, "execution": 400, "management": 150, "integrity": 400, "bonus": 50}


def test_CX02_tiers_are_ordered_and_the_last_is_unbounded():
    tiers = load_index_system("jc-2024.1").indicators["CX-02"].tiers
    assert [(str(t.up_to), t.points) for t in tiers] == [("10000", 100), ("50000", 150), ("100000", 200),
                                                         ("None", 250)]


def test_the_eight_clauses_of_article_17_are_data():
    assert sorted(load_index_system("jc-2024.1").clauses) == list(range(1, 9))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["dimensions"][0]["indicators"].append(copy.deepcopy(r["dimensions"][0]["indicators"][0])),
         "appears twice"),
        (lambda r: r["dimensions"][1]["indicators"][0].update(points=0.25), "more than one decimal"),
        (lambda r: r["dimensions"][0].update(cap=1.55), "more than one decimal"),
        (lambda r: r["grades"].pop(), "score floor"),
        (lambda r: r["grades"].append({"grade": "E", "label": "x", "min": 90}), "share a lower bound"),
        (lambda r: r["dimensions"][0]["indicators"][0].pop("detector"), "names no detector"),
        (lambda r: r["dimensions"][0]["indicators"][0].update(trigger="manual"), "auto or event"),
        (lambda r: r["dimensions"][3]["indicators"][1]["tiers"].reverse(), "only the last tier"),
        (lambda r: r.update(direct_grade="X"), "is not a grade"),
    ],
)
def test_a_broken_index_file_is_refused_on_load_with_the_entry_named(change, message):
    data = raw()
    change(data)
    with pytest.raises(IndexSystemError, match=message):
        parse_index_system(data, where="test.yaml")


def test_an_unknown_version_names_the_known_ones():
    with pytest.raises(IndexSystemError, match="jc-2024.1"):
        load_index_system("jc-1999.9")
