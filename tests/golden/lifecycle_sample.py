"""The fixed, small lifecycle fixtures of the golden and browser tests (built on publicity_sample)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from reports.lifecycle import change_notice_context, final_results_context, share_package
from tests.golden.publicity_sample import BANDS, BUREAU, COLUMNS, DAYS, PERSONAL, PROCEDURE, ROWS, SCRIPT_NAME

YEAR = 2025
DETERMINED_ON = date(2026, 2, 12)
PUBLISHED_ON = date(2026, 2, 13)
SHARED_ON = date(2026, 2, 13)
GENERATED_AT = "2026-02-13 09:00:00 +08:00"
SNAPSHOT = "sha256:a84cf5b5a1e54023533145b57fb772105d6da513c620a12d6827c0f1a755d56d"
INDEX_VERSION = "jc-2024.1"

REVOKED_ID = "91140525MA0K3L2P1X"  # 陵川县: rated A, then a 第十七条(四) penalty revoked it
A_ID_2 = "91140521MA0GQ8TX2R"  # 沁水县: a second A, so the A list spans two counties
# publicity_sample's six rows (one not rated, one 第十七条(七) D, a <script> name, a "=" name) and two more.
FINAL_ROWS = [
    *ROWS,
    [REVOKED_ID, "晋城市康宏环境科学研究所", "陵川县", "rated", "93.0", "D", "4", "0.0", "4.0", "3.0", "0.0", "0.0", INDEX_VERSION],
    [A_ID_2, "山西沁源检测科技有限公司", "沁水县", "rated", "90.0", "A", "", "5.0", "3.0", "2.0", "0.0", "0.0", INDEX_VERSION],
]
REVOKED = {REVOKED_ID: "A"}


def final_results() -> pd.DataFrame:
    frame = pd.DataFrame(FINAL_ROWS, columns=COLUMNS, dtype="string")
    for column, value in PERSONAL.items():
        frame[column] = value
    return frame


def final_context(results: pd.DataFrame | None = None, **overrides) -> dict:
    kwargs = {
        "year": YEAR,
        "determined_on": DETERMINED_ON,
        "published_on": PUBLISHED_ON,
        "bureau": BUREAU,
        "snapshot": SNAPSHOT,
        "index_version": INDEX_VERSION,
        "generated_at": GENERATED_AT,
        "revoked": REVOKED,
        "grade_bands": BANDS,
        "publication_working_days": PROCEDURE.publication,
    }
    kwargs.update(overrides)
    return final_results_context(final_results() if results is None else results, **kwargs)


def reply_upheld(**overrides) -> dict:
    """An institution's objection, partly upheld: one event withdrawn, one finding set aside, B → A."""
    value = {
        "objection_id": "OBJ-2025-0003",
        "filer_name": "太原天恒检测技术有限公司",
        "filer_kind": "institution",
        "decided_by": "EMP-0042",  # staff number: never printed
        "institution_id": "91140524110231598W",
        "institution_name": "太原天恒检测技术有限公司",
        "year": YEAR,
        "received_on": date(2026, 2, 2),
        "claim": "2025年6月的盲样考核不合格记录所涉样品并非本机构出具的报告。<b>请复核</b>",
        "decision": "partly_upheld",
        "decided_on": date(2026, 2, 24),
        "reason": "经现场核查，EV-0107所涉报告系他机构出具，予以撤回；其余异议事项依据不足。",
        "before": {"status": "rated", "grade": "B", "clause": "", "score": "84.0"},
        "after": {"status": "rated", "grade": "A", "clause": "", "score": "90.0"},
        "withdrawn_events": [{"event_id": "EV-0107", "note": "盲样考核不合格（2025-06-12）"}],
        "set_aside": [{"indicator": "E-03", "evidence": "EV-0107", "points": "6.0", "reason": "所涉报告非该机构出具"}],
        "publicity_first_day": date(2026, 2, 25),
        "publicity_last_day": date(2026, 3, 17),
        "letter_date": date(2026, 2, 24),
        "bureau": BUREAU,
        "grade_bands": BANDS,
        "publicity_working_days": PROCEDURE.publicity,
    }
    value.update(overrides)
    return value


def reply_rejected(**overrides) -> dict:
    value = reply_upheld(
        objection_id="OBJ-2025-0004",
        filer_name="李某某",
        filer_kind="public",
        institution_id="91140502147557110D",
        institution_name=SCRIPT_NAME,
        decision="rejected",
        reason="经复核，评价所依据的信用信息均经核实，异议理由不成立。",
        before={"status": "rated", "grade": "B", "clause": "", "score": "80.5"},
        after=None,
        withdrawn_events=[],
        set_aside=[],
    )
    value.update(overrides)
    return value


def reply_deemed(reason: str, **overrides) -> dict:
    value = {
        "objection_id": "OBJ-2025-0009" if reason == "late" else "OBJ-2025-0005",
        "filer_name": "晋城市某环保协会",
        "filer_kind": "organisation",
        "institution_id": "91140522192559211Y",
        "institution_name": "太原凤新环境检测有限公司",
        "year": YEAR,
        "received_on": date(2026, 2, 12) if reason == "late" else date(2026, 2, 3),
        "claim": "该机构评价等级偏高。",
        "admissible": False,
        "inadmissible_reason": reason,
        "publicity_last_day": date(2026, 2, 11),
        "letter_date": date(2026, 2, 13) if reason == "late" else date(2026, 2, 4),
        "bureau": BUREAU,
        "grade_bands": BANDS,
    }
    value.update(overrides)
    return value


def change_context(**overrides) -> dict:
    """Two changes publicised together: the objection above (B → A) and the 第十七条(四) revocation."""
    kwargs = {
        "year": YEAR,
        "publication_date": date(2026, 2, 24),
        "first_day": date(2026, 2, 25),
        "last_day": date(2026, 3, 17),
        "bureau": BUREAU,
        "generated_at": "2026-02-24 10:00:00 +08:00",
        "grade_bands": BANDS,
        **DAYS,
    }
    kwargs.update(overrides)
    changes = [
        {
            "institution_id": REVOKED_ID,
            "name": "晋城市康宏环境科学研究所",
            "county": "陵川县",
            "cause": "revocation",
            "decided_on": date(2026, 2, 24),
            "before": {"status": "rated", "grade": "A", "clause": ""},
            "after": {"status": "rated", "grade": "D", "clause": "4"},
            "document": "晋环罚〔2026〕3号",
            "reason": "出具虚假监测数据（结果），受到行政处罚。",
        },
        {
            "institution_id": "91140524110231598W",
            "name": "太原天恒检测技术有限公司",
            "county": "阳城县",
            "cause": "objection",
            "decided_on": date(2026, 2, 24),
            "before": {"status": "rated", "grade": "B", "clause": ""},
            "after": {"status": "rated", "grade": "A", "clause": ""},
            "reason": "经复核，撤回一条经核实不属于该机构的信用信息。",
        },
    ]
    return change_notice_context(changes, **kwargs)


def previous_results() -> pd.DataFrame:
    """What sequence 1 shared: before the revocation (REVOKED_ID still A), before A_ID_2 was added,
    and with one institution since removed."""
    rows = [r for r in FINAL_ROWS if r[0] != A_ID_2]
    rows = [[*r[:5], "A", "", *r[7:]] if r[0] == REVOKED_ID else r for r in rows]
    rows.append(["91140581MA0H7U3C54", "高平市旧名录检测站", "高平市", "rated", "75.0", "C", "", "10.0", "10.0", "5.0", "0.0", "0.0", INDEX_VERSION])
    return pd.DataFrame(rows, columns=COLUMNS, dtype="string")


def package(sequence: int = 1, results: pd.DataFrame | None = None, **overrides) -> dict[str, bytes]:
    kwargs = {
        "year": YEAR,
        "sequence": sequence,
        "previous": previous_results() if sequence > 1 else None,
        "bureau": BUREAU,
        "generated_at": GENERATED_AT,
        "determined_on": DETERMINED_ON,
        "published_on": PUBLISHED_ON,
        "shared_on": SHARED_ON if sequence == 1 else date(2026, 2, 25),
        "snapshot": SNAPSHOT,
        "index_version": INDEX_VERSION,
        "revoked": REVOKED,
        "grade_bands": BANDS,
    }
    kwargs.update(overrides)
    return share_package(final_results() if results is None else results, **kwargs)
