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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from credit.lifecycle import (
    DETERMINED,
    IN_PUBLICITY,
    PUBLISHED,
    REVOKED,
    SCORED,
    SHARED,
    UNDER_REVIEW,
    Procedure,
)
from reports.common import (
    ENV,
    NOT_RATED,
    TEMPLATES_DIR,
    Band,
    Context,
    bands_or_rules,
    clean_text,
    cn_date,
    days_or_rules,
    direct_grade_of,
    json_bytes,
)
from reports.lifecycle import (
    change_notice_context,
    final_results_context,
    render_a_list_csv,
    render_a_list_html,
    render_change_notice_html,
    render_final_results_csv,
    render_final_results_html,
)
from reports.render import publicity_context, render_publicity_csv, render_publicity_html

ASSETS_DIR = TEMPLATES_DIR / "site_assets"
PUBLICITY_STATES = (IN_PUBLICITY, UNDER_REVIEW)
FINAL_STATES = (PUBLISHED, SHARED)
# A version publicised on P stays in its 公示 until it is in the final results as of the build date: a
# result determined (or published after the build date) was public from P on, in the notice of P.
SHOWN_IN_PUBLICITY = (*PUBLICITY_STATES, DETERMINED, *FINAL_STATES)
# Only these columns of a result are ever put in a frame handed to the renderers (no personal data).
PUBLIC_COLUMNS = ("institution_id", "name", "county", "status", "grade", "clause")
# Chart bars by band, the lowest risk first (a band past the palette, and 不予评定, in grey).
CHART_PALETTE = ("#1b5e20", "#1f4e9c", "#7a4f00", "#b3261e")
CHART_GREY = "#4a4a4a"


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
    state: str = SCORED
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
    revoked_on: dict[str, date] = field(default_factory=dict)  # institution id → the day it was revoked
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
    if v.state == SCORED:
        return None  # scored only: never on the site
    final = _final_from(v)
    if v.publicity_on is not None and (final is None or v.publicity_on <= final):
        return v.publicity_on
    return final


def _is_final(v: ResultVersion, as_of: date, direct: str) -> bool:
    """Published by `as_of` (a revoked version was published first; a revocation alone counts from revoked_on)."""
    if v.state in FINAL_STATES:
        return v.published_on is not None and v.published_on <= as_of
    if v.state == REVOKED:
        # A revoked version that is itself the direct grade is public from the revocation; one keeping its old
        # grade was public from its publication.
        day = (v.revoked_or_published if _is_direct(v, direct) else v.published_on)
        return day is not None and day <= as_of
    return False


def _is_direct(v: ResultVersion, direct: str) -> bool:
    """第十七条: the direct grade with the clause it rests on."""
    return v.status == "rated" and v.grade == direct and bool(v.clause)


def _shown_final(
    final: ResultVersion, versions: list[ResultVersion], public: list[ResultVersion], as_of: date,
    out: PublicCycle, last_day_of: Callable[[date], date] | None, direct: str,
) -> ResultVersion:
    """The row the final results show for an institution, recording a 第十七条 revocation (R-14) in `out`.

    Two ways a revocation may be stored, both read: the revoked version keeps the grade it had (state
    revoked, revoked_on) and a later version is the direct grade (D) with the clause; or the revoked version
    itself is D with the clause and the grade it revoked is that of the newest earlier public version.
    """
    institution_id = final.institution_id
    revoked_now = final.state == REVOKED and (final.revoked_on or final.published_on or as_of) <= as_of
    if revoked_now and not _is_direct(final, direct):
        later = next((v for v in reversed(versions) if v.version > final.version and _is_direct(v, direct)
                      and (day := _public_from(v) or v.revoked_on) is not None and day <= as_of), None)
        if later is None:
            raise ValueError(f"{institution_id}: revoked (第十七条) but no later {direct} result names its clause")
        if final.status == "rated" and final.grade:
            out.revoked[institution_id] = final.grade
            if final.revoked_on is not None:
                out.revoked_on[institution_id] = final.revoked_on
        return later
    if _is_direct(final, direct):
        gone = [v for v in versions if v.version < final.version and v.state == REVOKED and not _is_direct(v, direct)
                and v.revoked_on is not None and v.revoked_on <= as_of and v.status == "rated" and v.grade]
        earlier = [v for v in public if v.version < final.version and not _same_result(v, final)]
        if gone:
            out.revoked[institution_id] = gone[-1].grade
            if gone[-1].revoked_on is not None:
                out.revoked_on[institution_id] = gone[-1].revoked_on
        elif revoked_now and earlier and earlier[-1].status == "rated" and earlier[-1].grade:
            out.revoked[institution_id] = earlier[-1].grade
            if final.revoked_on is not None:
                out.revoked_on[institution_id] = final.revoked_on
            first = final.revoked_on or final.publicity_on or final.published_on
            assert first is not None
            out.changes.append(Change("revocation", earlier[-1], final, first, _last_day(final, first, last_day_of)))
    return final


def _same_result(a: ResultVersion, b: ResultVersion) -> bool:
    return (a.status, a.grade, a.clause) == (b.status, b.grade, b.clause)


def public_cycle(
    cycle: CycleData, as_of: date, last_day_of: Callable[[date], date] | None = None,
    direct_grade: str | None = None,
) -> PublicCycle:
    """What of a cycle is public on `as_of` (R-15, R-17, R-14): never a scored-only or future-dated result.

    Per institution, the newest version whose state is published/shared (from published_on) or revoked
    (from revoked_on) is its final result; the newest in_publicity/under_review version with
    publicity_on ≤ as_of, if newer, is in publicity (so is a determined one, or one published after
    as_of: it was public from its publicity date on): in the cycle's 公示 when no earlier version of it was
    public, else in a 变更公示. A 第十七条 revocation is shown as D with its clause and the grade it revoked
    (R-14; see _shown_final for the two ways the store may hold it). `last_day_of(P)` gives a window's last day when
    the store has none (e.g. a revocation's change publicity). `direct_grade` is 第十七条's (rules.direct_grade;
    default: the last band of the cycle's index system).
    """
    direct = direct_grade or direct_grade_of(bands_or_rules(None, index_version=cycle.index_version))
    out = PublicCycle(cycle)
    by_institution: dict[str, list[ResultVersion]] = {}
    for v in cycle.versions:
        by_institution.setdefault(v.institution_id, []).append(v)
    for institution_id in sorted(by_institution):
        versions = sorted(by_institution[institution_id], key=lambda v: v.version)
        public = [v for v in versions if (day := _public_from(v)) is not None and day <= as_of]
        final = next((v for v in reversed(versions) if _is_final(v, as_of, direct)), None)
        if final is not None:
            out.final.append(_shown_final(final, versions, public, as_of, out, last_day_of, direct))
            _closed_change(out.final[-1], public, out, last_day_of)
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


def _closed_change(final: ResultVersion, public: list[ResultVersion], out: PublicCycle,
                   last_day_of: Callable[[date], date] | None) -> None:
    """A final result that was publicised as a change keeps its 变更公示 after the window (第十八条)."""
    first = final.publicity_on
    if first is None or final.state not in FINAL_STATES:
        return
    if any(c.after.institution_id == final.institution_id and c.after.version == final.version for c in out.changes):
        return
    earlier = [v for v in public if v.version < final.version]
    if earlier and not _same_result(earlier[-1], final):
        cause = "revocation" if final.clause and final.clause != earlier[-1].clause else "objection"
        out.changes.append(Change(cause, earlier[-1], final, first, _last_day(final, first, last_day_of)))


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


def _final_frame(view: PublicCycle) -> pd.DataFrame:
    """The final results with each row's own determination and publication dates (第二十条): a result
    revoked by 第十七条 and not yet published again is dated by its revocation."""
    frame = _frame(view.final)
    days = [_row_dates(v, view.revoked_on.get(v.institution_id)) for v in view.final]
    frame["determined_on"] = pd.Series([d.isoformat() if d else None for d, _ in days], dtype="string")
    frame["published_on"] = pd.Series([p.isoformat() if p else None for _, p in days], dtype="string")
    return frame


def _row_dates(v: ResultVersion, revoked_on: date | None) -> tuple[date | None, date | None]:
    if v.state in FINAL_STATES or revoked_on is None:
        return v.determined_on or v.published_on, v.published_on
    return revoked_on, revoked_on


def _result(v: ResultVersion) -> dict[str, str]:
    return {"status": v.status, "grade": v.grade, "clause": v.clause}


# ---------------------------------------------------------------- the site: rules, frames, page contexts


@dataclass(frozen=True)
class SiteRules:
    """What the site states from the rules in force: the grade bands (第十六条) and the procedure's working days."""

    bands: Sequence[Band]
    publicity_days: int  # 第十八条
    review_days: int  # 第十九条
    publication_days: int  # 第二十条

    @property
    def grades(self) -> list[str]:
        return [b.grade for b in self.bands]

    @property
    def direct_grade(self) -> str:
        return direct_grade_of(self.bands)

    @property
    def days(self) -> dict[str, int]:
        """The day counts as the notice contexts take them."""
        return {"publicity_working_days": self.publicity_days, "review_working_days": self.review_days}

    @property
    def colors(self) -> dict[str, str]:
        return {g: CHART_PALETTE[i] if i < len(CHART_PALETTE) else CHART_GREY for i, g in enumerate(self.grades)}


def site_rules(
    grade_bands: Sequence[Band] | None, procedure: Procedure | Mapping[str, Any] | None, index_version: str | None,
) -> SiteRules:
    """The bands given (else the index system's) and the limits of `procedure` (rules.procedure, or
    rules/procedure.yaml as read; else rules/procedure.yaml)."""
    if isinstance(procedure, Mapping):
        procedure = Procedure.from_rules(dict(procedure)) if procedure else None
    bands = bands_or_rules(grade_bands, index_version=index_version) if grade_bands or index_version else []
    return SiteRules(
        bands=bands,
        publicity_days=days_or_rules(procedure.publicity if procedure else None, "publicity"),
        review_days=days_or_rules(procedure.review if procedure else None, "review"),
        publication_days=days_or_rules(procedure.publication if procedure else None, "publication"),
    )


@dataclass(frozen=True)
class SiteFrame(Context):
    """The site's header and footer around one page: the way back to the root, the navigation, the build date."""

    prefix: str
    nav: list[dict[str, Any]]
    site_title: str
    generated_on: str
    generated_on_iso: str
    cycle_meta: dict[str, Any] | None
    cycle_versions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CyclePage(Context):
    """cycles/<year>/index.html: notice text, counts, chart, the lists by county with the filter."""

    f: SiteFrame
    prefix: str
    title: str
    notices: list[dict[str, Any]]
    lists: list[dict[str, Any]]
    links: list[dict[str, str]]
    counties: list[str]
    grades: list[dict[str, str]]


@dataclass(frozen=True)
class DataPage(Context):
    """data/index.html: every open-data file with its rows and SHA-256 (R-17)."""

    f: SiteFrame
    prefix: str
    title: str
    generated_on: str
    files: list[dict[str, Any]]
    kinds: str  # the lists the files hold, e.g. "公示名单、评价结果和A级名单"


@dataclass(frozen=True)
class HomePage(Context):
    """index.html: the open 公示, the latest 评价结果 and A list, 变更公示, every cycle."""

    f: SiteFrame
    prefix: str
    title: str
    bureau: str
    generated_on: str
    open_notices: list[dict[str, Any]]
    latest: dict[str, Any] | None
    changes: list[dict[str, Any]]
    cycles: list[dict[str, Any]]
    data_kinds: str


@dataclass
class CycleParts:
    """What a cycle's documents give its cycle page: links, list sections and notice texts, in page order."""

    links: list[dict[str, str]] = field(default_factory=list)
    lists: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Site:
    """The site being built as of `as_of`: its files, the open data and what the home page lists."""

    as_of: date
    bureau: Mapping[str, Any]
    rules: SiteRules
    nav: list[dict[str, str]]
    files: dict[str, bytes] = field(default_factory=dict)
    data_files: dict[str, tuple[bytes, int]] = field(default_factory=dict)  # path under data/ → bytes, rows
    open_notices: list[dict[str, Any]] = field(default_factory=list)
    latest: dict[str, Any] | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    cycles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def bureau_name(self) -> str:
        return clean_text(self.bureau["bureau"])

    @property
    def generated(self) -> str:
        return self.as_of.isoformat()

    def frame(self, path: str, current: str = "cycle", cycle: CycleData | None = None,
              cycle_versions: list[dict[str, Any]] | None = None) -> SiteFrame:
        return SiteFrame(
            prefix=_prefix(path),
            nav=[{**n, "current": n["key"] == current} for n in self.nav],
            site_title=f"{self.bureau_name}·社会环境监测机构信用风险等级评价信息公开",
            generated_on=cn_date(self.as_of),
            generated_on_iso=self.as_of.isoformat(),
            cycle_meta=(None if cycle is None
                        else {"year": cycle.year, "snapshot": cycle.snapshot, "index_version": cycle.index_version}),
            cycle_versions=cycle_versions or [],
        )

    def document(self, path: str, html: str, cycle: CycleData, current: str = "cycle") -> None:
        """An official document (reports.render / reports.lifecycle page) in the site's header and footer."""
        self.files[path] = _wrap(html, self.frame(path, current, cycle)).encode("utf-8")

    def data(self, name: str, content: bytes, rows: int) -> None:
        self.data_files[name] = (content, rows)


def _prefix(path: str) -> str:
    """The relative way back to the site root from a file at `path` ("cycles/2025/x.html" → "../../")."""
    return "../" * path.count("/")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str,
           colors: Mapping[str, str]) -> dict[str, Any]:
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
            "color": colors.get(key, CHART_GREY), "text_x": left + length + 8,
        })
    height = 10 + len(bars) * (bar + gap)
    described = "，".join(f"{b['label']}{b['count']}家" for b in bars)
    return {"title": title, "desc": f"{title}：{described}。", "bars": bars, "left": left, "bar": bar,
            "width": left + width + 64, "height": height}


def _wrap(html: str, frame: SiteFrame) -> str:
    """An official document (reports.render / reports.lifecycle page) inside the site's header and footer."""
    head = f'<link rel="stylesheet" href="{frame.prefix}assets/site.css">\n</head>'
    chrome = ENV.get_template("_site_chrome.html.j2").module
    header = chrome.header(frame)  # type: ignore[attr-defined]
    footer = chrome.footer(frame)  # type: ignore[attr-defined]
    for marker in ("</head>", "<body>\n", "</body>"):
        if html.count(marker) != 1:
            raise ValueError(f"cannot place the site navigation: {marker!r} found {html.count(marker)} times")
    html = html.replace("</head>", head).replace("<body>\n", f"<body>\n{header}").replace("</body>", f"{footer}</body>")
    return html


# ---------------------------------------------------------------- the site: one function per page kind


def build_site(
    cycles: Sequence[CycleData],
    *,
    as_of: date,
    bureau: Mapping[str, Any],
    procedure: Procedure | Mapping[str, Any] | None = None,
    last_day_of: Callable[[date], date] | None = None,
    grade_bands: Sequence[Band] | None = None,
) -> dict[str, bytes]:
    """Every file of the site as of `as_of`, path (with "/") → bytes (R-15, R-17, R-18, R-20).

    `bureau` is rules/bureau.yaml, `procedure` the time limits in working days (rules.procedure, or
    rules/procedure.yaml as read), `grade_bands` rules.index.grades; `last_day_of(P)` is the last day of
    a publicity window published on P (used when the store has none).
    """
    ordered = sorted(cycles, key=lambda c: c.year, reverse=True)
    rules = site_rules(grade_bands, procedure, ordered[0].index_version if ordered else None)
    views = [public_cycle(c, as_of, last_day_of, rules.direct_grade) for c in ordered] if ordered else []
    views = [v for v in views if not v.empty]
    latest_final = next((v for v in views if v.final), None)
    nav = [
        {"key": "home", "href": "index.html", "label": "首页"},
        *([{"key": "a-list", "href": f"cycles/{latest_final.cycle.year}/a-list.html", "label": "A级名单"}]
          if latest_final else []),
        {"key": "data", "href": "data/index.html", "label": "开放数据"},
    ]
    site = Site(as_of=as_of, bureau=bureau, rules=rules, nav=nav)
    for view in views:
        parts = CycleParts()
        publicity_pages(site, view, parts)
        final_pages(site, view, parts)
        change_pages(site, view, parts)
        cycle_page(site, view, parts)
    manifest = open_data(site, views)
    data_page(site, manifest)
    home_page(site, manifest)
    for asset in ("site.css", "site.js"):
        site.files[f"assets/{asset}"] = Path(ASSETS_DIR / asset).read_bytes()
    return dict(sorted(site.files.items()))


def publicity_pages(site: Site, view: PublicCycle, parts: CycleParts) -> None:
    """公示 (R-15 第十八条), one notice per publication date, with its list as open data."""
    cycle, year, as_of = view.cycle, view.cycle.year, site.as_of
    for day in sorted(view.publicity):
        last = view.windows[day]
        ctx = publicity_context(
            _frame(view.publicity[day]), year=year, publication_date=day, first_day=day, last_day=last,
            bureau=site.bureau, draft=False, generated_at=site.generated, snapshot=cycle.snapshot,
            index_version=cycle.index_version, grade_bands=site.rules.bands, **site.rules.days,
        )
        path = f"cycles/{year}/publicity-{day.isoformat()}.html"
        site.document(path, render_publicity_html(ctx), cycle)
        csv_name = f"{year}/publicity-{day.isoformat()}"
        site.data(f"{csv_name}.csv", render_publicity_csv(ctx), len(ctx.rows))
        site.data(f"{csv_name}.json", json_bytes(_list_json(ctx, "publicity", cycle, as_of, {
            "publication_date": day.isoformat(), "first_day": day.isoformat(), "last_day": last.isoformat(),
        })), len(ctx.rows))
        is_open = day <= as_of <= last
        link = {"href": path, "title": ctx.title, "first_day": ctx.window.first_day,
                "last_day": ctx.window.last_day, "first_day_iso": day.isoformat(),
                "last_day_iso": last.isoformat(), "open": is_open, "working_days": site.rules.publicity_days}
        parts.links.append({"href": path, "label": f"{ctx.title}（{cn_date(day)}）"})
        parts.notices.append({"kind": "publicity", "ctx": ctx, "link": link})
        for row in ctx.rows:  # the lists macro of the final results also shows a revoked grade
            row.setdefault("revoked_grade", "")
        parts.lists.append({"id": f"publicity-{day.isoformat()}", "heading": f"公示名单（{ctx.window.text}）",
                            "counties": ctx.counties, "count_rows": ctx.count_rows,
                            "count_totals": ctx.count_totals, "grade_columns": ctx.grade_columns,
                            "dated_rows": False})
        if is_open:
            site.open_notices.append({**link, "year": year, "objection": ctx.objection,
                                      "count_totals": ctx.count_totals, "grade_columns": ctx.grade_columns})


def _final_dates(view: PublicCycle, as_of: date) -> tuple[date, date]:
    """第二十条 dates of the final list: (determined, published), the latest among its rows."""
    published = max((v.published_on for v in view.final if v.published_on), default=None)
    published = published or max(v.revoked_or_published or as_of for v in view.final)
    determined = max((v.determined_on for v in view.final if v.determined_on), default=published)
    return min(determined, published), published


def final_pages(site: Site, view: PublicCycle, parts: CycleParts) -> None:
    """评价结果公布 (R-17 第二十条) and the A list (R-18 第二十一条), with their lists as open data."""
    if not view.final:
        return
    cycle, year, as_of = view.cycle, view.cycle.year, site.as_of
    determined, published = _final_dates(view, as_of)
    ctx = final_results_context(
        _final_frame(view), year=year, determined_on=determined, published_on=published, bureau=site.bureau,
        snapshot=cycle.snapshot, index_version=cycle.index_version, generated_at=site.generated,
        grade_bands=site.rules.bands, revoked=view.revoked, publication_working_days=site.rules.publication_days,
    )
    path, a_path = f"cycles/{year}/results.html", f"cycles/{year}/a-list.html"
    site.document(path, render_final_results_html(ctx), cycle)
    site.document(a_path, render_a_list_html(ctx), cycle, "a-list")
    dates = {"determined_on": determined.isoformat(), "published_on": published.isoformat()}
    site.data(f"{year}/results.csv", render_final_results_csv(ctx), len(ctx.rows))
    site.data(f"{year}/results.json", json_bytes(_list_json(ctx, "final_results", cycle, as_of, dates)), len(ctx.rows))
    site.data(f"{year}/a-list.csv", render_a_list_csv(ctx), len(ctx.a_list.rows))
    site.data(f"{year}/a-list.json", json_bytes(_list_json(ctx.a_list, "a_list", cycle, as_of, dates)),
              len(ctx.a_list.rows))
    parts.links.append({"href": path, "label": ctx.title})
    parts.links.append({"href": a_path, "label": ctx.a_list.title})
    parts.notices.insert(0, {"kind": "final", "ctx": ctx})
    parts.lists.insert(0, {"id": "results", "heading": "评价结果", "counties": ctx.counties,
                           "count_rows": ctx.count_rows, "count_totals": ctx.count_totals,
                           "grade_columns": ctx.grade_columns, "dated_rows": ctx.dated_rows})
    if site.latest is None:
        site.latest = {"year": year, "href": path, "a_href": a_path, "title": ctx.title,
                       "a_title": ctx.a_list.title, "a_total": ctx.a_list.total,
                       "published_on": ctx.published_on, "published_on_iso": ctx.published_on_iso,
                       "determined_on": ctx.determined_on, "grade_columns": ctx.grade_columns,
                       "count_totals": ctx.count_totals, "revoked_count": ctx.revoked_count}


def change_pages(site: Site, view: PublicCycle, parts: CycleParts) -> None:
    """变更公示 (R-14 第十七条, R-15 第十八条), one notice per first day."""
    cycle, year, as_of = view.cycle, view.cycle.year, site.as_of
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
            year=year, publication_date=day, first_day=day, last_day=last, bureau=site.bureau,
            generated_at=site.generated, grade_bands=site.rules.bands, **site.rules.days,
        )
        path = f"cycles/{year}/change-{day.isoformat()}.html"
        site.document(path, render_change_notice_html(ctx), cycle)
        site.changes.append({"href": path, "title": ctx.title, "year": year, "date": cn_date(day),
                             "date_iso": day.isoformat(), "window": ctx.window.text,
                             "last_day_iso": last.isoformat(),
                             "open": day <= as_of <= last, "count": len(ctx.rows),
                             "rows": [{"name": r["name"], "institution_id": r["institution_id"],
                                       "before": r["before"], "after": r["after"]} for r in ctx.rows]})
        parts.links.append({"href": path, "label": f"{ctx.title}（{cn_date(day)}）"})


def cycle_page(site: Site, view: PublicCycle, parts: CycleParts) -> None:
    """cycles/<year>/index.html: the notice text, counts, chart and the lists by county with the filter."""
    cycle, year = view.cycle, view.cycle.year
    path = f"cycles/{year}/index.html"
    grade_columns = [*(f"{g}级" for g in site.rules.grades), NOT_RATED]
    for section in parts.lists:
        section["chart"] = _chart(section["count_rows"], grade_columns,
                                  f"{year}年度{section['heading']}信用风险等级分布", site.rules.colors,
                                  ) | {"id": f"{section['id']}-chart"}
    counties = [str(c) for c in site.bureau.get("counties", [])]
    frame = site.frame(path, cycle=cycle)
    page = CyclePage(
        f=frame,
        prefix=frame.prefix,
        title=f"{year}年度社会环境监测机构信用风险等级评价",
        notices=parts.notices,
        lists=parts.lists,
        links=parts.links,
        counties=counties + sorted({c["name"] for s in parts.lists for c in s["counties"]} - set(counties)),
        grades=[{"value": g, "label": f"{g}级"} for g in site.rules.grades] + [{"value": "none", "label": NOT_RATED}],
    )
    site.files[path] = ENV.get_template("site_cycle.html.j2").render(**page).encode("utf-8")
    site.cycles.append({"year": year, "href": path, "links": parts.links, "snapshot": cycle.snapshot,
                        "index_version": cycle.index_version})


def open_data(site: Site, views: Sequence[PublicCycle]) -> dict[str, Any]:
    """Open data (R-17): the lists as CSV and JSON under data/, manifest.json and SHA256SUMS."""
    manifest: dict[str, Any] = {
        "generated_on": site.generated,
        "bureau": site.bureau_name,
        "cycles": [{"year": v.cycle.year, "snapshot": v.cycle.snapshot, "index_version": v.cycle.index_version}
                   for v in views],
        "files": [{"path": p, "bytes": len(d), "rows": n, "sha256": _sha256(d)}
                  for p, (d, n) in sorted(site.data_files.items())],
    }
    for name, (data, _) in site.data_files.items():
        site.files[f"data/{name}"] = data
    site.files["data/manifest.json"] = json_bytes(manifest)
    site.files["data/SHA256SUMS"] = "".join(f"{f['sha256']}  {f['path']}\n" for f in manifest["files"]).encode("utf-8")
    return manifest


def data_page(site: Site, manifest: Mapping[str, Any]) -> None:
    """data/index.html: the open-data files and where each cycle's data came from."""
    frame = site.frame("data/index.html", "data", cycle_versions=manifest["cycles"])
    page = DataPage(f=frame, prefix=frame.prefix, title="开放数据", generated_on=frame.generated_on,
                    files=manifest["files"], kinds=data_kinds(manifest))
    site.files["data/index.html"] = ENV.get_template("site_data.html.j2").render(**page).encode("utf-8")


DATA_KINDS = (("/publicity-", "公示名单"), ("/results.", "评价结果"), ("/a-list.", "A级名单"))


def data_kinds(manifest: Mapping[str, Any]) -> str:
    """The kinds of list the open data holds, in words; every kind while it holds none yet."""
    paths = [f"/{f['path']}" for f in manifest["files"]]
    kinds = [name for mark, name in DATA_KINDS if any(mark in p for p in paths)] or [n for _, n in DATA_KINDS]
    return kinds[0] if len(kinds) == 1 else "、".join(kinds[:-1]) + "和" + kinds[-1]


def home_page(site: Site, manifest: Mapping[str, Any]) -> None:
    """index.html: the open 公示 with how to object, the latest 评价结果 and A list, 变更公示, every cycle."""
    frame = site.frame("index.html", "home", cycle_versions=manifest["cycles"])
    page = HomePage(
        f=frame, prefix=frame.prefix, title=f"{site.bureau_name}社会环境监测机构信用风险等级评价信息公开",
        bureau=site.bureau_name, generated_on=frame.generated_on, open_notices=site.open_notices,
        latest=site.latest, changes=site.changes, cycles=site.cycles, data_kinds=data_kinds(manifest),
    )
    site.files["index.html"] = ENV.get_template("site_home.html.j2").render(**page).encode("utf-8")


def _list_json(ctx: Mapping[str, Any], kind: str, cycle: CycleData, as_of: date,
               dates: Mapping[str, str]) -> dict[str, Any]:
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
             "revoked_grade": r.get("revoked_grade", ""), "note": r.get("note", ""),
             **({"determined_on": r["determined_on_iso"], "published_on": r["published_on_iso"]}
                if "published_on_iso" in r else {})}
            for r in ctx["rows"]
        ],
    }
