"""The bureau's website (第十八、二十、二十一条): a static site built from plain data, path → bytes.

R-15 (第十八条 公示 and 变更公示), R-17 (第二十条 公布), R-18 (第二十一条 A级名单), R-14 (第十七条 revocations
shown with their clause), R-01 (every list by county), R-20 (escaped HTML, formula-safe CSV, file names
built by the program only).

Pure: no database, no clock. The build date `as_of` decides what is public (see `public_cycle`) and is
the "generated" date printed on every page, so the same data and date give the same bytes.
The official documents are the existing renderers of reports/render.py and reports/lifecycle.py (publicity
list, final results, A list, change notice), wrapped in the site's navigation; the site's own pages (home,
cycle, open data) reuse their contexts, macros and CSS. Only institution id, name, county and grade
(with its 第十七条 clause) are ever read from a result: nothing personal reaches the site, and the
free-text change reason is not published either (it is written by staff and may name people).

Layout (relative links only, so the folder can be copied under any path of any web server):
  index.html                          home: open 公示, latest 评价结果, 变更公示, cycles, open data
  cycles/<year>/index.html            cycle page: notice text, counts, SVG chart, lists by county, filter
  cycles/<year>/publicity-<D>.html    公示 published on D (reports.render)
  cycles/<year>/results.html          评价结果公布 (reports.lifecycle)
  cycles/<year>/a-list.html           A级名单 (reports.lifecycle, 第二十一条)
  cycles/<year>/change-<D>.html       变更公示 decided on D (reports.lifecycle)
  data/index.html, data/manifest.json, data/SHA256SUMS, data/<year>/*.csv|json   open data
  assets/site.css, assets/site.js     style and the optional filter (the pages work without it)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from reports.lifecycle import (
    change_notice_context,
    final_results_context,
    render_a_list_csv,
    render_a_list_html,
    render_change_notice_html,
    render_final_results_csv,
    render_final_results_html,
)
from reports.render import (
    _ENV,
    ART16_BANDS,
    NOT_RATED,
    TEMPLATES_DIR,
    _text,
    cn_date,
    objection_paragraphs,
    publicity_context,
    render_publicity_csv,
    render_publicity_html,
)

ASSETS_DIR = TEMPLATES_DIR / "site_assets"
PUBLICITY_STATES = ("in_publicity", "under_review")
FINAL_STATES = ("published", "shared")
# A version publicised on P stays in its 公示 until it is in the final results as of the build date: a
# result determined (or published after the build date) was public from P on, in the notice of P.
SHOWN_IN_PUBLICITY = (*PUBLICITY_STATES, "determined", *FINAL_STATES)
REVOKED = "revoked"
# Only these columns of a result are ever put in a frame handed to the renderers (no personal data).
PUBLIC_COLUMNS = ("institution_id", "name", "county", "status", "grade", "clause")
CHART_COLORS = {"A": "#1b5e20", "B": "#1f4e9c", "C": "#7a4f00", "D": "#b3261e", NOT_RATED: "#4a4a4a"}


# ---------------------------------------------------------------- input: plain data


@dataclass(frozen=True)
class ResultVersion:
    """One stored version of an institution's result, with the lifecycle dates (store.models.Result)."""

    institution_id: str
    version: int
    status: str  # rated | not_rated
    name: str = ""
    county: str = ""
    grade: str = ""
    clause: str = ""  # 第十七条 clause "1".."8", "" when none
    state: str = "scored"
    publicity_on: date | None = None
    publicity_last_day: date | None = None
    determined_on: date | None = None
    published_on: date | None = None
    revoked_on: date | None = None

    @property
    def revoked_or_published(self) -> date | None:
        return self.revoked_on or self.published_on


@dataclass(frozen=True)
class CycleData:
    """One evaluation cycle: year, the snapshot and index version its results came from, every result version."""

    year: int
    snapshot: str
    index_version: str
    versions: Sequence[ResultVersion]


# ---------------------------------------------------------------- what is public on the build date


@dataclass(frozen=True)
class Change:
    """A changed result publicised again (第十七条 revocation or 第十九条 upheld objection)."""

    cause: str  # revocation | objection
    before: ResultVersion
    after: ResultVersion
    first_day: date
    last_day: date


@dataclass
class PublicCycle:
    """The results of a cycle the public may see on `as_of`, each in the one list it belongs to."""

    cycle: CycleData
    publicity: dict[date, list[ResultVersion]] = field(default_factory=dict)  # by publication date
    windows: dict[date, date] = field(default_factory=dict)  # publication date → last day
    final: list[ResultVersion] = field(default_factory=list)
    revoked: dict[str, str] = field(default_factory=dict)  # institution id → the grade 第十七条 revoked
    changes: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.publicity or self.final or self.changes)


def _final_from(v: ResultVersion) -> date | None:
    """The day a version entered the final results: published_on; a revocation from the day it was decided."""
    if v.state in FINAL_STATES:
        return v.published_on
    if v.state == REVOKED:
        return v.revoked_on or v.published_on
    return None


def _public_from(v: ResultVersion) -> date | None:
    """The first day the public could see this version, or None if it never was public."""
    if v.state == "scored":
        return None  # scored only: never on the site
    final = _final_from(v)
    if v.publicity_on is not None and (final is None or v.publicity_on <= final):
        return v.publicity_on
    return final


def _is_final(v: ResultVersion, as_of: date) -> bool:
    """Published by `as_of` (a revoked version was published first; a revocation alone counts from revoked_on)."""
    if v.state in FINAL_STATES:
        return v.published_on is not None and v.published_on <= as_of
    if v.state == REVOKED:
        # A revoked version that is itself the D is public from the revocation; one keeping its old grade was
        # public from its publication.
        day = (v.revoked_or_published if _is_d_with_clause(v) else v.published_on)
        return day is not None and day <= as_of
    return False


def _is_d_with_clause(v: ResultVersion) -> bool:
    return v.status == "rated" and v.grade == "D" and bool(v.clause)


def _shown_final(
    final: ResultVersion, versions: list[ResultVersion], public: list[ResultVersion], as_of: date,
    out: PublicCycle, last_day_of: Callable[[date], date] | None,
) -> ResultVersion:
    """The row the final results show for an institution, recording a 第十七条 revocation (R-14) in `out`.

    Two ways a revocation may be stored, both read: the revoked version keeps the grade it had (state
    revoked, revoked_on) and a later version is D with the clause; or the revoked version itself is D with
    the clause and the grade it revoked is that of the newest earlier public version.
    """
    institution_id = final.institution_id
    revoked_now = final.state == REVOKED and (final.revoked_on or final.published_on or as_of) <= as_of
    if revoked_now and not _is_d_with_clause(final):
        later = next((v for v in reversed(versions) if v.version > final.version and _is_d_with_clause(v)
                      and (day := _public_from(v) or v.revoked_on) is not None and day <= as_of), None)
        if later is None:
            raise ValueError(f"{institution_id}: revoked (第十七条) but no later D result names its clause")
        if final.status == "rated" and final.grade:
            out.revoked[institution_id] = final.grade
        return later
    if _is_d_with_clause(final):
        gone = [v for v in versions if v.version < final.version and v.state == REVOKED and not _is_d_with_clause(v)
                and v.revoked_on is not None and v.revoked_on <= as_of and v.status == "rated" and v.grade]
        earlier = [v for v in public if v.version < final.version and not _same_result(v, final)]
        if gone:
            out.revoked[institution_id] = gone[-1].grade
        elif revoked_now and earlier and earlier[-1].status == "rated" and earlier[-1].grade:
            out.revoked[institution_id] = earlier[-1].grade
            first = final.revoked_on or final.publicity_on or final.published_on
            assert first is not None
            out.changes.append(Change("revocation", earlier[-1], final, first, _last_day(final, first, last_day_of)))
    return final


def _same_result(a: ResultVersion, b: ResultVersion) -> bool:
    return (a.status, a.grade, a.clause) == (b.status, b.grade, b.clause)


def public_cycle(
    cycle: CycleData, as_of: date, last_day_of: Callable[[date], date] | None = None
) -> PublicCycle:
    """What of a cycle is public on `as_of` (R-15, R-17, R-14): never a scored-only or future-dated result.

    Per institution, the newest version whose state is published/shared (from published_on) or revoked
    (from revoked_on) is its final result; the newest in_publicity/under_review version with
    publicity_on ≤ as_of, if newer, is in publicity (so is a determined one, or one published after
    as_of: it was public from its publicity date on): in the cycle's 公示 when no earlier version of it was
    public, else in a 变更公示. A 第十七条 revocation is shown as D with its clause and the grade it revoked
    (R-14; see _shown_final for the two ways the store may hold it). `last_day_of(P)` gives a window's last day when
    the store has none (e.g. a revocation's change publicity).
    """
    out = PublicCycle(cycle)
    by_institution: dict[str, list[ResultVersion]] = {}
    for v in cycle.versions:
        by_institution.setdefault(v.institution_id, []).append(v)
    for institution_id in sorted(by_institution):
        versions = sorted(by_institution[institution_id], key=lambda v: v.version)
        public = [v for v in versions if (day := _public_from(v)) is not None and day <= as_of]
        final = next((v for v in reversed(versions) if _is_final(v, as_of)), None)
        if final is not None:
            out.final.append(_shown_final(final, versions, public, as_of, out, last_day_of))
        in_publicity = next(
            (v for v in reversed(versions)
             if v.state in SHOWN_IN_PUBLICITY and v.publicity_on is not None and v.publicity_on <= as_of),
            None,
        )
        if in_publicity is None or (final is not None and final.version >= in_publicity.version):
            continue
        assert in_publicity.publicity_on is not None
        earlier = [v for v in public if v.version < in_publicity.version]
        if earlier and not _same_result(earlier[-1], in_publicity):
            cause = "revocation" if in_publicity.clause and in_publicity.clause != earlier[-1].clause else "objection"
            first = in_publicity.publicity_on
            out.changes.append(Change(cause, earlier[-1], in_publicity, first,
                                      _last_day(in_publicity, first, last_day_of)))
        else:
            day = in_publicity.publicity_on
            out.publicity.setdefault(day, []).append(in_publicity)
            out.windows[day] = max(out.windows.get(day, day), _last_day(in_publicity, day, last_day_of))
    return out


def _last_day(v: ResultVersion, first: date, last_day_of: Callable[[date], date] | None) -> date:
    if v.publicity_last_day is not None and v.publicity_last_day >= first and v.publicity_on == first:
        return v.publicity_last_day
    if last_day_of is not None:
        return last_day_of(first)
    if v.publicity_last_day is not None and v.publicity_last_day >= first:
        return v.publicity_last_day
    return first


def _frame(versions: Sequence[ResultVersion]) -> pd.DataFrame:
    """The public columns only, as the renderers read them (results.csv names)."""
    rows = [[v.institution_id, v.name, v.county, v.status, v.grade, v.clause] for v in versions]
    return pd.DataFrame(rows, columns=list(PUBLIC_COLUMNS), dtype="string")


def _result(v: ResultVersion) -> dict[str, str]:
    return {"status": v.status, "grade": v.grade, "clause": v.clause}


# ---------------------------------------------------------------- the site


@dataclass(frozen=True)
class Page:
    """A page of the site being built: its path and what the navigation needs to know."""

    path: str
    title: str


def _prefix(path: str) -> str:
    """The relative way back to the site root from a file at `path` ("cycles/2025/x.html" → "../../")."""
    return "../" * path.count("/")


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str) -> dict[str, Any]:
    """A horizontal bar chart of the grade distribution, laid out here and drawn as inline SVG (no service)."""
    totals = [sum(int(r["values"][i]) for r in rows) for i in range(len(columns))]
    top = max(totals, default=0) or 1
    left, width, bar, gap = 96, 360, 28, 12
    bars = []
    for i, (label, count) in enumerate(zip(columns, totals, strict=True)):
        length = round(width * count / top) if count else 0
        key = label[:-1] if label.endswith("级") else label
        bars.append({
            "label": label, "count": count, "y": 10 + i * (bar + gap), "width": length,
            "color": CHART_COLORS.get(key, "#4a4a4a"), "text_x": left + length + 8,
        })
    height = 10 + len(bars) * (bar + gap)
    described = "，".join(f"{b['label']}{b['count']}家" for b in bars)
    return {"title": title, "desc": f"{title}：{described}。", "bars": bars, "left": left, "bar": bar,
            "width": left + width + 64, "height": height}


def _site_frame(ctx: Mapping[str, Any], *, as_of: date, cycle: CycleData | None, path: str,
                nav: Sequence[Mapping[str, str]], current: str) -> dict[str, Any]:
    return {
        "prefix": _prefix(path),
        "nav": [{**n, "current": n["key"] == current} for n in nav],
        "site_title": f"{_text(ctx['bureau'])}·社会环境监测机构信用风险等级评价信息公开",
        "generated_on": cn_date(as_of),
        "generated_on_iso": as_of.isoformat(),
        "cycle_meta": (
            None if cycle is None
            else {"year": cycle.year, "snapshot": cycle.snapshot, "index_version": cycle.index_version}
        ),
    }


def _wrap(html: str, frame: Mapping[str, Any]) -> str:
    """An official document (reports.render / reports.lifecycle page) inside the site's header and footer."""
    head = f'<link rel="stylesheet" href="{frame["prefix"]}assets/site.css">\n</head>'
    header = _ENV.get_template("_site_chrome.html.j2").module.header(frame)  # type: ignore[attr-defined]
    footer = _ENV.get_template("_site_chrome.html.j2").module.footer(frame)  # type: ignore[attr-defined]
    for marker in ("</head>", "<body>\n", "</body>"):
        if html.count(marker) != 1:
            raise ValueError(f"cannot place the site navigation: {marker!r} found {html.count(marker)} times")
    html = html.replace("</head>", head).replace("<body>\n", f"<body>\n{header}").replace("</body>", f"{footer}</body>")
    return html


def build_site(
    cycles: Sequence[CycleData],
    *,
    as_of: date,
    bureau: Mapping[str, Any],
    procedure: Mapping[str, Any] | None = None,
    last_day_of: Callable[[date], date] | None = None,
    grade_bands: Sequence[Any] = ART16_BANDS,
) -> dict[str, bytes]:
    """Every file of the site as of `as_of`, path (with "/") → bytes (R-15, R-17, R-18, R-20).

    `bureau` is rules/bureau.yaml, `procedure` rules/procedure.yaml (time limits in working days);
    `last_day_of(P)` is the last day of a publicity window published on P (used when the store has none).
    """
    procedure = procedure or {}
    days = {
        "publicity_working_days": int(procedure.get("publicity_working_days", 15)),
        "review_working_days": int(procedure.get("objection_review_working_days", 15)),
    }
    publication_days = int(procedure.get("publication_working_days", 7))
    views = [public_cycle(c, as_of, last_day_of) for c in sorted(cycles, key=lambda c: c.year, reverse=True)]
    views = [v for v in views if not v.empty]
    files: dict[str, bytes] = {}
    data_files: dict[str, tuple[bytes, int]] = {}  # path under data/ → bytes, rows
    generated = as_of.isoformat()
    bureau_name = _text(bureau["bureau"])
    grades = [b.grade for b in grade_bands]
    grade_columns = [*(f"{g}级" for g in grades), NOT_RATED]

    latest_final = next((v for v in views if v.final), None)
    nav = [
        {"key": "home", "href": "index.html", "label": "首页"},
        *([{"key": "a-list", "href": f"cycles/{latest_final.cycle.year}/a-list.html", "label": "A级名单"}]
          if latest_final else []),
        {"key": "data", "href": "data/index.html", "label": "开放数据"},
    ]
    home: dict[str, Any] = {"open_notices": [], "latest": None, "changes": [], "cycles": []}

    for view in views:
        cycle = view.cycle
        year = cycle.year
        base = f"cycles/{year}"
        cycle_links: list[dict[str, str]] = []
        lists: list[dict[str, Any]] = []  # sections of the cycle page
        notice_texts: list[dict[str, Any]] = []

        def frame_for(path: str, current: str = "cycle", _cycle: CycleData = cycle) -> dict[str, Any]:
            return _site_frame({"bureau": bureau_name}, as_of=as_of, cycle=_cycle, path=path, nav=nav,
                               current=current)

        # 公示 (R-15 第十八条), one notice per publication date.
        for day in sorted(view.publicity):
            last = view.windows[day]
            ctx = publicity_context(
                _frame(view.publicity[day]), year=year, publication_date=day, first_day=day, last_day=last,
                bureau=bureau, draft=False, generated_at=generated, snapshot=cycle.snapshot,
                index_version=cycle.index_version, grade_bands=grade_bands, **days,
            )
            path = f"{base}/publicity-{day.isoformat()}.html"
            files[path] = _wrap(render_publicity_html(ctx), frame_for(path)).encode("utf-8")
            csv_name = f"{year}/publicity-{day.isoformat()}"
            data_files[f"{csv_name}.csv"] = (render_publicity_csv(ctx), len(ctx["rows"]))
            data_files[f"{csv_name}.json"] = (_json_bytes(_list_json(ctx, "publicity", cycle, as_of, {
                "publication_date": day.isoformat(), "first_day": day.isoformat(), "last_day": last.isoformat(),
            })), len(ctx["rows"]))
            is_open = day <= as_of <= last
            link = {"href": path, "title": ctx["title"], "first_day": ctx["window"]["first_day"],
                    "last_day": ctx["window"]["last_day"], "first_day_iso": day.isoformat(),
                    "last_day_iso": last.isoformat(), "open": is_open,
                    "working_days": days["publicity_working_days"]}
            cycle_links.append({"href": path, "label": f"{ctx['title']}（{cn_date(day)}）"})
            notice_texts.append({"kind": "publicity", "ctx": ctx, "link": link})
            for row in ctx["rows"]:  # the lists macro of the final results also shows a revoked grade
                row.setdefault("revoked_grade", "")
            lists.append({"id": f"publicity-{day.isoformat()}", "heading": f"公示名单（{ctx['window']['text']}）",
                          "counties": ctx["counties"], "count_rows": ctx["count_rows"],
                          "count_totals": ctx["count_totals"], "grade_columns": ctx["grade_columns"]})
            if is_open:
                home["open_notices"].append({**link, "year": year, "objection": ctx["objection"],
                                             "count_totals": ctx["count_totals"],
                                             "grade_columns": ctx["grade_columns"]})

        # 评价结果公布 (R-17 第二十条) and the A list (R-18 第二十一条).
        if view.final:
            # 第二十条 dates of the list: the latest publication and determination among its rows.
            published = max((v.published_on for v in view.final if v.published_on), default=None)
            published = published or max(v.revoked_or_published or as_of for v in view.final)
            determined = max((v.determined_on for v in view.final if v.determined_on), default=published)
            determined = min(determined, published)
            ctx = final_results_context(
                _frame(view.final), year=year, determined_on=determined, published_on=published, bureau=bureau,
                snapshot=cycle.snapshot, index_version=cycle.index_version, generated_at=generated,
                grade_bands=grade_bands, revoked=view.revoked, publication_working_days=publication_days,
            )
            path, a_path = f"{base}/results.html", f"{base}/a-list.html"
            files[path] = _wrap(render_final_results_html(ctx), frame_for(path)).encode("utf-8")
            files[a_path] = _wrap(render_a_list_html(ctx), frame_for(a_path, "a-list")).encode("utf-8")
            dates = {"determined_on": determined.isoformat(), "published_on": published.isoformat()}
            data_files[f"{year}/results.csv"] = (render_final_results_csv(ctx), len(ctx["rows"]))
            data_files[f"{year}/results.json"] = (
                _json_bytes(_list_json(ctx, "final_results", cycle, as_of, dates)), len(ctx["rows"]))
            data_files[f"{year}/a-list.csv"] = (render_a_list_csv(ctx), len(ctx["a_list"]["rows"]))
            data_files[f"{year}/a-list.json"] = (
                _json_bytes(_list_json(ctx["a_list"], "a_list", cycle, as_of,
                                       dates)), len(ctx["a_list"]["rows"]))
            cycle_links.append({"href": path, "label": ctx["title"]})
            cycle_links.append({"href": a_path, "label": ctx["a_list"]["title"]})
            notice_texts.insert(0, {"kind": "final", "ctx": ctx})
            lists.insert(0, {"id": "results", "heading": "评价结果", "counties": ctx["counties"],
                             "count_rows": ctx["count_rows"], "count_totals": ctx["count_totals"],
                             "grade_columns": ctx["grade_columns"]})
            if home["latest"] is None:
                home["latest"] = {"year": year, "href": path, "a_href": a_path, "title": ctx["title"],
                                  "a_title": ctx["a_list"]["title"], "a_total": ctx["a_list"]["total"],
                                  "published_on": ctx["published_on"], "published_on_iso": ctx["published_on_iso"],
                                  "determined_on": ctx["determined_on"], "grade_columns": ctx["grade_columns"],
                                  "count_totals": ctx["count_totals"], "revoked_count": ctx["revoked_count"]}

        # 变更公示 (R-14 第十七条, R-15 第十八条), one notice per first day.
        by_day: dict[date, list[Change]] = {}
        for change in view.changes:
            by_day.setdefault(change.first_day, []).append(change)
        for day in sorted(by_day):
            group = by_day[day]
            last = max(c.last_day for c in group)
            ctx = change_notice_context(
                [{"institution_id": c.after.institution_id, "name": c.after.name, "county": c.after.county,
                  "cause": c.cause, "decided_on": day, "before": _result(c.before), "after": _result(c.after)}
                 for c in group],
                year=year, publication_date=day, first_day=day, last_day=last, bureau=bureau,
                generated_at=generated, grade_bands=grade_bands, **days,
            )
            path = f"{base}/change-{day.isoformat()}.html"
            files[path] = _wrap(render_change_notice_html(ctx), frame_for(path)).encode("utf-8")
            link = {"href": path, "title": ctx["title"], "year": year, "date": cn_date(day),
                    "date_iso": day.isoformat(), "window": ctx["window"]["text"],
                    "open": day <= as_of <= last, "count": len(ctx["rows"]),
                    "rows": [{"name": r["name"], "institution_id": r["institution_id"], "before": r["before"],
                              "after": r["after"]} for r in ctx["rows"]]}
            home["changes"].append(link)
            cycle_links.append({"href": path, "label": f"{ctx['title']}（{cn_date(day)}）"})

        # The cycle page: notice text, counts, chart, the lists by county with the filter.
        path = f"{base}/index.html"
        counties = [str(c) for c in bureau.get("counties", [])]
        for section in lists:
            section["chart"] = _chart(section["count_rows"], grade_columns,
                                      f"{year}年度{section['heading']}信用风险等级分布") | {"id": f"{section['id']}-chart"}
        page = {
            **frame_for(path),
            "title": f"{year}年度社会环境监测机构信用风险等级评价",
            "year": year,
            "bureau": bureau_name,
            "notices": notice_texts,
            "lists": lists,
            "links": cycle_links,
            "counties": counties + sorted({c["name"] for s in lists for c in s["counties"]} - set(counties)),
            "grades": [{"value": g, "label": f"{g}级"} for g in grades] + [{"value": "none", "label": NOT_RATED}],
            "objection": objection_paragraphs(bureau_name, max(view.windows.values()), days["review_working_days"])
            if view.windows else [],
        }
        page["f"] = frame_for(path)
        files[path] = _ENV.get_template("site_cycle.html.j2").render(**page).encode("utf-8")
        home["cycles"].append({"year": year, "href": path, "links": cycle_links, "snapshot": cycle.snapshot,
                               "index_version": cycle.index_version})

    # Open data: the lists as CSV and JSON, with SHA-256 sums (R-17).
    manifest = {
        "generated_on": generated,
        "bureau": bureau_name,
        "cycles": [{"year": v.cycle.year, "snapshot": v.cycle.snapshot, "index_version": v.cycle.index_version}
                   for v in views],
        "files": [{"path": p, "bytes": len(d), "rows": n, "sha256": _sha256(d)} for p, (d, n) in sorted(data_files.items())],
    }
    for name, (data, _) in data_files.items():
        files[f"data/{name}"] = data
    files["data/manifest.json"] = _json_bytes(manifest)
    files["data/SHA256SUMS"] = "".join(f"{f['sha256']}  {f['path']}\n" for f in manifest["files"]).encode("utf-8")
    data_page = {**_site_frame({"bureau": bureau_name}, as_of=as_of, cycle=None, path="data/index.html", nav=nav,
                               current="data"),
                 "title": "开放数据", "files": manifest["files"], "cycles": manifest["cycles"]}
    data_page["f"] = {**data_page, "cycle_versions": manifest["cycles"]}
    files["data/index.html"] = _ENV.get_template("site_data.html.j2").render(**data_page).encode("utf-8")

    home_page = {**_site_frame({"bureau": bureau_name}, as_of=as_of, cycle=None, path="index.html", nav=nav,
                               current="home"),
                 "title": f"{bureau_name}社会环境监测机构信用风险等级评价信息公开", "bureau": bureau_name,
                 "website": _text(bureau.get("website")), **home}
    home_page["f"] = {**home_page, "cycle_versions": manifest["cycles"]}
    files["index.html"] = _ENV.get_template("site_home.html.j2").render(**home_page).encode("utf-8")
    for asset in ("site.css", "site.js"):
        files[f"assets/{asset}"] = Path(ASSETS_DIR / asset).read_bytes()
    return dict(sorted(files.items()))


def _list_json(ctx: Mapping[str, Any], kind: str, cycle: CycleData, as_of: date, dates: Mapping[str, str]) -> dict:
    """A published list as open data: the public columns of each row, and where it came from."""
    return {
        "kind": kind,
        "title": ctx["title"],
        "year": cycle.year,
        "generated_on": as_of.isoformat(),
        "snapshot": cycle.snapshot,
        "index_version": cycle.index_version,
        **dates,
        "records": [
            {"seq": r["seq"], "institution_id": r["institution_id"], "name": r["name"], "county": r["county"],
             "grade": "" if r["grade"] == NOT_RATED else r["grade"], "status": "not_rated" if r["grade"] == NOT_RATED
             else "rated", "grade_text": r["grade_text"], "clause": r["clause"],
             "revoked_grade": r.get("revoked_grade", ""), "note": r.get("note", "")}
            for r in ctx["rows"]
        ],
    }
