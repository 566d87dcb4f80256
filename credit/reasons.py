"""The reasons given for quarantined rows and warnings, in English and in the regulation's Chinese (issue 12).

One table, so that no reason is written twice: the English text is what the suites in `expectations/`
carry (`meta.reason`) and what `quarantine.csv`/`warnings.csv` show in `reason`; the Chinese one goes
beside it as `reason_zh`, for the officers who read them. A reason holding `{value}` or `{column}` is a
template filled per row. `tests/unit/test_reasons.py` checks that every suite reason is here.
"""

from __future__ import annotations

_DATE = "不是有效日期（应为 YYYY-MM-DD）"
_DATES = (
    "sampled_on", "report_issued_on", "submitted_on", "changed_on", "filed_on", "decided_on", "verified_on",
    "effective_until", "calibration_valid_to", "registered_on", "received_on", "valid_from", "valid_to",
)
_IDS = ("activity_id", "institution_id", "event_id", "equipment_id", "objection_id", "person_id", "certificate_no")
_ENUMS = ("kind", "client_role", "item", "source", "status", "filer_kind", "role")

REASONS_ZH: dict[str, str] = {
    "missing column": "缺少列",
    **{f"missing {c}": f"{c} 为空" for c in _IDS},
    **{f"{c} is not a date (YYYY-MM-DD)": f"{c} {_DATE}" for c in _DATES},
    **{f"{c} outside the contract": f"{c} 的取值不在数据约定范围内" for c in _ENUMS},
    **{f"duplicate {c} (an earlier row has it)": f"{c} 重复（前面已有一行使用）" for c in _IDS},
    "wrong check character in institution_id": "institution_id（统一社会信用代码）校验码错误",
    "wrong check character in client_id (read as empty)": "client_id（统一社会信用代码）校验码错误（按空值处理）",
    "wrong check character in subject_id (read as empty)": "subject_id（统一社会信用代码）校验码错误（按空值处理）",
    "report_issued_on before sampled_on (read as given)": "报告日期早于采样日期（按原值读取）",
    "submitted_on before report_issued_on (read as given)": "报送日期早于报告日期（按原值读取）",
    "decided_on before occurred_on (read as given)": "决定日期早于发生日期（按原值读取）",
    "valid_from after valid_to (read as given)": "有效期起始日晚于截止日（按原值读取）",
    "county not in the configured counties": "county 不是配置的县级行政区",
    "institution not in the registry and institution_name empty (activity kept)": "机构不在名录中且 institution_name 为空（活动仍计入）",
    "institution not in the registry (event kept)": "机构不在名录中（信用信息仍计入）",
    "duplicate key (institution_id, item, changed_on)": "键（institution_id, item, changed_on）重复",
    "duplicate key (institution_id, equipment_id)": "键（institution_id, equipment_id）重复",
    "duplicate key (institution_id, certificate_no, parameter_code)": "键（institution_id, certificate_no, parameter_code）重复",
    "verified is not true/false": "verified 不是 true/false",
    "has_evidence is not true/false": "has_evidence 不是 true/false",
    "auto indicator {value} cannot be an event": "指标 {value} 由系统自动判定，不能作为信用信息报送",
    "unknown indicator": "指标代码不在现行指标体系中",
    "clause is not one of 1 to 8": "clause 不是第十七条第 1 至 8 项之一",
    "neither indicator nor clause": "既无指标也无第十七条情形",
    "CX-02 without a valid amount_yuan (a plain decimal, no thousands separators)":
        "CX-02 缺少有效的罚款金额 amount_yuan（应为不带千位分隔符的数字）",
    "status_changed_on of a removed institution is not a date (YYYY-MM-DD)": f"已移出名录机构的 status_changed_on {_DATE}",
    "removed without status_changed_on: counted as removed before the period": "已移出名录但无 status_changed_on：按评价期前移出处理",
    "unknown item in materials_missing (ignored)": "materials_missing 含未知材料项（已忽略）",
    # Issue 11 items 10 and 11: characters and lengths that one database refuses (credit/checks.py).
    "{column} holds a BOM (U+FEFF) or NUL character": "{column} 含有 BOM（U+FEFF）或 NUL 字符",
    "objection_id longer than 64 characters": "objection_id 超过 64 个字符",
    "county longer than 32 characters (read as empty)": "county 超过 32 个字符（按空值处理）",
    "legal_nature longer than 32 characters (read as empty)": "legal_nature 超过 32 个字符（按空值处理）",
    # tasks/validation.py: a store-recorded event whose id the drop already has.
    "event id already in the drop's credit_events: the drop's row is used": "信用信息编号已在本次数据的 credit_events 中：采用数据中的行",
}


def reason_zh(reason: str) -> str:
    """The Chinese text of an English reason template; the English one itself when the table lacks it."""
    return REASONS_ZH.get(reason, reason)
