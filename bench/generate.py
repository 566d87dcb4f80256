"""Synthetic drops in the DATA_CONTRACT.md format, at any scale, byte-identical for a seed.

A drop looks like what the Jincheng management system exports for one evaluation year: valid
统一社会信用代码 (GB 32100-2015), Chinese names, the six county-level divisions, CMA certificates with
their parameter annex, key roles with vacancies, equipment with lapsed calibrations, late registry
changes, activities of both kinds (with conflicts of interest, out-of-scope parameters, late reports,
unauthorised signatories), credit events covering every event indicator and every 第十七条 clause,
and objections. Institutions are cut into registry categories (normal, suspended, removed during /
before / after the period, registered after the period, absent from the registry but active, in the
registry but idle) so that each case of INDEX_SYSTEM.md "Who is rated" occurs at every scale ≥ 30.

Small tables are built per institution; `activities.csv` (institutions × activities rows, 5 million
at the national scale) is built with numpy and pyarrow only.

    python bench/generate.py --out DIR --year 2025 --institutions 30 --activities 500 --seed 7 [--bad-rows]

The drop is meant to be evaluated with `as_of` = ASSUMED_AS_OF (20 January of the next year): some
events are verified after it, some decided between the period end and it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from credit.codes import ALPHABET, check_character  # noqa: E402
from credit.contract import KEY_ROLES, MATERIAL_ITEMS, TABLES  # noqa: E402

# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------
COUNTIES: dict[str, str] = {  # county-level division → its administrative division code
    "城区": "140502",
    "沁水县": "140521",
    "阳城县": "140522",
    "陵川县": "140524",
    "泽州县": "140525",
    "高平市": "140581",
}
COUNTY_NAMES = tuple(COUNTIES)
CITY_REGION = "140500"
TAIYUAN_REGIONS = ("140100", "140105", "140106", "140109")

# parameter code → method standard (the CMA annex quotes the method)
PARAMETERS: dict[str, str] = {
    "COD": "HJ 828-2017", "NH3N": "HJ 535-2009", "TP": "HJ 670-2013", "TN": "HJ 636-2012",
    "BOD5": "HJ 505-2009", "PH": "HJ 1147-2020", "PETRO": "HJ 637-2018", "F": "HJ 84-2016",
    "CD": "HJ 700-2014", "PB": "HJ 700-2014", "HG": "HJ 694-2014", "SO2": "HJ 57-2017",
    "NOX": "HJ 693-2014", "CO": "HJ 973-2018", "PM": "HJ 836-2017", "PM10": "HJ 618-2011",
    "PM2.5": "HJ 618-2011", "TSP": "HJ 1263-2022", "O3": "HJ 504-2009", "VOCS": "HJ 734-2014",
    "NMHC": "HJ 38-2017", "NOISE": "GB 12348-2008",
}
PARAM_CODES = tuple(PARAMETERS)
N_PARAMS = len(PARAM_CODES)

EQUIPMENT_NAMES = (
    "紫外可见分光光度计", "原子吸收分光光度计", "气相色谱仪", "烟气分析仪", "颗粒物采样器", "声级计",
    "pH计", "电子天平", "COD消解仪", "离子色谱仪", "大气采样器", "原子荧光光度计", "红外测油仪",
    "便携式VOCs检测仪", "电感耦合等离子体质谱仪",
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武"
    "乔贺赖龚文牛申晋"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红玉飞鹏辉斌宇浩凯晨欣佳俊峰亮成波琳瑞雪梅婷志文"
BRAND = "衡立元天泽安凤新诚泰蓝国达博康科智嘉恒晋宏碧行谱立源汇祥禾德鑫润华清远绿瑞中正信诺安泰鼎盛天宇同创博远"
INST_KINDS = ("环境监测", "生态环境技术", "检测技术", "环境检测", "环保科技", "检验检测", "环境技术服务", "环境科技")
INST_SUFFIXES = ("有限公司", "有限公司", "股份有限公司", "有限责任公司")
PUBLIC_KINDS = ("环境科学研究所", "环境监测技术研究院", "环境保护科学研究院")
INDUSTRIES = (
    "电力", "焦化", "水泥", "煤业", "化工", "玻璃", "铸造", "煤层气", "污水处理", "热力", "钢铁", "陶瓷",
    "制药", "食品", "建材", "冶金", "垃圾焚烧发电", "砂石", "铝业", "印染",
)
OTHER_KINDS = ("医院有限公司", "建筑工程有限公司", "房地产开发有限公司", "物业管理有限公司", "商贸有限公司", "学校")
STREETS = ("金匠路", "白水街", "书院街", "凤台东街", "凤台西街", "黄华街", "红星街", "鼎盛路", "文昌街", "泽州路",
           "凤鸣路", "兰花路", "中原街", "建设路", "开发区创新路")

BUREAU = ("11140500700000001", "晋城市生态环境局")
BRANCH_SERIAL = 52  # county branch codes: 111405xx7000000nn

MATERIAL_LIST = MATERIAL_ITEMS
CHANGE_ITEMS = TABLES["changes"].enums["item"]

# event indicators: code → (source choices, summary, document prefix)
EVENT_INDICATORS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "JB-05": (("inspection",), "现场检查发现部分仪器设备与环境条件不满足监测要求", "晋市环监"),
    "YW-05": (("inspection",), "现场检查发现原始记录不完整、监测过程不规范", "晋市环监"),
    "YW-06": (("blind_sample", "interlab"), "盲样考核结果不合格", "晋市环信"),
    "YW-07": (("inspection",), "质量控制措施不满足技术规范要求", "晋市环监"),
    "JY-02": (("complaint",), "12345热线投诉经查属实", "晋市环信"),
    "JY-03": (("inspection",), "拒不配合现场监督检查", "晋市环监"),
    "JY-04": (("inspection", "other"), "存在其他影响监测活动客观公正的行为", "晋市环监"),
    "CX-01": (("penalty",), "行政处罚：警告", "晋市环罚"),
    "CX-02": (("penalty",), "行政处罚：罚款", "晋市环罚"),
    "CX-03": (("credit_platform", "court", "procurement"), "经营异常名录记录", "晋市环信"),
    "CX-04": (("other", "credit_platform"), "违反名录申请信用承诺", "晋市环信"),
    "CX-05": (("media",), "媒体曝光经核实", "晋市环信"),
    "BN-01": (("blind_sample", "interlab"), "能力验证结果满意", "晋市环信"),
    "BN-02": (("other",), "参与突发环境事件应急监测", "晋市环信"),
    "BN-03": (("association",), "市环境监测行业技术比武获奖", "晋市环信"),
}
AUTO_INDICATORS = ("JB-01", "JB-02", "JB-03", "JB-04", "YW-01", "YW-02", "YW-03", "YW-04", "JY-01")
# relative frequency of random (non-coverage) events
EVENT_WEIGHTS = {
    "JB-05": 4, "YW-05": 6, "YW-06": 2, "YW-07": 4, "JY-02": 3, "JY-03": 1, "JY-04": 1, "CX-01": 3,
    "CX-02": 2, "CX-03": 1, "CX-04": 1, "CX-05": 2, "BN-01": 6, "BN-02": 3, "BN-03": 3,
}
# 第十七条: clause → (source, indicator or "", summary, document prefix)
CLAUSES: dict[int, tuple[str, str, str, str]] = {
    1: ("court", "", "因环境污染犯罪被生效判决追究刑事责任", "court"),
    2: ("procurement", "", "列入政府采购严重违法失信行为记录名单，处于禁止参加政府采购活动期间", "晋财采"),
    3: ("other", "", "以欺骗、贿赂等不正当手段取得环境许可被依法撤销", "晋市环信"),
    4: ("penalty", "CX-02", "篡改、伪造监测数据被行政处罚", "晋市环罚"),
    5: ("penalty", "JY-03", "拒绝、阻挠监督检查被处罚且未按时履行", "晋市环罚"),
    6: ("penalty", "", "其他监测违法行为被处罚且未按时履行", "晋市环罚"),
    7: ("inspection", "CX-04", "系统填报内容严重失实且拒绝整改", "晋市环监"),
    8: ("credit_platform", "CX-03", "被列入法律法规规定的其他严重失信名单", "晋市环信"),
}
# CX-02 amounts: every tier of INDEX_SYSTEM.md, the exact bounds included
CX02_AMOUNTS = ("5000", "10000", "10000.50", "30000", "50000", "50001", "80000", "100000", "100000.00",
                "150000", "200000")
OBJECTION_CLAIMS = (
    "对扣分事项有异议，申请复核", "认为报送超时系系统故障所致，申请核减", "对关键岗位空缺认定有异议",
    "认为评价等级偏低，申请复核", "举报该机构评价结果与实际不符", "认为冲突回避认定有误",
)

ASSUMED_AS_OF_DAY = (1, 20)  # (month, day) of year+1


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------
def _rng(seed: int, stream: int) -> np.random.Generator:
    """One independent stream per part, so changing one table leaves the others' bytes alone."""
    return np.random.default_rng(np.random.SeedSequence([seed, stream]))


def _org_check(digits8: str) -> str:
    """GB 11714 check character of a 组织机构代码 body (positions 9–17 of the credit code)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c = 11 - sum(int(d) * w for d, w in zip(digits8, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def make_code(prefix: str, region: str, serial: int) -> str:
    """A valid 统一社会信用代码: registration dept + type, region, organisation code, GB 32100 check."""
    digits = f"{serial:08d}"
    body = prefix + region + digits + _org_check(digits)
    return body + check_character(body)


def wrong_check(code: str) -> str:
    """The same code with a wrong 18th character."""
    right = code[17]
    return code[:17] + ALPHABET[(ALPHABET.index(right) + 7) % len(ALPHABET)]


def _iso(d: date | None) -> str:
    return "" if d is None else d.isoformat()


def _add_month(d: date) -> date:
    """Same day of the next month, or that month's last day (SPEC R-05, before the working-day move)."""
    y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise AssertionError(d)


def _rand_day(rng: np.random.Generator, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


@dataclass(eq=False)  # compared by identity: the generator keeps one object per institution
class Institution:
    """One institution as the generator sees it (more than what institutions.csv shows)."""

    idx: int
    code: str
    name: str
    county: str
    address: str
    legal_nature: str
    category: str  # normal, suspended, removed_during, removed_before, removed_after, registered_after,
    # unregistered, idle
    registered_on: date
    status: str = "registered"
    status_changed_on: date | None = None
    materials_missing: str = ""
    report_prefix: str = ""
    flags: set[str] = field(default_factory=set)
    work_scope: list[int] = field(default_factory=list)
    equipment_count: int = 0
    # signatory timeline used by the activities
    sig1_end: date | None = None
    repl: int = 14
    repl_start: date | None = None
    sig2: int = 0  # 0 = none

    @property
    def in_registry(self) -> bool:
        return self.category != "unregistered"

    @property
    def active(self) -> bool:
        return self.category != "idle"


# --------------------------------------------------------------------------------------------------
# CSV writing: UTF-8 without BOM, '\n' line ends, header unquoted, empty cell for null
# --------------------------------------------------------------------------------------------------
def write_table(path: Path, columns: tuple[str, ...], data: dict[str, pa.Array | list]) -> int:
    """Write one table; a value holding a comma, quote or line break is a bug here and fails loudly."""
    arrays = []
    for c in columns:
        v = data[c]
        if not isinstance(v, (pa.Array, pa.ChunkedArray)):
            v = pa.array([None if x in ("", None) else x for x in v], type=pa.string())
        arrays.append(v)
    table = pa.table(arrays, names=list(columns))
    with open(path, "wb") as fh:
        fh.write((",".join(columns) + "\n").encode("utf-8"))
        if table.num_rows:
            pacsv.write_csv(
                table, fh,
                pacsv.WriteOptions(include_header=False, quoting_style="none", eol="\n", batch_size=65536),
            )
    return table.num_rows


def _rows_to_columns(rows: list[tuple], columns: tuple[str, ...]) -> dict[str, list]:
    return {c: [r[i] for r in rows] for i, c in enumerate(columns)}


# --------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------
def _count(n: int, frac: float, minimum: int = 1) -> int:
    return max(minimum, round(frac * n))


class _Generator:
    def __init__(self, year: int, institutions: int, activities: int, seed: int) -> None:
        if institutions < 1 or activities < 1:
            raise ValueError("institutions and activities must be positive")
        self.year, self.n, self.a, self.seed = year, institutions, activities, seed
        self.start, self.end = date(year, 1, 1), date(year, 12, 31)
        self.as_of = date(year + 1, *ASSUMED_AS_OF_DAY)
        self.insts: list[Institution] = []
        self.actors: list[Institution] = []

    # ---------------------------------------------------------------- institutions
    def build_institutions(self) -> None:
        rng = _rng(self.seed, 1)
        n = self.n
        n_unreg = _count(n, 0.02)
        # one registered-but-idle institution per unregistered-but-active one: institutions.csv keeps
        # exactly `institutions` rows and activities.csv exactly institutions × activities rows
        n_idle = n_unreg
        special = [
            ("unregistered", n_unreg), ("registered_after", _count(n, 0.01)),
            ("removed_during", _count(n, 0.015)), ("removed_before", _count(n, 0.005)),
            ("removed_after", _count(n, 0.005)), ("suspended", _count(n, 0.02)),
        ]
        cats = []
        for name, k in special:
            cats += [name] * k
        if len(cats) > n:
            cats = cats[:n]
        cats += ["normal"] * (n - len(cats))
        cats = [cats[i] for i in rng.permutation(n)] + ["idle"] * n_idle

        used_names: set[str] = set()
        used_serials: set[int] = set()
        # legal natures in fixed shares (about 12 % public institutions, 3 % other), placed at random
        n_all = len(cats)
        n_public, n_other = max(1, round(0.12 * n_all)), max(1, round(0.03 * n_all))
        natures = [("事业单位法人", "12")] * n_public + [("其他", "52")] * n_other
        natures += [("企业法人", "91")] * (n_all - len(natures))
        natures = [natures[int(i)] for i in rng.permutation(n_all)]
        for idx, cat in enumerate(cats):
            nature, prefix = natures[idx]
            county = COUNTY_NAMES[int(rng.integers(0, len(COUNTY_NAMES)))]
            where = rng.random()
            if nature == "事业单位法人":
                region, head = (COUNTIES[county], county) if where < 0.4 else (CITY_REGION, "晋城市")
            elif where < 0.55:
                region, head = COUNTIES[county], county if rng.random() < 0.5 else "晋城市"
            elif where < 0.7:
                region, head = CITY_REGION, ("晋城", "晋城市", "山西")[int(rng.integers(0, 3))]
            else:
                region = TAIYUAN_REGIONS[int(rng.integers(0, len(TAIYUAN_REGIONS)))]
                head = ("太原", "山西")[int(rng.integers(0, 2))]
            while True:
                brand = "".join(BRAND[int(i)] for i in rng.integers(0, len(BRAND), 2))
                if nature == "事业单位法人":
                    name = head + brand + PUBLIC_KINDS[int(rng.integers(0, len(PUBLIC_KINDS)))]
                elif nature == "其他":
                    name = head + brand + "环境监测技术研究院"
                else:
                    name = (head + brand + INST_KINDS[int(rng.integers(0, len(INST_KINDS)))]
                            + INST_SUFFIXES[int(rng.integers(0, len(INST_SUFFIXES)))])
                if name not in used_names:
                    used_names.add(name)
                    break
            while True:
                serial = int(rng.integers(10_000_000, 99_999_999))
                if serial not in used_serials:
                    used_serials.add(serial)
                    break
            code = make_code(prefix, region, serial)
            address = (f"山西省晋城市{county}{STREETS[int(rng.integers(0, len(STREETS)))]}"
                       f"{int(rng.integers(1, 2000))}号")
            y = self.year
            if cat == "registered_after":
                registered = date(y + 1, 1, int(rng.integers(2, 16)))
            elif rng.random() < 0.1 and cat in ("normal", "suspended"):
                registered = _rand_day(rng, date(y, 1, 15), date(y, 9, 30))  # joined during the year
            else:
                registered = _rand_day(rng, date(y - 6, 1, 1), date(y - 1, 11, 30))
            inst = Institution(idx, code, name, county, address, nature, cat, registered,
                               report_prefix=f"JCHJ{int(rng.integers(0, 10000)):04d}")
            if cat == "suspended":
                inst.status, inst.status_changed_on = "suspended", _rand_day(rng, date(y, 3, 1), date(y, 11, 30))
            elif cat == "removed_during":
                inst.status, inst.status_changed_on = "removed", _rand_day(rng, date(y, 4, 1), date(y, 12, 31))
            elif cat == "removed_before":
                inst.status, inst.status_changed_on = "removed", _rand_day(rng, date(y - 1, 3, 1), date(y - 1, 12, 31))
                inst.registered_on = min(inst.registered_on, date(y - 2, 6, 1))
            elif cat == "removed_after":
                inst.status, inst.status_changed_on = "removed", date(y + 1, 1, int(rng.integers(5, 19)))
            self.insts.append(inst)
        self.actors = [i for i in self.insts if i.active]
        # the last removed_during institution is removed on period_end exactly (still "on or before")
        during = [i for i in self.insts if i.category == "removed_during"]
        if during:
            during[-1].status_changed_on = self.end

        # per-institution quality flags (may overlap); rated candidates carry them so they show
        rated = [i for i in self.actors if i.category in ("normal", "suspended", "removed_after")]
        flag_plan = [
            # flag, fraction, minimum
            ("materials", 0.08, 1),
            ("vacancy_long", 0.08, 1), ("vacancy_short", 0.05, 1), ("vacancy_split", 0.02, 1),
            ("cert_none", 0.02, 1), ("cert_expires", 0.03, 1), ("cert_gap", 0.03, 1),
            ("cert_renewal", 0.08, 1), ("cert_additive", 0.05, 1),
            ("eq_expired", 0.12, 1), ("eq_empty", 0.03, 1), ("eq_unknown", 0.05, 1),
            ("late_reports", 0.25, 1), ("missing_reports", 0.08, 1), ("out_of_scope", 0.12, 1),
            ("unauthorized", 0.10, 1), ("empty_signatory", 0.04, 1), ("conflict", 0.04, 2),
            ("late_changes", 0.05, 1),
        ]
        for flag, frac, minimum in flag_plan:
            k = min(len(rated), _count(len(rated), frac, minimum))
            for j in rng.choice(len(rated), size=k, replace=False):
                rated[int(j)].flags.add(flag)
        # the certificate situations exclude each other: keep the first one drawn
        cert_flags = ("cert_none", "cert_expires", "cert_gap", "cert_renewal", "cert_additive")
        for inst in rated:
            held = [f for f in cert_flags if f in inst.flags]
            for f in held[1:]:
                inst.flags.discard(f)
        for inst in self.insts:
            if "materials" in inst.flags:
                k = int(rng.integers(1, 3))
                items = rng.choice(len(MATERIAL_LIST), size=k, replace=False)
                inst.materials_missing = ";".join(MATERIAL_LIST[int(i)] for i in sorted(items))

    def institutions_table(self) -> dict[str, list]:
        rows = [
            (i.code, i.name, i.county, i.address, i.legal_nature, _iso(i.registered_on), i.status,
             _iso(i.status_changed_on), i.materials_missing)
            for i in self.insts if i.in_registry
        ]
        # contact_email (issue 13) is left empty: the generated institutions get their notices by post.
        return {**_rows_to_columns(rows, TABLES["institutions"].columns), "contact_email": [""] * len(rows)}

    # ---------------------------------------------------------------- qualifications
    def qualifications_table(self) -> dict[str, list]:
        rng = _rng(self.seed, 2)
        y = self.year
        rows: list[tuple] = []
        for inst in self.insts:
            size = int(rng.integers(6, 17))
            scope = sorted(int(p) for p in rng.choice(N_PARAMS, size=size, replace=False))
            inst.work_scope = scope
            if not inst.in_registry or "cert_none" in inst.flags:
                continue  # an unregistered institution has no annex in the system; cert_none has none at all
            certs: list[tuple[date | None, date | None, list[int]]] = []
            issued = _rand_day(rng, date(y - 5, 1, 1), date(y - 1, 6, 30))
            if "cert_expires" in inst.flags:
                certs.append((issued, _rand_day(rng, date(y, 4, 1), date(y, 9, 30)), scope))
            elif "cert_renewal" in inst.flags or "cert_gap" in inst.flags:
                first_to = _rand_day(rng, date(y, 3, 1), date(y, 9, 30))
                gap = int(rng.integers(20, 61)) if "cert_gap" in inst.flags else 0
                extra = [p for p in range(N_PARAMS) if p not in scope][: int(rng.integers(0, 3))]
                certs.append((issued, first_to, scope))
                certs.append((first_to + timedelta(days=1 + gap), first_to + timedelta(days=6 * 365), sorted(scope + extra)))
            elif "cert_additive" in inst.flags:
                k = max(2, len(scope) // 3)
                certs.append((issued, _rand_day(rng, date(y + 1, 3, 1), date(y + 4, 12, 31)), scope[k:]))
                certs.append((_rand_day(rng, date(y - 3, 1, 1), date(y - 1, 12, 31)),
                              _rand_day(rng, date(y + 1, 3, 1), date(y + 4, 12, 31)), scope[:k]))
            else:
                to = _rand_day(rng, date(y + 1, 3, 1), date(y + 4, 12, 31))
                certs.append((None if rng.random() < 0.03 else issued, to, scope))
            for valid_from, valid_to, params in certs:
                start_year = (valid_from or issued).year
                cert_no = f"{start_year % 100:02d}04{int(rng.integers(0, 100_000_000)):08d}"
                for p in params:
                    code = PARAM_CODES[p]
                    rows.append((inst.code, cert_no, _iso(valid_from), _iso(valid_to), code, PARAMETERS[code]))
        return _rows_to_columns(rows, TABLES["qualifications"].columns)

    # ---------------------------------------------------------------- personnel
    def personnel_table(self) -> dict[str, list]:
        rng = _rng(self.seed, 3)
        y = self.year
        rows: list[tuple] = []

        def person() -> str:
            s = SURNAMES[int(rng.integers(0, len(SURNAMES)))]
            k = 1 if rng.random() < 0.45 else 2
            return s + "".join(GIVEN[int(i)] for i in rng.integers(0, len(GIVEN), k))

        for inst in self.insts:
            # key roles are held from before the registry entry (an institution may join mid-year, but it
            # existed and worked before): never later than the start of the previous year
            since = min(inst.registered_on, date(y - 1, 1, 1)) - timedelta(days=int(rng.integers(0, 40)))
            vacancy = next((f for f in ("vacancy_long", "vacancy_split", "vacancy_short") if f in inst.flags), None)
            vacant_role = KEY_ROLES[int(rng.integers(0, len(KEY_ROLES)))] if vacancy else None
            same_head = vacant_role not in ("legal_representative", "top_manager") and rng.random() < 0.7
            holders: list[tuple[str, str, str]] = []  # person_id, name, role
            head = person()
            holders.append(("P001", head, "legal_representative"))
            holders.append(("P001" if same_head else "P006", head if same_head else person(), "top_manager"))
            holders.append(("P002", person(), "technical_director"))
            holders.append(("P003", person(), "quality_manager"))
            holders.append(("P004", person(), "authorized_signatory"))
            has_sig2 = vacant_role != "authorized_signatory" and rng.random() < 0.4
            if has_sig2:
                holders.append(("P005", person(), "authorized_signatory"))
                inst.sig2 = 5
            for pid, name, role in holders:
                if role == vacant_role and (pid == "P004" or role != "authorized_signatory"):
                    serial = int(pid[1:]) + 10  # the successor's staff number
                    if vacancy == "vacancy_split":  # two shorter gaps adding up to more than 30 days
                        left = _rand_day(rng, date(y, 2, 1), date(y, 4, 30))
                        back = left + timedelta(days=21)  # 20 uncovered days
                        left2 = _rand_day(rng, date(y, 7, 1), date(y, 9, 30))
                        back2 = left2 + timedelta(days=16)  # 15 uncovered days
                        rows.append((inst.code, pid, name, role, _iso(since), _iso(left)))
                        rows.append((inst.code, f"P{serial:03d}", person(), role, _iso(back), _iso(left2)))
                        rows.append((inst.code, f"P{serial + 20:03d}", person(), role, _iso(back2), ""))
                        ends, starts = (left, back), (left2, back2)
                    else:
                        gap = (int((31, 45, 60, 120)[int(rng.integers(0, 4))]) if vacancy == "vacancy_long"
                               else int((10, 20, 30)[int(rng.integers(0, 3))]))
                        left = _rand_day(rng, date(y, 2, 1), date(y, 8, 31))
                        back = left + timedelta(days=gap + 1)
                        rows.append((inst.code, pid, name, role, _iso(since), _iso(left)))
                        rows.append((inst.code, f"P{serial:03d}", person(), role, _iso(back), ""))
                        ends, starts = (left,), (back,)
                    if role == "authorized_signatory":  # reports in a gap are signed by the technical director
                        inst.sig1_end, inst.repl, inst.repl_start = ends[0], serial, starts[0]
                else:
                    rows.append((inst.code, pid, name, role, _iso(since), ""))
            staff = int(rng.integers(3, 11))
            for k in range(staff):
                role = "technician" if rng.random() < 0.55 else "sampler"
                start = _rand_day(rng, date(y - 6, 1, 1), date(y, 6, 30))
                end = _rand_day(rng, max(start, date(y, 3, 1)), date(y, 12, 31)) if rng.random() < 0.12 else None
                rows.append((inst.code, f"P{20 + k:03d}", person(), role, _iso(start), _iso(end)))
        return _rows_to_columns(rows, TABLES["personnel"].columns)

    # ---------------------------------------------------------------- equipment
    def equipment_table(self) -> dict[str, list]:
        rng = _rng(self.seed, 4)
        y = self.year
        rows: list[tuple] = []
        for inst in self.insts:
            m = int(rng.integers(8, 15))
            inst.equipment_count = m
            if not inst.in_registry:
                continue
            expired = int(rng.integers(0, m)) if "eq_expired" in inst.flags else -1
            empty = int((expired + 1 + rng.integers(0, m - 1)) % m) if "eq_empty" in inst.flags else -1
            for k in range(m):
                if k == empty:
                    valid_to = ""
                elif k == expired:
                    valid_to = _iso(_rand_day(rng, date(y, 3, 1), date(y, 10, 31)))
                else:
                    valid_to = _iso(_rand_day(rng, date(y + 1, 1, 10), date(y + 2, 3, 31)))
                rows.append((inst.code, f"EQ-{k + 1:03d}", EQUIPMENT_NAMES[k % len(EQUIPMENT_NAMES)], valid_to))
        return _rows_to_columns(rows, TABLES["equipment"].columns)

    # ---------------------------------------------------------------- changes (第六条)
    def changes_table(self) -> dict[str, list]:
        rng = _rng(self.seed, 5)
        y = self.year
        # month ends, and days whose one-month deadline falls on New Year, May Day or National Day
        hot_days = [date(y, m, 1) - timedelta(days=1) for m in range(2, 13)] + [date(y, 12, 31), date(y - 1, 11, 30),
                    date(y - 1, 12, 31), date(y - 1, 12, 1)]
        hot_days += [date(y, 4, d) for d in range(1, 6)] + [date(y, 9, d) for d in range(1, 9)]
        rows: list[tuple] = []
        for inst in self.insts:
            if not inst.in_registry:
                continue
            seen: set[tuple[str, date]] = set()
            n_changes = int(rng.poisson(1.3))
            planned: list[tuple[str, date, date | None]] = []
            if "late_changes" in inst.flags:
                planned.append(("address", date(y, 3, 10), date(y, 5, 20)))  # filed late
                planned.append(("key_personnel", date(y, 6, 16), None))  # never filed
            for _ in range(n_changes):
                item = CHANGE_ITEMS[int(rng.integers(0, len(CHANGE_ITEMS)))]
                u = rng.random()
                if u < 0.35:
                    changed = hot_days[int(rng.integers(0, len(hot_days)))]
                else:
                    changed = _rand_day(rng, date(y - 1, 11, 1), date(y, 12, 31))
                nominal = _add_month(changed)
                v = rng.random()
                if v < 0.68:
                    filed: date | None = changed + timedelta(days=int(rng.integers(0, 26)))
                elif v < 0.78:
                    filed = nominal  # on the day: in time whatever the calendar says
                elif v < 0.86:
                    filed = nominal + timedelta(days=int(rng.integers(1, 4)))  # late unless the deadline moved
                elif v < 0.95:
                    filed = changed + timedelta(days=int(rng.integers(35, 91)))
                else:
                    filed = None
                planned.append((item, changed, filed))
            for item, changed, filed in planned:
                if (item, changed) in seen:
                    continue
                seen.add((item, changed))
                rows.append((inst.code, item, _iso(changed), _iso(filed)))
        return _rows_to_columns(rows, TABLES["changes"].columns)

    # ---------------------------------------------------------------- organisations (clients, subjects)
    def build_organisations(self) -> None:
        rng = _rng(self.seed, 6)
        pool = min(60_000, max(300, self.n * 12))
        serials = 10_000_000 + rng.choice(90_000_000, size=pool + pool // 3, replace=False)
        codes, names = [], []
        # 0: city bureau, 1..6: county branches
        codes.append(BUREAU[0] + check_character(BUREAU[0]))
        names.append(BUREAU[1])
        for k, (county, region) in enumerate(COUNTIES.items()):
            body = f"11{region}7000000{BRANCH_SERIAL + k:02d}"
            codes.append(body + check_character(body))
            names.append(f"晋城市生态环境局{county}分局")
        self.n_bureaus = len(codes)
        used: set[str] = set()

        def unique(make) -> str:
            while True:
                s = make()
                if s not in used:
                    used.add(s)
                    return s

        for j in range(pool):  # regulated entities (被管理对象)
            county = COUNTY_NAMES[int(rng.integers(0, 6))]
            codes.append(make_code("91", COUNTIES[county], int(serials[j])))
            names.append(unique(lambda c=county: c + "".join(BRAND[int(i)] for i in rng.integers(0, len(BRAND), 2))
                                + INDUSTRIES[int(rng.integers(0, len(INDUSTRIES)))] + "有限公司"))
        self.n_enterprises = pool
        for j in range(pool // 3):  # other clients
            county = COUNTY_NAMES[int(rng.integers(0, 6))]
            kind = OTHER_KINDS[int(rng.integers(0, len(OTHER_KINDS)))]
            prefix = "12" if kind == "学校" else "91"
            codes.append(make_code(prefix, COUNTIES[county], int(serials[pool + j])))
            head = "晋城市" if rng.random() < 0.5 else county
            names.append(unique(lambda h=head, k=kind: h + "".join(BRAND[int(i)] for i in rng.integers(0, len(BRAND), 2))
                                + k))
        self.n_others = pool // 3
        self.org_codes = pa.array(codes, type=pa.string())
        self.org_names = pa.array(names, type=pa.string())

    # ---------------------------------------------------------------- activities (vectorised)
    def activities_table(self) -> dict[str, pa.Array]:
        rng = _rng(self.seed, 7)
        y, a = self.year, self.a
        actors = self.actors
        n_act = len(actors)
        n = n_act * a
        epoch = np.datetime64(f"{y - 3}-01-01", "D")
        d0 = int((np.datetime64(self.start) - epoch).astype(int))
        ndays = (self.end - self.start).days + 1
        # date vocabulary: day offset from `epoch` → ISO string
        vocab_days = np.arange(0, 365 * 8, dtype=np.int64)
        date_vocab = pa.array(np.datetime_as_string(epoch + vocab_days, unit="D").astype(object), type=pa.string())

        def day_of(d: date | None, default: int) -> int:
            return default if d is None else int((np.datetime64(d) - epoch).astype(int))

        BIG = 10**6
        inst_code = pa.array([i.code for i in actors], type=pa.string())
        inst_name = pa.array([i.name for i in actors], type=pa.string())
        inst_prefix = pa.array([i.report_prefix for i in actors], type=pa.string())
        county_of = np.array([COUNTY_NAMES.index(i.county) for i in actors], dtype=np.int64)
        flag = {f: np.array([f in i.flags for i in actors]) for f in (
            "eq_unknown", "late_reports", "missing_reports", "out_of_scope", "unauthorized", "empty_signatory",
            "conflict")}
        eq_m = np.array([i.equipment_count for i in actors], dtype=np.int64)
        sig1_end = np.array([day_of(i.sig1_end, BIG) for i in actors], dtype=np.int64)
        repl_start = np.array([day_of(i.repl_start, BIG) for i in actors], dtype=np.int64)
        repl = np.array([i.repl for i in actors], dtype=np.int64)
        sig2 = np.array([i.sig2 for i in actors], dtype=np.int64)
        reg_share = rng.uniform(0.03, 0.2, n_act)
        # work scope padded: scope_pad[i, k] for k < scope_n[i]; out_pad the parameters outside it
        scope_pad = np.zeros((n_act, N_PARAMS), dtype=np.int64)
        out_pad = np.zeros((n_act, N_PARAMS), dtype=np.int64)
        scope_n = np.zeros(n_act, dtype=np.int64)
        out_n = np.zeros(n_act, dtype=np.int64)
        for k, inst in enumerate(actors):
            sc = inst.work_scope
            outside = [p for p in range(N_PARAMS) if p not in sc]
            scope_pad[k, : len(sc)], scope_n[k] = sc, len(sc)
            out_pad[k, : len(outside)], out_n[k] = outside, len(outside)

        inst = np.repeat(np.arange(n_act, dtype=np.int64), a)
        u = rng.random((12, n))  # one draw per decision and row

        kind = (u[0] >= 0.8).astype(np.int64)  # 0 monitoring, 1 operation_maintenance
        r = u[1]
        share = reg_share[inst]
        role = np.where(r < share, 0, np.where(r < share + 0.68, 1, 2))  # regulator, regulated, other

        # sampled_on: within the year, a few just outside it
        day = d0 + rng.integers(0, ndays, n)
        outside = u[2] < 0.002
        outside[int(rng.integers(0, n))] = True
        before = rng.random(n) < 0.5
        day = np.where(outside & before, d0 - rng.integers(1, 25, n), day)
        day = np.where(outside & ~before, d0 + ndays + rng.integers(0, 15, n), day)

        in_year = (day >= d0) & (day < d0 + ndays)

        def forced(name: str, k: int) -> np.ndarray:
            """A row mask: the k-th in-year monitoring activity of each institution flagged `name`, so
            that a rare situation shows at every scale, however few activities an institution has."""
            rows = np.flatnonzero(flag[name][inst] & in_year & (kind == 0))
            mask = np.zeros(n, dtype=bool)
            if rows.size:
                _, first, size = np.unique(inst[rows], return_index=True, return_counts=True)
                mask[rows[first + np.minimum(k, size - 1)]] = True
            return mask

        # an institution flagged for a conflict of interest works for the regulator and the regulated at least once
        conflict_rows = np.flatnonzero(flag["conflict"][inst] & in_year)
        if conflict_rows.size:
            _, first, size = np.unique(inst[conflict_rows], return_index=True, return_counts=True)
            role[conflict_rows[first]] = 0
            role[conflict_rows[first + np.minimum(1, size - 1)]] = 1

        # clients and subjects: index into the organisation vocabulary (-1 = empty)
        nb, ne, no = self.n_bureaus, self.n_enterprises, self.n_others
        half = ne // 2
        bureau = np.where(u[3] < 0.45, 0, 1 + rng.integers(0, 6, n))
        reg_subject = nb + rng.integers(0, half, n)  # subjects of regulator work: first half of the pool
        regulated = nb + half + rng.integers(0, ne - half, n)  # regulated clients: second half
        other = nb + ne + rng.integers(0, no, n)
        client = np.where(role == 0, bureau, np.where(role == 1, regulated, other))
        subject = np.where(role == 0, reg_subject, np.where(role == 1, regulated,
                                                            np.where(u[4] < 0.5, other, -1)))
        # 第四条 conflicts: the regulated party of the institution's first regulator job hires it too
        conflict_inst = flag["conflict"][inst]
        reg_rows = np.flatnonzero(conflict_inst & (role == 0) & in_year)
        ctd_rows = np.flatnonzero(conflict_inst & (role == 1) & in_year)
        _, first_reg = np.unique(inst[reg_rows], return_index=True)
        _, first_ctd = np.unique(inst[ctd_rows], return_index=True)
        reg_pick, ctd_pick = reg_rows[first_reg], ctd_rows[first_ctd]
        common = np.intersect1d(inst[reg_pick], inst[ctd_pick])
        reg_pick = reg_pick[np.isin(inst[reg_pick], common)]
        ctd_pick = ctd_pick[np.isin(inst[ctd_pick], common)]
        client[ctd_pick] = subject[reg_pick]
        subject[ctd_pick] = subject[reg_pick]

        county = np.where(u[5] < 0.7, county_of[inst], rng.integers(0, 6, n))

        # parameters: 1–3 of the institution's scope, sometimes one outside it (monitoring only)
        def pick(col: np.ndarray) -> np.ndarray:
            return scope_pad[inst, (col * scope_n[inst]).astype(np.int64)]

        count = np.where(u[6] < 0.5, 1, np.where(u[6] < 0.85, 2, 3))
        p1, p2, p3 = pick(rng.random(n)), pick(rng.random(n)), pick(rng.random(n))
        p2 = np.where((count >= 2) & (p2 != p1), p2, -1)
        p3 = np.where((count >= 3) & (p3 != p1) & (p3 != p2), p3, -1)
        off = flag["out_of_scope"][inst] & ((u[7] < 0.01) | forced("out_of_scope", 0)) & (kind == 0) & (out_n[inst] > 0)
        p1 = np.where(off, out_pad[inst, (rng.random(n) * np.maximum(out_n[inst], 1)).astype(np.int64)], p1)
        param_col = self._combo_strings(
            (p1 + 1) * 529 + (p2 + 1) * 23 + (p3 + 1),
            lambda c: ";".join(PARAM_CODES[x - 1] for x in (c // 529, c // 23 % 23, c % 23) if x > 0),
        )

        # equipment: one or two of the institution's list; sometimes unknown; some O&M without any
        e1 = 1 + (rng.random(n) * eq_m[inst]).astype(np.int64)
        e2 = 1 + (rng.random(n) * eq_m[inst]).astype(np.int64)
        e2 = np.where((u[8] < 0.5) & (e2 != e1), e2, 0)
        e1 = np.where(flag["eq_unknown"][inst] & (rng.random(n) < 0.004) | forced("eq_unknown", 1), 99, e1)
        no_eq = (kind == 1) & (rng.random(n) < 0.1)
        e1 = np.where(no_eq, 0, e1)
        e2 = np.where(no_eq, 0, e2)
        eq_col = self._combo_strings(
            e1 * 100 + e2,
            lambda c: ";".join(f"EQ-{x:03d}" for x in (c // 100, c % 100) if x > 0),
        )

        # report, signatory, submission
        has_report = (kind == 0) | (u[9] < 0.6)
        issued = day + 1 + np.minimum(rng.geometric(0.3, n) - 1, 12)
        sig = np.where(issued <= sig1_end[inst], 4, np.where(issued >= repl_start[inst], repl[inst], 2))
        sig = np.where((sig2[inst] > 0) & (sig == 4) & (u[10] < 0.4), sig2[inst], sig)
        sig = np.where(flag["unauthorized"][inst] & (rng.random(n) < 0.01) | forced("unauthorized", 2), 20, sig)
        sig = np.where(flag["empty_signatory"][inst] & (rng.random(n) < 0.005) | forced("empty_signatory", 3), -1, sig)
        delay = rng.integers(0, 8, n)
        late = flag["late_reports"][inst] & (u[11] < 0.01) | forced("late_reports", 4)
        near = flag["late_reports"][inst] & (u[11] >= 0.01) & (u[11] < 0.02)  # around the 10-working-day bound
        delay = np.where(late, rng.integers(16, 45, n), np.where(near, rng.integers(12, 17, n), delay))
        missing = flag["missing_reports"][inst] & (rng.random(n) < 0.005) | forced("missing_reports", 5)
        submitted = np.where(has_report, issued + delay, day + rng.integers(0, 6, n))
        submitted = np.where(missing, -1, submitted)

        idx = pa.array(np.arange(n, dtype=np.int64))
        activity_id = pc.binary_join_element_wise(
            f"A{y}", pc.utf8_lpad(pc.cast(idx, pa.string()), 9, "0"), "")
        report_no = pc.binary_join_element_wise(
            inst_prefix.take(pa.array(inst)), f"-{y}-", pc.utf8_lpad(pc.cast(idx, pa.string()), 9, "0"), "")
        no_report = pa.array(~has_report)
        null_str = pa.nulls(n, pa.string())
        person_vocab = pa.array([f"P{k:03d}" for k in range(100)], type=pa.string())

        def take(vocab: pa.Array, ix: np.ndarray) -> pa.Array:
            return vocab.take(pa.array(ix, mask=ix < 0))

        def dates(ix: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
            bad = ix < 0 if mask is None else (ix < 0) | mask
            return date_vocab.take(pa.array(np.where(bad, 0, ix), mask=bad))

        return {
            "activity_id": activity_id,
            "institution_id": inst_code.take(pa.array(inst)),
            "institution_name": inst_name.take(pa.array(inst)),
            "kind": take(pa.array(["monitoring", "operation_maintenance"]), kind),
            "client_id": take(self.org_codes, client),
            "client_name": take(self.org_names, client),
            "client_role": take(pa.array(["regulator", "regulated", "other"]), role),
            "subject_id": take(self.org_codes, subject),
            "county": take(pa.array(list(COUNTY_NAMES)), county),
            "parameters": param_col,
            "equipment_ids": eq_col,
            "sampled_on": dates(day),
            "report_no": pc.if_else(no_report, null_str, report_no),
            "report_issued_on": dates(issued, ~has_report),
            "signatory_id": take(person_vocab, np.where(has_report, sig, -1)),
            "submitted_on": dates(submitted),
        }

    @staticmethod
    def _combo_strings(combo: np.ndarray, render) -> pa.Array:
        """Strings for a coded column, rendered once per distinct code (a few thousand at most)."""
        uniq, inverse = np.unique(combo, return_inverse=True)
        vocab = pa.array([render(int(c)) or None for c in uniq], type=pa.string())
        return vocab.take(pa.array(inverse.astype(np.int64)))

    # ---------------------------------------------------------------- credit events
    def events_table(self) -> dict[str, list]:
        rng = _rng(self.seed, 8)
        y = self.year
        rated = [i for i in self.actors if i.category in ("normal", "suspended", "removed_after")]
        clean = [i for i in rated if not i.flags] or rated
        rows: list[dict] = []

        def doc(prefix: str, d: date) -> str:
            if prefix == "court":
                return f"（{d.year}）晋05刑初{int(rng.integers(1, 400))}号"
            return f"{prefix}〔{d.year}〕{int(rng.integers(1, 300))}号"

        def event(inst: Institution, indicator: str, *, clause: int | None = None, decided: date | None = None,
                  verified: str = "true", verified_on: date | None | str = "auto", amount: str = "",
                  effective_until: date | None = None, source: str | None = None, summary: str | None = None,
                  document_prefix: str | None = None) -> None:
            if decided is None:
                decided = _rand_day(rng, self.start, self.end)
            if verified_on == "auto":
                verified_on = (min(decided + timedelta(days=int(rng.integers(0, 21))), self.as_of)
                               if verified.lower() == "true" else None)
            sources, text, prefix = EVENT_INDICATORS.get(indicator, (("other",), "其他信用信息", "晋市环信"))
            if clause is not None:
                c_source, _, c_text, c_prefix = CLAUSES[clause]
                sources, text, prefix = (c_source,), c_text, c_prefix
            src = source or sources[int(rng.integers(0, len(sources)))]
            if amount and summary is None:
                text = f"行政处罚：罚款{amount}元"
            occurred = decided - timedelta(days=int(rng.integers(3, 91)))
            rows.append({
                "institution_id": inst.code, "source": src, "indicator": indicator,
                "clause": "" if clause is None else str(clause), "occurred_on": _iso(occurred),
                "decided_on": _iso(decided), "verified": verified,
                "verified_on": verified_on if isinstance(verified_on, str) else _iso(verified_on),
                "document_no": doc(document_prefix or prefix, decided), "summary": summary or text,
                "amount_yuan": amount, "effective_until": _iso(effective_until),
            })

        def pick(pool: list[Institution], k: int) -> Institution:
            return pool[k % len(pool)]

        order = [rated[int(i)] for i in rng.permutation(len(rated))]
        # coverage: every event indicator once, scored
        for k, ind in enumerate(EVENT_INDICATORS):
            if ind != "CX-02":
                event(pick(order, k), ind)
        # CX-02 in every tier, bounds included, spread so the per-institution cap rarely hides a tier
        for k, amount in enumerate(CX02_AMOUNTS):
            event(pick(order, 3 * k + 1), "CX-02", amount=amount)
        # pending and out-of-period variants
        event(pick(order, 2), "CX-01", verified="false")
        event(pick(order, 3), "YW-05", verified="TRUE")  # any case
        event(pick(order, 4), "JB-05", verified="true", verified_on="")  # true without a date: pending
        event(pick(order, 5), "YW-06", verified_on=date(y + 1, 2, 3))  # verified after as_of
        event(pick(order, 6), "JY-03", decided=date(y - 1, 11, 20))  # decided before the period
        event(pick(order, 7), "YW-07", decided=date(y + 1, 1, 8))  # decided after the period
        event(pick(order, 8), "BN-01", decided=date(y - 1, 9, 3))
        event(pick(order, 9), "CX-05", decided=self.end)  # on the last day: counts
        event(pick(order, 10), "BN-02", decided=self.start)  # on the first day: counts
        # institutions outside the rated set carry events too (complaints of unregistered ones count for
        # the supervision plan)
        for inst in self.actors:
            if inst.category == "unregistered":
                event(inst, "JY-02")
            elif inst.category == "removed_during":
                event(inst, "CX-01")
        # 第十七条: every clause, effective, on a few institutions (the lowest clause is named)
        spared = {id(i) for i in clean[: max(1, len(clean) // 2)]}
        d_pool = [i for i in order if id(i) not in spared] or order
        n_d = min(len(d_pool), _count(self.n, 0.05, 3))
        for c in range(1, 9):
            inst = d_pool[(c - 1) % n_d]
            if c == 2:  # procurement ban decided before the year, still running
                event(inst, "", clause=2, decided=date(y - 1, 8, 12), effective_until=date(y + 1, 8, 11))
            elif c == 4:  # a 第十七条 row ignores amount_yuan: here CX-02 without an amount is fine
                event(inst, "CX-02", clause=4)
            else:
                event(inst, CLAUSES[c][1], clause=c)
        # clause rows that do not force D
        event(pick(order, 11), "", clause=2, decided=date(y - 2, 5, 6), effective_until=date(y - 1, 11, 30))
        event(pick(order, 12), "CX-02", clause=4, verified="false", amount="300000")
        event(pick(order, 13), "", clause=1, decided=date(y + 1, 2, 1), verified_on=date(y + 1, 2, 5))
        event(pick(order, 14), "", clause=6, decided=date(y - 1, 6, 1))  # ended before the period
        # random events at scale: about 1.2 per rated institution, mostly verified and in the period
        inds = list(EVENT_WEIGHTS)
        w = np.array([EVENT_WEIGHTS[i] for i in inds], dtype=float)
        w /= w.sum()
        for inst in rated:
            for _ in range(int(rng.poisson(1.2))):
                ind = inds[int(rng.choice(len(inds), p=w))]
                v = rng.random()
                decided = (_rand_day(rng, date(y - 1, 6, 1), date(y - 1, 12, 31)) if v < 0.08
                           else _rand_day(rng, self.start, self.end))
                verified = "false" if rng.random() < 0.12 else "true"
                amount = CX02_AMOUNTS[int(rng.integers(0, len(CX02_AMOUNTS)))] if ind == "CX-02" else ""
                event(inst, ind, decided=decided, verified=verified, amount=amount)
            if rng.random() < 0.003:  # rare serious dishonesty at scale
                c = int(rng.integers(1, 9))
                event(inst, CLAUSES[c][1], clause=c)
        for k, row in enumerate(rows):
            row["event_id"] = f"EV{y}{k + 1:07d}"
        cols = TABLES["credit_events"].all_columns
        return {c: [r[c] for r in rows] for c in cols}

    # ---------------------------------------------------------------- objections (第十九条)
    def objections_table(self) -> dict[str, list]:
        rng = _rng(self.seed, 9)
        y = self.year
        registered = [i for i in self.actors if i.in_registry]
        rows = []
        for k in range(min(len(registered), max(4, self.n // 100))):
            inst = registered[int(rng.integers(0, len(registered)))]
            kind = ("institution", "institution", "public", "organisation")[k % 4]
            filer = {"institution": inst.name, "public": SURNAMES[int(rng.integers(0, 40))] + "某某",
                     "organisation": "晋城市环保志愿者协会"}[kind]
            received = date(y + 1, 2, 1) + timedelta(days=int(rng.integers(0, 45)))
            evidence = "false" if k % 5 == 3 else "true"
            claim = OBJECTION_CLAIMS[int(rng.integers(0, len(OBJECTION_CLAIMS)))]
            rows.append((f"OB{y + 1}{k + 1:05d}", inst.code, kind, filer, _iso(received), evidence, claim))
        return _rows_to_columns(rows, TABLES["objections"].columns)


# --------------------------------------------------------------------------------------------------
# Bad rows: exactly one per rule and table, appended after the good rows
# --------------------------------------------------------------------------------------------------
BAD_DATE = "2025-02-30"


def _bad_rows(tables: dict[str, dict], year: int) -> dict[str, list[tuple[dict, dict | None]]]:
    """Rows to append per table, each with its manifest entry (None for a good row a duplicate needs)."""
    extra: dict[str, list[tuple[dict, dict | None]]] = {}

    def first(name: str) -> dict | None:
        data = tables[name]
        if not len(next(iter(data.values()))):
            return None
        return {c: (v[0].as_py() if isinstance(v, (pa.Array, pa.ChunkedArray)) else v[0]) or "" for c, v in data.items()}

    def add(name: str, row: dict, reason: str | None, column: str = "") -> None:
        entry = None if reason is None else {"table": name, "file": f"{name}.csv", "row": 0, "column": column,
                                             "reason": reason}
        extra.setdefault(name, []).append((row, entry))

    def original(name: str, fallback: dict) -> dict:
        """The row a duplicate repeats: the table's first row, or a good row appended before it."""
        row = first(name)
        if row is None:
            add(name, fallback, None)
            row = fallback
        return row

    inst0 = first("institutions")
    assert inst0 is not None
    code0 = inst0["institution_id"]
    new_inst = make_code("91", "140502", 77_000_001)
    new_inst2 = make_code("91", "140525", 77_000_002)

    # institutions
    add("institutions", {**inst0, "institution_id": wrong_check(new_inst)}, "wrong_check_character", "institution_id")
    add("institutions", {**inst0, "institution_id": new_inst, "name": "晋城市坏例环境监测有限公司",
                         "status": "cancelled"}, "unknown_enum", "status")
    add("institutions", {**inst0, "institution_id": new_inst2, "name": "晋城市坏例二环境检测有限公司",
                         "registered_on": BAD_DATE}, "unparseable_date", "registered_on")
    add("institutions", dict(inst0), "duplicate_key", "institution_id")
    # qualifications (no enum)
    q0 = original("qualifications", {"institution_id": code0, "certificate_no": "990400000000",
                                     "valid_from": f"{year - 1}-01-01", "valid_to": f"{year + 2}-01-01",
                                     "parameter_code": "COD", "method_standard": PARAMETERS["COD"]})
    add("qualifications", {**q0, "institution_id": wrong_check(q0["institution_id"])}, "wrong_check_character",
        "institution_id")
    add("qualifications", {**q0, "certificate_no": "990400000001", "valid_from": BAD_DATE}, "unparseable_date",
        "valid_from")
    add("qualifications", dict(q0), "duplicate_key", "parameter_code")
    # personnel (no key)
    p0 = first("personnel")
    assert p0 is not None
    add("personnel", {**p0, "institution_id": wrong_check(p0["institution_id"])}, "wrong_check_character",
        "institution_id")
    add("personnel", {**p0, "person_id": "P090", "role": "director"}, "unknown_enum", "role")
    add("personnel", {**p0, "person_id": "P091", "role": "technician", "valid_from": BAD_DATE}, "unparseable_date",
        "valid_from")
    # equipment (no enum)
    e0 = first("equipment")
    assert e0 is not None
    add("equipment", {**e0, "institution_id": wrong_check(e0["institution_id"])}, "wrong_check_character",
        "institution_id")
    add("equipment", {**e0, "equipment_id": "EQ-090", "calibration_valid_to": BAD_DATE}, "unparseable_date",
        "calibration_valid_to")
    add("equipment", dict(e0), "duplicate_key", "equipment_id")
    # changes
    c0 = original("changes", {"institution_id": code0, "item": "name", "changed_on": f"{year}-04-07",
                              "filed_on": f"{year}-04-09"})
    add("changes", {**c0, "institution_id": wrong_check(c0["institution_id"])}, "wrong_check_character",
        "institution_id")
    add("changes", {**c0, "item": "phone"}, "unknown_enum", "item")
    add("changes", {**c0, "changed_on": BAD_DATE}, "unparseable_date", "changed_on")
    add("changes", dict(c0), "duplicate_key", "changed_on")
    # activities
    a0 = first("activities")
    assert a0 is not None
    add("activities", {**a0, "activity_id": f"A{year}900000001", "institution_id": wrong_check(a0["institution_id"])},
        "wrong_check_character", "institution_id")
    add("activities", {**a0, "activity_id": f"A{year}900000002", "kind": "inspection"}, "unknown_enum", "kind")
    add("activities", {**a0, "activity_id": f"A{year}900000003", "sampled_on": BAD_DATE}, "unparseable_date",
        "sampled_on")
    add("activities", dict(a0), "duplicate_key", "activity_id")
    # credit events
    ev = {"event_id": "", "institution_id": code0, "source": "inspection", "indicator": "YW-05", "clause": "",
          "occurred_on": f"{year}-03-01", "decided_on": f"{year}-04-01", "verified": "true",
          "verified_on": f"{year}-04-03", "document_no": f"晋市环监〔{year}〕299号",
          "summary": "现场检查发现原始记录不完整", "amount_yuan": "", "effective_until": ""}
    ev0 = first("credit_events")
    assert ev0 is not None
    add("credit_events", {**ev, "event_id": "EVBAD0000001", "institution_id": wrong_check(code0)},
        "wrong_check_character", "institution_id")
    add("credit_events", {**ev, "event_id": "EVBAD0000002", "source": "newspaper"}, "unknown_enum", "source")
    add("credit_events", {**ev, "event_id": "EVBAD0000003", "decided_on": BAD_DATE}, "unparseable_date", "decided_on")
    add("credit_events", dict(ev0), "duplicate_key", "event_id")
    add("credit_events", {**ev, "event_id": "EVBAD0000004", "indicator": "CX-09"}, "unknown_indicator", "indicator")
    add("credit_events", {**ev, "event_id": "EVBAD0000005", "indicator": "YW-02"}, "auto_indicator_as_event",
        "indicator")
    add("credit_events", {**ev, "event_id": "EVBAD0000006", "indicator": "CX-02", "source": "penalty",
                          "summary": "行政处罚：罚款"}, "cx02_without_amount", "amount_yuan")
    # objections
    o0 = first("objections")
    assert o0 is not None
    add("objections", {**o0, "objection_id": "OBBAD0001", "institution_id": wrong_check(o0["institution_id"])},
        "wrong_check_character", "institution_id")
    add("objections", {**o0, "objection_id": "OBBAD0002", "filer_kind": "anonymous"}, "unknown_enum", "filer_kind")
    add("objections", {**o0, "objection_id": "OBBAD0003", "received_on": BAD_DATE}, "unparseable_date", "received_on")
    add("objections", dict(o0), "duplicate_key", "objection_id")
    return extra


def _append(data: dict, rows: list[dict], columns: tuple[str, ...]) -> dict:
    out = {}
    for c in columns:
        tail = pa.array([r.get(c) or None for r in rows], type=pa.string())
        col = data[c]
        if isinstance(col, (pa.Array, pa.ChunkedArray)):
            out[c] = pa.chunked_array([col, tail]) if isinstance(col, pa.Array) else pa.chunked_array(
                list(col.chunks) + [tail])
        else:
            out[c] = list(col) + [r.get(c) or "" for r in rows]
    return out


# --------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------
def generate_drop(out_dir: Path, *, year: int, institutions: int, activities_per_institution: int, seed: int,
                  bad_rows: bool = False) -> dict[str, int]:
    """Write a drop (every table of credit.contract.TABLES, objections included); return rows per table."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    g = _Generator(year, institutions, activities_per_institution, seed)
    g.build_institutions()
    tables: dict[str, dict] = {
        "institutions": g.institutions_table(),
        "qualifications": g.qualifications_table(),
        "personnel": g.personnel_table(),
        "equipment": g.equipment_table(),
        "changes": g.changes_table(),
    }
    g.build_organisations()
    tables["activities"] = g.activities_table()
    tables["credit_events"] = g.events_table()
    tables["objections"] = g.objections_table()

    manifest: list[dict] = []
    if bad_rows:
        for name, appended in _bad_rows(tables, year).items():
            good = len(next(iter(tables[name].values())))
            for k, (_, entry) in enumerate(appended):
                if entry is not None:
                    entry["row"] = good + k + 2  # as a person sees it: header 1, first data row 2
                    manifest.append(entry)
            tables[name] = _append(tables[name], [row for row, _ in appended], TABLES[name].all_columns)
    counts = {}
    for name, data in tables.items():
        counts[name] = write_table(out_dir / f"{name}.csv", TABLES[name].all_columns, data)
    bad_path = out_dir / "bad_rows.json"
    if bad_rows:
        bad_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif bad_path.exists():
        bad_path.unlink()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--institutions", type=int, default=30)
    parser.add_argument("--activities", type=int, default=500, help="activities per institution")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-rows", action="store_true", help="append one bad row per rule and table")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate_drop(args.out, year=args.year, institutions=args.institutions,
                           activities_per_institution=args.activities, seed=args.seed, bad_rows=args.bad_rows)
    elapsed = time.perf_counter() - t0
    for name, k in counts.items():
        print(f"{name:<16}{k:>10}")
    print(f"generated in {elapsed:.1f} s → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
