"""A small, fixed set of result versions for the site tests (built on publicity_sample's institutions)."""

from __future__ import annotations

from datetime import date

from reports.site import CycleData, ResultVersion
from tests.golden.publicity_sample import FORMULA_NAME, SCRIPT_NAME

SNAPSHOT = "sha256:a84cf5b5a1e54023533145b57fb772105d6da513c620a12d6827c0f1a755d56d"
NEXT_SNAPSHOT = "sha256:" + "b" * 64
P, LAST, DETERMINED, PUBLISHED = date(2026, 2, 2), date(2026, 2, 28), date(2026, 3, 2), date(2026, 3, 4)
REVOKED_ON, REVOCATION_LAST = date(2026, 4, 1), date(2026, 4, 23)
DURING_PUBLICITY, AFTER_PUBLICATION, AFTER_REVOCATION = date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 10)

REVOKED_ID = "91140525MA0K3L2P1X"
SCORED_ONLY_ID = "91140502147557110D"  # also the <script> name: never published anyway
SCRIPT_ID = "91140502147557111D"
FUTURE_ID = "91140521MA0GQ8TX2R"  # publicised only in June
LATE_PUBLISHED_ID = "91140524110231598W"  # determined, published after the test dates but one
NOT_RATED_ID = "9114050215097111XC"


def _shared(institution_id: str, name: str, county: str, grade: str, status: str = "rated", **dates) -> ResultVersion:
    return ResultVersion(institution_id, 1, status, name, county, grade, "", "shared", P, LAST, DETERMINED,
                         dates.get("published_on", PUBLISHED))


VERSIONS = [
    _shared("91140522192559211Y", "太原凤新环境检测有限公司", "城区", "A"),
    _shared(NOT_RATED_ID, "太原衡立环境监测股份有限公司", "城区", "", status="not_rated"),
    _shared("121405241225528314", FORMULA_NAME, "高平市", "C"),
    _shared(SCRIPT_ID, SCRIPT_NAME, "泽州县", "B"),
    ResultVersion("91140522156702316G", 1, "rated", "太原嘉泰环境技术服务有限公司", "泽州县", "D", "7", "shared",
                  P, LAST, DETERMINED, PUBLISHED),
    ResultVersion(LATE_PUBLISHED_ID, 1, "rated", "太原天恒检测技术有限公司", "阳城县", "B", "", "published",
                  P, LAST, DETERMINED, date(2026, 4, 2)),
    # 第十七条(四), as tasks/serious.py stores it: the published A marked revoked, a new D version in publicity.
    ResultVersion(REVOKED_ID, 1, "rated", "晋城市康宏环境科学研究所", "陵川县", "A", "", "revoked",
                  P, LAST, DETERMINED, PUBLISHED, REVOKED_ON),
    ResultVersion(REVOKED_ID, 2, "rated", "晋城市康宏环境科学研究所", "陵川县", "D", "4", "in_publicity",
                  REVOKED_ON, REVOCATION_LAST),
    ResultVersion(SCORED_ONLY_ID, 1, "rated", "只评分未公示的机构", "泽州县", "B", "", "scored"),
    ResultVersion(FUTURE_ID, 1, "rated", "山西沁源检测科技有限公司", "沁水县", "A", "", "in_publicity",
                  date(2026, 6, 1), date(2026, 6, 22)),
]
CYCLE = CycleData(2025, SNAPSHOT, "jc-2024.1", VERSIONS)
# The next year's cycle, scored only: nothing of it is public yet.
NEXT = CycleData(2026, NEXT_SNAPSHOT, "jc-2024.1",
                 [ResultVersion("91140522192559211Y", 1, "rated", "太原凤新环境检测有限公司", "城区", "B", "", "scored")])

# The other way a revocation may be stored: the current version itself revoked, D with its clause.
REVOKED_IN_PLACE = [
    ResultVersion(REVOKED_ID, 1, "rated", "晋城市康宏环境科学研究所", "陵川县", "A", "", "shared",
                  P, LAST, DETERMINED, PUBLISHED),
    ResultVersion(REVOKED_ID, 2, "rated", "晋城市康宏环境科学研究所", "陵川县", "D", "4", "revoked",
                  REVOKED_ON, REVOCATION_LAST, None, PUBLISHED, REVOKED_ON),
]
