"""第十条 measures: 书面告知书 and 约见谈话通知书, pure render functions, context in, HTML text out.

第八条 (what was inspected), 第九条 (how), 第十条 (the six situations and the measures 书面告知、约见谈话),
第十四条 (a verified finding becomes credit information), R-20 (safe output). Like reports/lifecycle.py
(the helpers of reports/common.py, the same letter style), nothing here reads a file other than its own template, nor
the clock: the issue date and the interview time are parameters. The document number is given by the
caller (its prefix and sequence are rules/supervision data), never computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from reports.common import ENV, NUMERALS, REGULATION, as_date, clean_text, cn_date, contact

MEASURE_TITLES = {"written_notice": "书面告知书", "interview": "约见谈话通知书"}
DEFAULT_ATTENDEES = "法定代表人或主要负责人"
INDEX_SYSTEM = "《晋城市社会环境监测机构信用风险评价指标体系》"
# 第十条第（五）项 (breaching 第五、六条) is detected from the registry data, never recorded as an event.
REGISTRY_SITUATION = 5
_WEEKDAYS = "一二三四五六日"


# ---------------------------------------------------------------- small helpers


def item_label(article: str, item: int) -> str:
    """第十条第（一）项 for ("十", 1); the articles quoted here (第八、九、十条) have items 1–6."""
    if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 6:
        raise ValueError(f"第{article}条只有第1项至第6项，而给出的是 {item!r}")
    return f"第{article}条第（{NUMERALS[item]}）项"


def _matters(matters: Sequence[Any]) -> list[dict[str, Any]]:
    """第八条 matters as (item, name) pairs or {item, name} mappings, in the order given."""
    rows = []
    for m in matters:
        item, name = (m["item"], m["name"]) if isinstance(m, Mapping) else m
        rows.append({"item": int(item), "name": clean_text(name), "label": item_label("八", int(item))})
    if not rows:
        raise ValueError("一次检查至少有一项第八条所列的检查事项")
    return rows


def _paragraphs(text: object) -> list[str]:
    """Free text as paragraphs: one per non-empty line."""
    return [line for line in (clean_text(part) for part in str(text or "").splitlines()) if line]


REQUIRED_NAMES = {"document_no": "文书编号", "inspection_id": "检查编号", "institution_id": "统一社会信用代码",
                  "institution_name": "机构名称", "interview_place": "约谈地点", "method": "检查方式",
                  "situation_text": "第十条情形的内容"}


def _required(ctx: Mapping[str, Any], key: str) -> str:
    value = clean_text(ctx.get(key))
    if not value:
        raise ValueError(f"第十条处理措施文书须写明{REQUIRED_NAMES.get(key, key)}（{key}）")
    return value


def _interview_at(value: object, issued: date) -> datetime:
    """约见谈话 time: a datetime or ISO text such as "2026-03-05 09:30", not before the issue date."""
    if not value:
        raise ValueError("约见谈话通知书须写明约谈时间（interview_at）")
    text = value.isoformat() if isinstance(value, datetime) else str(value).strip()
    if len(text) <= len("2026-03-05"):
        raise ValueError(f"约谈时间（interview_at）须包括日期和时刻，而给出的是 {value!r}")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"约谈时间（interview_at）须写作 2026-03-05 09:30 这样的日期和时刻，而给出的是 {value!r}"
        ) from None
    if at.date() < issued:
        raise ValueError(f"约谈时间 {at:%Y-%m-%d %H:%M} 早于文书签发日期 {issued}")
    return at


# ---------------------------------------------------------------- the sentences of the document


def _inspection_sentence(ctx: Mapping[str, Any], inspected: date, matters: list[dict[str, Any]]) -> str:
    """我局于…通过…（第九条第（n）项）对你单位…（第八条第（n）项）开展了监督检查（检查编号：…），检查人员：…。"""
    inspectors = [clean_text(name) for name in ctx.get("inspectors") or () if clean_text(name)]
    if not inspectors:
        raise ValueError("一次检查至少有一名检查人员")
    method = f"{_required(ctx, 'method')}（{item_label('九', ctx['method_item'])}）"
    subjects = "；".join(f"{m['name']}（{m['label']}）" for m in matters)
    return (
        f"我局于{cn_date(inspected)}通过{method}对你单位的{subjects}开展了监督检查"
        f"（检查编号：{_required(ctx, 'inspection_id')}），检查人员：{'、'.join(inspectors)}。"
    )


def _basis_sentence(kind: str, situation: int, situation_text: str) -> str:
    """上述情形属于…第十条第（n）项“…”所列情形。根据第十条规定，现予以书面告知 / 现对你单位进行约见谈话。"""
    measure = "现予以书面告知。" if kind == "written_notice" else "现对你单位进行约见谈话。"
    return f"上述情形属于{REGULATION}{item_label('十', situation)}“{situation_text}”所列情形。根据第十条规定，{measure}"


def _indicator(indicator: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The 第十四条 indicator as text: code, name, points (the caller's, from the index system in force)."""
    return {k: clean_text(indicator.get(k)) for k in ("code", "name", "points")} if indicator else None


def _credit_sentence(indicator: Mapping[str, str] | None, situation: int, system: str) -> str:
    """第十四条: the verified finding becomes credit information; 第十条第（五）项 stays with the registry."""
    if indicator:
        return (
            f"经核实后，上述情形将作为信用信息记入你单位信用记录，按{INDEX_SYSTEM}{indicator['code']}“{indicator['name']}”"
            "计入信用风险评价（第十四条）。"
        )
    if situation != REGISTRY_SITUATION:
        raise ValueError(
            f"第十条第（{NUMERALS[situation]}）项情形须写明其核实后记入的评价指标"
        )
    return (
        f"上述情形按第五条、第六条规定的名录管理办理，请你单位通过{system}及时完善名录信息或办理信息变更；"
        "该情形依据名录管理数据纳入信用风险评价，不另行作为信用信息记入信用记录。"
    )


def _written_notice(ctx: Mapping[str, Any], issued: date) -> dict[str, Any]:
    """书面告知: rectify by the given date, or at once."""
    if not ctx.get("rectify_by"):
        return {"requirement": "请立即整改，并将整改情况书面报送我局。", "rectify_by_iso": ""}
    by = as_date(ctx["rectify_by"])
    if by < issued:
        raise ValueError(f"整改期限 {by} 早于文书签发日期 {issued}")
    return {
        "requirement": f"请于{cn_date(by)}前完成整改，并将整改情况书面报送我局。",
        "rectify_by_iso": by.isoformat(),
    }


def _interview(ctx: Mapping[str, Any], issued: date) -> dict[str, Any]:
    """约见谈话: when, where, who attends, what to bring."""
    at = _interview_at(ctx.get("interview_at"), issued)
    attendees = clean_text(ctx.get("attendees")) or DEFAULT_ATTENDEES
    when = f"{cn_date(at.date())}（星期{_WEEKDAYS[at.weekday()]}）{at.hour}:{at.minute:02d}"
    return {
        "interview_at": when,
        "interview_at_iso": at.strftime("%Y-%m-%dT%H:%M"),
        "interview_place": _required(ctx, "interview_place"),
        "attendees": attendees,
        "requirement": (
            f"请你单位{attendees}按上述时间、地点参加约见谈话，并携带与上述情形有关的监测报告、原始记录"
            "（运维记录）、整改情况说明等材料。如因特殊情况不能按时参加，请提前与我局联系。"
        ),
    }


# ---------------------------------------------------------------- context and HTML


def measure_context(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise the facts of a 第十条 measure (书面告知 or 约见谈话) into what its document shows.

    Keys: kind, document_no, issued_on, institution_id, institution_name, optional institution_address,
    inspection_id, inspected_on, method, method_item, matters, inspectors, situation, situation_text,
    facts, optional indicator {code, name, points} (absent only for 第十条第（五）项), bureau
    (rules/bureau.yaml as read); written_notice: optional rectify_by; interview: interview_at,
    interview_place, optional attendees.
    """
    kind = clean_text(ctx.get("kind"))
    if kind not in MEASURE_TITLES:
        raise ValueError(f"文书种类应为 {sorted(MEASURE_TITLES)} 之一，而给出的是 {kind!r}")
    issued, inspected = as_date(ctx["issued_on"]), as_date(ctx["inspected_on"])
    if issued < inspected:
        raise ValueError(f"签发日期 {issued} 早于检查日期 {inspected}")
    facts = _paragraphs(ctx.get("facts"))
    if not facts:
        raise ValueError("第十条处理措施文书须写明检查发现的事实")
    indicator = _indicator(ctx.get("indicator"))
    bureau = ctx["bureau"]
    document_no = _required(ctx, "document_no")
    return {
        "kind": kind,
        "title": MEASURE_TITLES[kind],
        "page_title": f"{MEASURE_TITLES[kind]}（{document_no}）",
        "document_no": document_no,
        "institution_id": _required(ctx, "institution_id"),
        "institution_name": _required(ctx, "institution_name"),
        "institution_address": clean_text(ctx.get("institution_address")),
        "inspection": _inspection_sentence(ctx, inspected, _matters(ctx.get("matters") or ())),
        "facts": facts,
        "basis": _basis_sentence(kind, ctx["situation"], _required(ctx, "situation_text")),
        "situation": ctx["situation"],
        "indicator": indicator,
        "credit": _credit_sentence(indicator, ctx["situation"], clean_text(bureau.get("system")) or "管理系统"),
        **(_written_notice(ctx, issued) if kind == "written_notice" else _interview(ctx, issued)),
        "bureau": clean_text(bureau["bureau"]),
        "contact": contact(bureau),
        "issued_on": cn_date(issued),
        "issued_on_iso": issued.isoformat(),
        "inspected_on_iso": inspected.isoformat(),
    }


def render_measure_html(ctx: Mapping[str, Any]) -> str:
    """书面告知书 or 约见谈话通知书 (第十条) as one self-contained, print-ready A4 HTML page (R-20)."""
    return ENV.get_template("measure_notice.html.j2").render(**measure_context(ctx))
